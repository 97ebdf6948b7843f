"""Best assignment of participants to slots as a min-cost flow (OR-Tools).

The model, in the order of the OR-Tools samples:

Data
    ``A`` candidate arcs (participant, slot, score); slots with seats; each slot in at most
    one capacity group (a workplace's supervision cap), or in none (``-1``).
Graph (one ``_add_*`` function per arc family)
    source -> participant (cap 1) -> slot (cap 1 per candidate arc, cost ``-profit``)
    -> group (cap ``seats``) -> sink (cap ``group_cap``); a slot in no group goes straight to
    the sink; a source -> sink bypass arc (cap ``n``) makes "unplaced" always feasible.
    Supply ``n`` at the source, ``-n`` at the sink. Minimum cost = maximum total score.
Solve
    ``SimpleMinCostFlow.solve()``.
Status
    Every OR-Tools status is mapped to :class:`~solver.result.SolveStatus` and returned;
    only an optimal flow carries pairs.

The constraint matrix is totally unimodular (participant rows and the laminar slot/group rows
are two laminar families), so the integral flow is the integer optimum.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from solver.exceptions import SolverError, SolverInputError
from solver.result import AssignmentResult, SolveStatus
from solver.scaling import ScaledScores, check_finite, scale_scores

__all__ = ["solve_assignment"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

_MAX_NODES = 2**31 - 1  # OR-Tools node and arc indices are int32

_Status = min_cost_flow.SimpleMinCostFlow.Status
_STATUS: dict[object, SolveStatus] = {
    _Status.OPTIMAL: SolveStatus.OPTIMAL,
    _Status.FEASIBLE: SolveStatus.FEASIBLE,
    _Status.INFEASIBLE: SolveStatus.INFEASIBLE,
    _Status.UNBALANCED: SolveStatus.UNBALANCED,
    _Status.BAD_RESULT: SolveStatus.BAD_RESULT,
    _Status.BAD_COST_RANGE: SolveStatus.BAD_COST_RANGE,
    _Status.BAD_CAPACITY_RANGE: SolveStatus.BAD_CAPACITY_RANGE,
    _Status.NOT_SOLVED: SolveStatus.NOT_SOLVED,
}


def map_status(status: object) -> SolveStatus:
    """Translate an OR-Tools ``SimpleMinCostFlow.Status`` into a :class:`SolveStatus`.

    Parameters
    ----------
    status : SimpleMinCostFlow.Status
        What ``solve()`` returned.

    Returns
    -------
    SolveStatus
        The matching member.

    Raises
    ------
    SolverError
        For a status this code does not know (a newer OR-Tools).
    """
    try:
        return _STATUS[status]
    except (KeyError, TypeError):
        msg = f"unknown OR-Tools min-cost flow status {status!r}"
        raise SolverError(msg) from None


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Instance:
    """Validated input arrays, with the arcs that can be chosen (score > 0) kept."""

    n_participants: int
    n_slots: int
    n_groups: int
    kept: IntArray  # indices into the input arcs with score > 0
    participant: IntArray  # of the kept arcs
    slot: IntArray  # of the kept arcs
    score: FloatArray  # of the kept arcs
    slot_seats: IntArray
    slot_group: IntArray
    group_cap: IntArray


def _index_array(name: str, values: npt.ArrayLike) -> IntArray:
    arr = np.asarray(values)
    if arr.ndim != 1:
        msg = f"{name} must be one-dimensional, got shape {arr.shape}"
        raise SolverInputError(msg)
    if arr.size and (not np.issubdtype(arr.dtype, np.integer) or arr.dtype == np.bool_):
        msg = f"{name} must hold integers, got dtype {arr.dtype}"
        raise SolverInputError(msg)
    return arr.astype(np.int64, copy=False)


def _check_range(name: str, arr: IntArray, low: int, high: int) -> None:
    """Raise unless every value is in ``[low, high)``."""
    if arr.size == 0:
        return
    lo, hi = int(arr.min()), int(arr.max())
    if lo < low or hi >= high:
        bad = int(np.count_nonzero((arr < low) | (arr >= high)))
        msg = f"{bad} value(s) of {name} outside [{low}, {high - 1}] (min {lo}, max {hi})"
        raise SolverInputError(msg)


def _check_no_duplicates(participant: IntArray, slot: IntArray, n_slots: int) -> None:
    if participant.size < 2:
        return
    keys = participant * max(n_slots, 1) + slot
    if not np.all(keys[1:] > keys[:-1]):  # arcs already sorted by pair need no sort
        keys = np.sort(keys)
    dup = np.flatnonzero(keys[1:] == keys[:-1])
    if dup.size:
        first = int(keys[dup[0]])
        p, s = divmod(first, max(n_slots, 1))
        msg = (
            f"{dup.size} duplicate (participant, slot) arc(s); first: participant {p}, slot {s}. "
            "Each pair may appear once"
        )
        raise SolverInputError(msg)


def _validate(
    arc_participant: npt.ArrayLike,
    arc_slot: npt.ArrayLike,
    arc_score: npt.ArrayLike,
    slot_seats: npt.ArrayLike,
    slot_group: npt.ArrayLike,
    group_cap: npt.ArrayLike,
    n_participants: int,
) -> _Instance:
    participant = _index_array("arc_participant", arc_participant)
    slot = _index_array("arc_slot", arc_slot)
    seats = _index_array("slot_seats", slot_seats)
    group = _index_array("slot_group", slot_group)
    cap = _index_array("group_cap", group_cap)
    score = np.asarray(arc_score, dtype=np.float64)
    if score.ndim != 1:
        msg = f"arc_score must be one-dimensional, got shape {score.shape}"
        raise SolverInputError(msg)
    if not participant.size == slot.size == score.size:
        msg = (
            "arc_participant, arc_slot and arc_score must have the same length, got "
            f"{participant.size}, {slot.size}, {score.size}"
        )
        raise SolverInputError(msg)
    if group.size != seats.size:
        msg = f"slot_group has {group.size} entries but slot_seats has {seats.size}"
        raise SolverInputError(msg)
    n = int(n_participants)
    if n != n_participants or n < 0:
        msg = f"n_participants must be a non-negative integer, got {n_participants!r}"
        raise SolverInputError(msg)
    m, g = seats.size, cap.size
    _check_range("arc_participant", participant, 0, n)
    _check_range("arc_slot", slot, 0, m)
    _check_range("slot_group", group, -1, g)
    if seats.size and seats.min() < 0:
        msg = f"slot_seats must be >= 0, got minimum {int(seats.min())}"
        raise SolverInputError(msg)
    if cap.size and cap.min() < 0:
        msg = f"group_cap must be >= 0, got minimum {int(cap.min())}"
        raise SolverInputError(msg)
    _check_no_duplicates(participant, slot, m)
    # NaN/inf scores are refused before any arc is dropped (NaN > 0 is False).
    check_finite(score)
    kept = np.flatnonzero(score > 0).astype(np.int64)
    return _Instance(
        n_participants=n,
        n_slots=m,
        n_groups=g,
        kept=kept,
        participant=participant[kept],
        slot=slot[kept],
        score=score[kept],
        slot_seats=seats,
        slot_group=group,
        group_cap=cap,
    )


# --------------------------------------------------------------------------------------------
# Graph
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Nodes:
    """Node numbering: source, participants, slots, groups, sink."""

    n_participants: int
    n_slots: int
    n_groups: int

    @property
    def source(self) -> int:
        return 0

    @property
    def first_participant(self) -> int:
        return 1

    @property
    def first_slot(self) -> int:
        return 1 + self.n_participants

    @property
    def first_group(self) -> int:
        return 1 + self.n_participants + self.n_slots

    @property
    def sink(self) -> int:
        return 1 + self.n_participants + self.n_slots + self.n_groups

    @property
    def count(self) -> int:
        return self.sink + 1


def _add_arcs(
    smcf: min_cost_flow.SimpleMinCostFlow,
    tails: npt.ArrayLike,
    heads: npt.ArrayLike,
    capacities: npt.ArrayLike,
    costs: npt.ArrayLike,
) -> int:
    """Add a family of arcs in one vectorised call; return how many were added."""
    t = np.asarray(tails, dtype=np.int32)
    if t.size == 0:
        return 0
    smcf.add_arcs_with_capacity_and_unit_cost(
        t,
        np.asarray(heads, dtype=np.int32),
        np.asarray(capacities, dtype=np.int64),
        np.asarray(costs, dtype=np.int64),
    )
    return int(t.size)


def _add_source_arcs(smcf: min_cost_flow.SimpleMinCostFlow, nodes: _Nodes) -> int:
    """Source -> each participant, capacity 1: a participant is placed at most once."""
    n = nodes.n_participants
    return _add_arcs(
        smcf,
        np.full(n, nodes.source),
        nodes.first_participant + np.arange(n),
        np.ones(n, dtype=np.int64),
        np.zeros(n, dtype=np.int64),
    )


def _add_candidate_arcs(
    smcf: min_cost_flow.SimpleMinCostFlow, nodes: _Nodes, inst: _Instance, scaled: ScaledScores
) -> int:
    """Participant -> slot for each kept candidate, capacity 1, cost -(profit + bonus)."""
    a = inst.participant.size
    return _add_arcs(
        smcf,
        nodes.first_participant + inst.participant,
        nodes.first_slot + inst.slot,
        np.ones(a, dtype=np.int64),
        -(scaled.profit + scaled.bonus),
    )


def _add_seat_arcs(smcf: min_cost_flow.SimpleMinCostFlow, nodes: _Nodes, inst: _Instance) -> int:
    """Slot -> its group (or the sink for group -1), capacity = seats."""
    heads = np.where(inst.slot_group >= 0, nodes.first_group + inst.slot_group, nodes.sink)
    return _add_arcs(
        smcf,
        nodes.first_slot + np.arange(inst.n_slots),
        heads,
        inst.slot_seats,
        np.zeros(inst.n_slots, dtype=np.int64),
    )


def _add_group_cap_arcs(
    smcf: min_cost_flow.SimpleMinCostFlow, nodes: _Nodes, inst: _Instance
) -> int:
    """Group -> sink, capacity = the cap left at that workplace."""
    return _add_arcs(
        smcf,
        nodes.first_group + np.arange(inst.n_groups),
        np.full(inst.n_groups, nodes.sink),
        inst.group_cap,
        np.zeros(inst.n_groups, dtype=np.int64),
    )


def _add_bypass_arc(smcf: min_cost_flow.SimpleMinCostFlow, nodes: _Nodes) -> int:
    """Source -> sink, capacity n, cost 0: leaving anyone unplaced is always feasible."""
    return _add_arcs(smcf, [nodes.source], [nodes.sink], [nodes.n_participants], [0])


def _set_supplies(smcf: min_cost_flow.SimpleMinCostFlow, nodes: _Nodes) -> None:
    """Supply n at the source, demand n at the sink, 0 elsewhere."""
    n = nodes.n_participants
    smcf.set_nodes_supplies(
        np.array([nodes.source, nodes.sink], dtype=np.int32),
        np.array([n, -n], dtype=np.int64),
    )


# --------------------------------------------------------------------------------------------
# Solve
# --------------------------------------------------------------------------------------------


def solve_assignment(
    arc_participant: npt.ArrayLike,
    arc_slot: npt.ArrayLike,
    arc_score: npt.ArrayLike,
    slot_seats: npt.ArrayLike,
    slot_group: npt.ArrayLike,
    group_cap: npt.ArrayLike,
    n_participants: int,
    *,
    maximize_placements: bool = False,
) -> AssignmentResult:
    """Choose candidate arcs maximising the total score under seats and group caps.

    Parameters
    ----------
    arc_participant : array of int, shape (A,)
        Participant of each candidate arc, in ``0..n_participants-1``.
    arc_slot : array of int, shape (A,)
        Slot of each candidate arc, in ``0..m-1`` with ``m = len(slot_seats)``.
    arc_score : array of float, shape (A,)
        Score of each arc. Only arcs with score > 0 can be chosen; the others are dropped.
        Scores must be finite.
    slot_seats : array of int, shape (m,)
        Seats of each slot, >= 0.
    slot_group : array of int, shape (m,)
        Capacity group of each slot (e.g. a workplace's supervision cap), or -1 for none.
    group_cap : array of int, shape (g,)
        Placements still allowed in each group, >= 0.
    n_participants : int
        Number of participants ``n``.
    maximize_placements : bool, default False
        If true, the objective is lexicographic: first the most placements, then the best
        total score among those.

    Returns
    -------
    AssignmentResult
        Chosen pairs, objective, bound, status and timings. A non-optimal status is
        returned with empty pairs; call :meth:`AssignmentResult.raise_for_status` to turn it
        into an exception.

    Raises
    ------
    SolverInputError
        Inconsistent shapes, indices out of range, negative seats or caps, non-integer
        index arrays, or a duplicate (participant, slot) arc.
    ScalingOverflowError
        Non-finite scores, or scores too large to scale to int64 costs for this graph.

    Examples
    --------
    >>> r = solve_assignment([0, 0, 1], [0, 1, 0], [0.9, 0.8, 0.7], [1, 1], [-1, -1], [], 2)
    >>> r.participant.tolist(), r.slot.tolist(), round(r.objective, 6)
    ([0, 1], [1, 0], 1.5)
    """
    t0 = time.perf_counter()
    # Data
    inst = _validate(
        arc_participant, arc_slot, arc_score, slot_seats, slot_group, group_cap, n_participants
    )
    nodes = _Nodes(inst.n_participants, inst.n_slots, inst.n_groups)
    if nodes.count > _MAX_NODES:
        msg = f"graph of {nodes.count} nodes exceeds OR-Tools' int32 node indices"
        raise SolverInputError(msg)
    scaled = scale_scores(
        inst.score,
        nodes.count,
        bonus_participant=inst.participant if maximize_placements else None,
        n_participants=inst.n_participants,
    )

    # Graph: one family of arcs at a time, in a fixed order so arc ids are known.
    smcf = min_cost_flow.SimpleMinCostFlow()
    n_source = _add_source_arcs(smcf, nodes)
    n_candidate = _add_candidate_arcs(smcf, nodes, inst, scaled)
    n_arcs = n_source + n_candidate
    n_arcs += _add_seat_arcs(smcf, nodes, inst)
    n_arcs += _add_group_cap_arcs(smcf, nodes, inst)
    n_arcs += _add_bypass_arc(smcf, nodes)
    _set_supplies(smcf, nodes)
    t1 = time.perf_counter()

    # Solve
    status = map_status(smcf.solve())
    t2 = time.perf_counter()

    # Status: only an optimal flow carries an assignment.
    if not status.is_optimal:
        return AssignmentResult(
            status=status,
            scale=scaled.scale,
            timings={"build_s": t1 - t0, "solve_s": t2 - t1, "extract_s": 0.0},
            n_nodes=nodes.count,
            n_arcs=n_arcs,
        )

    candidate_ids = np.arange(n_source, n_source + n_candidate, dtype=np.int32)
    flows = np.asarray(smcf.flows(candidate_ids)) if n_candidate else np.zeros(0, np.int64)
    chosen = np.flatnonzero(flows > 0)
    n_placed = int(chosen.size)
    objective = float(inst.score[chosen].sum())
    profit_total = int(scaled.profit[chosen].sum())
    if -smcf.optimal_cost() != n_placed * scaled.bonus + profit_total:
        # The flow on the candidate arcs does not explain the optimal cost: never hide it.
        return AssignmentResult(
            status=SolveStatus.BAD_RESULT,
            scale=scaled.scale,
            timings={"build_s": t1 - t0, "solve_s": t2 - t1, "extract_s": 0.0},
            n_nodes=nodes.count,
            n_arcs=n_arcs,
        )
    if maximize_placements:
        # Competing solutions have exactly n_placed placements.
        max_placements = n_placed
    else:
        has_arc = int(np.count_nonzero(np.bincount(inst.participant, minlength=1)))
        max_placements = min(has_arc, int(inst.slot_seats.sum()))
    bound = profit_total / scaled.scale + max_placements * scaled.rounding_error
    bound = max(bound, objective)
    gap = (bound - objective) / max(abs(bound), 1e-12)
    t3 = time.perf_counter()
    return AssignmentResult(
        arc_index=inst.kept[chosen],
        participant=inst.participant[chosen],
        slot=inst.slot[chosen],
        objective=objective,
        bound=bound,
        gap=gap,
        status=status,
        n_placed=n_placed,
        scale=scaled.scale,
        timings={"build_s": t1 - t0, "solve_s": t2 - t1, "extract_s": t3 - t2},
        n_nodes=nodes.count,
        n_arcs=n_arcs,
    )
