"""The result of one assignment solve: chosen arcs, objective, bound and status.

Nothing here imports OR-Tools: callers can read results without loading the solver back end.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from solver.exceptions import SolverError

__all__ = ["AssignmentResult", "SolveStatus"]

IntArray = npt.NDArray[np.int64]


class SolveStatus(enum.Enum):
    """Outcome of a solve, one member for every status OR-Tools min-cost flow can return.

    Only ``OPTIMAL`` carries an assignment; every other status comes with empty pairs.
    """

    OPTIMAL = "optimal"
    """A proven optimal flow was found."""
    FEASIBLE = "feasible"
    """A feasible but not proven optimal flow (not returned by ``solve()`` in practice)."""
    INFEASIBLE = "infeasible"
    """No flow satisfies the supplies (cannot happen with the bypass arc: a bug if seen)."""
    UNBALANCED = "unbalanced"
    """Supplies and demands do not sum to zero (a bug in the graph construction if seen)."""
    BAD_RESULT = "bad_result"
    """OR-Tools' internal consistency check on its own result failed."""
    BAD_COST_RANGE = "bad_cost_range"
    """Costs too large for OR-Tools' cost scaling (the overflow guard should prevent this)."""
    BAD_CAPACITY_RANGE = "bad_capacity_range"
    """Capacities too large for OR-Tools."""
    NOT_SOLVED = "not_solved"
    """The solver did not run to completion."""

    @property
    def is_optimal(self) -> bool:
        """``True`` for ``OPTIMAL`` only."""
        return self is SolveStatus.OPTIMAL


def _empty_int() -> IntArray:
    return np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class AssignmentResult:
    """Chosen (participant, slot) pairs of one solve and what is known about their quality.

    Attributes
    ----------
    arc_index : ndarray of int64, shape (p,)
        Indices of the chosen arcs into the arc arrays given to
        :func:`solver.solve_assignment` (before arcs with score <= 0 were dropped),
        sorted ascending.
    participant, slot : ndarray of int64, shape (p,)
        The chosen pairs: ``participant[i]`` is placed in ``slot[i]``.
    objective : float
        Sum of the chosen arcs' original float scores (not the scaled integers).
    bound : float
        Upper bound on the best achievable total score (in ``maximize_placements`` mode:
        among the solutions with the most placements). The flow is optimal for the integer
        costs ``rint(score * scale)``; the float optimum can exceed it only by the rounding
        error of that conversion, at most ``max |score*scale - rint(score*scale)| / scale``
        per placement. ``bound`` adds this error times the most placements any solution
        could have, so ``objective <= bound``, and for an optimal flow
        ``bound - objective <= (n_placed + max placements) * error``: at most about
        ``n / scale``, and only float error for scores with at most ``log10(scale)``
        decimals (e.g. 0.1 % steps, or the integer scores of OR-Library instances).
        ``nan`` when the status is not optimal.
    gap : float
        Relative gap ``(bound - objective) / max(|bound|, 1e-12)``; ``nan`` if not optimal.
    status : SolveStatus
        Outcome; only ``OPTIMAL`` results carry pairs. See :meth:`raise_for_status`.
    n_placed : int
        Number of chosen pairs.
    scale : int
        The power of ten the scores were multiplied by before rounding to integer costs.
    timings : dict of str to float
        Wall seconds for ``build_s`` (validation, scaling, graph), ``solve_s`` and
        ``extract_s``.
    n_nodes, n_arcs : int
        Size of the flow graph handed to OR-Tools.
    """

    arc_index: IntArray = field(default_factory=_empty_int)
    participant: IntArray = field(default_factory=_empty_int)
    slot: IntArray = field(default_factory=_empty_int)
    objective: float = 0.0
    bound: float = float("nan")
    gap: float = float("nan")
    status: SolveStatus = SolveStatus.NOT_SOLVED
    n_placed: int = 0
    scale: int = 1
    timings: dict[str, float] = field(default_factory=dict)
    n_nodes: int = 0
    n_arcs: int = 0

    def raise_for_status(self) -> AssignmentResult:
        """Raise :class:`~solver.exceptions.SolverError` unless the status is optimal.

        Returns
        -------
        AssignmentResult
            ``self``, so that ``solve_assignment(...).raise_for_status()`` chains.

        Raises
        ------
        SolverError
            If ``status`` is anything but ``SolveStatus.OPTIMAL``.
        """
        if not self.status.is_optimal:
            msg = (
                f"min-cost flow solve ended with status {self.status.name} "
                f"({self.n_nodes} nodes, {self.n_arcs} arcs, scale {self.scale})"
            )
            raise SolverError(msg)
        return self
