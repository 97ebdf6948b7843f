"""Float scores to int64 costs, in one place, with an overflow guard.

OR-Tools' min-cost flow works on integer costs and multiplies them internally by about
``n_nodes + 1`` (cost scaling), so every integer cost must satisfy
``|cost| * (n_nodes + 1) < 2**62``. We multiply scores by ``scale = 10**k`` for the largest
``k <= 9`` that passes this guard: a power of ten keeps decimal scores such as ``1.03`` exact
(``rint(1.03 * 10**k)`` is the decimal digits, whatever the binary representation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from solver.exceptions import ScalingOverflowError

__all__ = ["COST_LIMIT", "MAX_DECIMALS", "ScaledScores", "check_finite", "scale_scores"]

MAX_DECIMALS = 9
"""Largest ``k`` tried for ``scale = 10**k``."""

COST_LIMIT = 2**62
"""``max |integer cost| * (n_nodes + 1)`` must stay below this."""

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class ScaledScores:
    """Scores turned into integer profits (the flow's arc costs are their negatives).

    Attributes
    ----------
    scale : int
        ``10**k``; ``profit = rint(score * scale)``.
    profit : ndarray of int64
        One integer profit per score.
    bonus : int
        Integer added to every placement's profit to make the number of placements the
        first objective (0 when not asked for). Larger than any achievable sum of profits.
    max_abs_cost : int
        ``max |profit| + bonus``, the number the overflow guard checked.
    rounding_error : float
        Upper bound, in score units, on ``|score - profit / scale|`` for any one score.
    """

    scale: int
    profit: IntArray
    bonus: int
    max_abs_cost: int
    rounding_error: float


def check_finite(scores: FloatArray) -> None:
    """Raise if any score is NaN or infinite.

    Parameters
    ----------
    scores : ndarray of float64
        Scores to check.

    Raises
    ------
    ScalingOverflowError
        If a score is not finite (it cannot become an integer cost).
    """
    if scores.size and not np.isfinite(scores).all():
        bad = int(np.count_nonzero(~np.isfinite(scores)))
        msg = f"{bad} score(s) are NaN or infinite; scores must be finite numbers"
        raise ScalingOverflowError(msg)


def _participant_max(scores: FloatArray, participant: IntArray, n_participants: int) -> FloatArray:
    """Largest |score| of each participant's arcs (0 for a participant without arcs)."""
    best = np.zeros(n_participants, dtype=np.float64)
    if scores.size:
        np.maximum.at(best, participant, np.abs(scores))
    return best


def scale_scores(
    scores: FloatArray,
    n_nodes: int,
    *,
    bonus_participant: IntArray | None = None,
    n_participants: int = 0,
) -> ScaledScores:
    """Choose ``scale = 10**k`` and turn ``scores`` into int64 profits.

    Parameters
    ----------
    scores : ndarray of float64, shape (a,)
        Scores of the arcs that can be chosen.
    n_nodes : int
        Number of nodes of the flow graph (the guard multiplies by ``n_nodes + 1``).
    bonus_participant : ndarray of int64, shape (a,), optional
        If given, a placement bonus is added: the participant of each arc (in
        ``0..n_participants-1``), used to bound the largest possible total of profits by the
        sum over participants of their best profit. The bonus is that sum plus one.
    n_participants : int
        Number of participants; only used with ``bonus_participant``.

    Returns
    -------
    ScaledScores
        The chosen scale, integer profits, bonus and rounding error.

    Raises
    ------
    ScalingOverflowError
        If a score is not finite, or even ``scale = 1`` breaks the overflow guard.
    """
    scores = np.asarray(scores, dtype=np.float64)
    check_finite(scores)
    max_abs = float(np.abs(scores).max()) if scores.size else 0.0
    best = None
    if bonus_participant is not None:
        best = _participant_max(scores, bonus_participant, n_participants)
    factor = n_nodes + 1

    for k in range(MAX_DECIMALS, -1, -1):
        scale = 10**k
        # Cheap float pre-check, so the exact integer check below cannot overflow int64.
        estimate = scale * (max_abs + (float(best.sum()) if best is not None else 0.0)) + 1.0
        if estimate * factor >= 2.0 * COST_LIMIT:
            continue
        max_profit = int(np.rint(max_abs * scale))
        bonus = 0
        if best is not None:
            bonus = int(np.rint(best * scale).astype(np.int64).sum()) + 1
        max_abs_cost = max_profit + bonus
        if max_abs_cost * factor >= COST_LIMIT:
            continue
        scaled = scores * scale
        profit = np.rint(scaled).astype(np.int64)
        error = float(np.abs(scaled - profit).max()) if scores.size else 0.0
        # Allow for the float error of the product itself (one ulp of the largest value).
        error += max_abs * scale * float(np.finfo(np.float64).eps)
        return ScaledScores(
            scale=scale,
            profit=profit,
            bonus=bonus,
            max_abs_cost=max_abs_cost,
            rounding_error=error / scale,
        )

    msg = (
        f"scores up to {max_abs:.6g} cannot be scaled to integer costs without overflow "
        f"on a graph of {n_nodes} nodes (need max|cost| * (nodes + 1) < 2**62"
        f"{', including the placement bonus' if best is not None else ''})"
    )
    raise ScalingOverflowError(msg)
