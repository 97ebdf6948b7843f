"""Tests of solver.solve_assignment: hand-solved cases, properties, and HiGHS as a referee."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.graph.python import min_cost_flow
from scipy import sparse
from scipy.optimize import LinearConstraint, milp

from solver import (
    AssignmentResult,
    ScalingOverflowError,
    SolverError,
    SolverInputError,
    SolveStatus,
    scale_scores,
    solve_assignment,
)
from solver.flow import map_status

PROPERTY_SETTINGS = settings(
    derandomize=True,
    deadline=None,
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow],
)


# --------------------------------------------------------------------------------------------
# Instances and independent reference implementations
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Instance:
    participant: npt.NDArray[np.int64]
    slot: npt.NDArray[np.int64]
    score: npt.NDArray[np.float64]
    seats: npt.NDArray[np.int64]
    group: npt.NDArray[np.int64]
    cap: npt.NDArray[np.int64]
    n: int

    def solve(self, *, maximize_placements: bool = False) -> AssignmentResult:
        return solve_assignment(
            self.participant,
            self.slot,
            self.score,
            self.seats,
            self.group,
            self.cap,
            self.n,
            maximize_placements=maximize_placements,
        )


def random_instance(rng: np.random.Generator, n: int, m: int, g: int, density: float) -> Instance:
    """Random instance; scores include zero and negative values, some on a coarse grid."""
    pairs = np.argwhere(rng.random((n, m)) < density)
    order = rng.permutation(len(pairs))  # arcs in no particular order
    pairs = pairs[order]
    a = len(pairs)
    score = rng.uniform(-0.2, 1.0, a)
    coarse = rng.random(a) < 0.3
    score[coarse] = np.round(score[coarse], 1)  # ties and exact zeros
    return Instance(
        participant=pairs[:, 0].astype(np.int64),
        slot=pairs[:, 1].astype(np.int64),
        score=score,
        seats=rng.integers(0, 4, m).astype(np.int64),
        group=rng.integers(-1, g, m).astype(np.int64) if g else np.full(m, -1, np.int64),
        cap=rng.integers(0, 4, g).astype(np.int64),
        n=n,
    )


@st.composite
def instances(draw: st.DrawFn) -> Instance:
    n = draw(st.integers(0, 9))
    m = draw(st.integers(0, 7))
    g = draw(st.integers(0, 3))
    density = draw(st.sampled_from([0.2, 0.5, 0.9]))
    seed = draw(st.integers(0, 2**32 - 1))
    return random_instance(np.random.default_rng(seed), n, m, g, density)


def assert_feasible(inst: Instance, res: AssignmentResult) -> None:
    assert res.status is SolveStatus.OPTIMAL
    assert res.n_placed == res.arc_index.size == res.participant.size == res.slot.size
    # the pairs are the chosen arcs
    np.testing.assert_array_equal(inst.participant[res.arc_index], res.participant)
    np.testing.assert_array_equal(inst.slot[res.arc_index], res.slot)
    assert np.all(inst.score[res.arc_index] > 0)
    # nobody twice
    assert np.unique(res.participant).size == res.n_placed
    # seats
    used = np.bincount(res.slot, minlength=inst.seats.size)
    assert np.all(used <= inst.seats)
    # caps
    grp = inst.group[res.slot]
    grp = grp[grp >= 0]
    assert np.all(np.bincount(grp, minlength=inst.cap.size) <= inst.cap)
    # objective is the sum of the original scores; bound is an upper bound
    assert res.objective == pytest.approx(float(inst.score[res.arc_index].sum()), abs=1e-12)
    assert res.objective <= res.bound
    # rounding to integers costs at most half a unit of 1/scale per placement, both ways
    assert res.bound - res.objective <= (inst.n + 1) / res.scale


def greedy(inst: Instance) -> float:
    """Best score first, skipping arcs that break a rule."""
    seats = inst.seats.copy()
    cap = inst.cap.copy()
    placed = np.zeros(inst.n, dtype=bool)
    total = 0.0
    for a in np.argsort(-inst.score, kind="stable"):
        p, s, sc = inst.participant[a], inst.slot[a], inst.score[a]
        if sc <= 0 or placed[p] or seats[s] == 0:
            continue
        grp = inst.group[s]
        if grp >= 0 and cap[grp] == 0:
            continue
        placed[p] = True
        seats[s] -= 1
        if grp >= 0:
            cap[grp] -= 1
        total += sc
    return total


def highs_reference(inst: Instance, *, maximize_placements: bool = False) -> tuple[float, int]:
    """(best total score, its number of placements) by HiGHS MILP on the same model.

    With ``maximize_placements``, first the most placements, then the best score among them
    (two solves).
    """
    keep = np.flatnonzero(inst.score > 0)
    a = keep.size
    if a == 0:
        return 0.0, 0
    cols = np.arange(a)
    p, s, sc = inst.participant[keep], inst.slot[keep], inst.score[keep]
    rows = [sparse.csr_matrix((np.ones(a), (p, cols)), shape=(inst.n, a))]
    ub = [np.ones(inst.n)]
    rows.append(sparse.csr_matrix((np.ones(a), (s, cols)), shape=(inst.seats.size, a)))
    ub.append(inst.seats.astype(float))
    grp = inst.group[s]
    in_grp = grp >= 0
    rows.append(
        sparse.csr_matrix(
            (np.ones(int(in_grp.sum())), (grp[in_grp], cols[in_grp])), shape=(inst.cap.size, a)
        )
    )
    ub.append(inst.cap.astype(float))
    constraints = [LinearConstraint(sparse.vstack(rows), -np.inf, np.concatenate(ub))]
    kw = {"integrality": np.ones(a), "bounds": (0, 1)}
    if maximize_placements:
        first = milp(-np.ones(a), constraints=constraints, **kw)
        assert first.success
        count = round(-first.fun)
        constraints.append(LinearConstraint(np.ones((1, a)), count, count))
    res = milp(-sc, constraints=constraints, **kw)
    assert res.success
    x = np.round(res.x)
    return float(sc @ x), int(x.sum())


# --------------------------------------------------------------------------------------------
# Hand-solved cases
# --------------------------------------------------------------------------------------------


def test_greedy_is_wrong_two_by_two() -> None:
    # p0 likes s0 (0.9) and s1 (0.8); p1 can only take s0 (0.7).
    # Greedy takes p0-s0 = 0.9; the optimum is p0-s1 + p1-s0 = 1.5.
    res = solve_assignment([0, 0, 1], [0, 1, 0], [0.9, 0.8, 0.7], [1, 1], [-1, -1], [], 2)
    assert res.status is SolveStatus.OPTIMAL
    assert res.objective == pytest.approx(1.5)
    assert sorted(zip(res.participant.tolist(), res.slot.tolist(), strict=True)) == [
        (0, 1),
        (1, 0),
    ]
    np.testing.assert_array_equal(res.arc_index, [1, 2])
    assert res.n_placed == 2
    assert res.gap == pytest.approx(0.0, abs=1e-12)
    assert set(res.timings) == {"build_s", "solve_s", "extract_s"}
    assert res.n_nodes == 1 + 2 + 2 + 0 + 1
    assert res.n_arcs == 2 + 3 + 2 + 0 + 1


def test_seats_take_the_best_two() -> None:
    res = solve_assignment([0, 1, 2], [0, 0, 0], [0.5, 0.6, 0.7], [2], [-1], [], 3)
    assert sorted(res.participant.tolist()) == [1, 2]
    assert res.objective == pytest.approx(1.3)


def test_group_cap_binds_across_two_slots() -> None:
    # Slots 0 and 1 (one seat each) share group 0 with cap 1; slot 2 is under no cap.
    res = solve_assignment([0, 1, 1], [0, 1, 2], [0.9, 0.8, 0.3], [1, 1, 1], [0, 0, -1], [1], 2)
    assert sorted(zip(res.participant.tolist(), res.slot.tolist(), strict=True)) == [
        (0, 0),
        (1, 2),
    ]
    assert res.objective == pytest.approx(1.2)


def test_zero_cap_group_blocks_all_its_slots() -> None:
    res = solve_assignment([0, 1], [0, 1], [0.9, 0.8], [1, 1], [0, 0], [0], 2)
    assert res.n_placed == 0
    assert res.objective == 0.0


def test_slot_without_group_ignores_caps() -> None:
    res = solve_assignment([0, 1, 2], [0, 0, 0], [0.5, 0.5, 0.5], [3], [-1], [0], 3)
    assert res.n_placed == 3
    assert res.objective == pytest.approx(1.5)


def test_zero_arcs() -> None:
    empty = np.zeros(0, dtype=np.int64)
    res = solve_assignment(empty, empty, np.zeros(0), [1, 2], [-1, 0], [1], 3)
    assert res.status is SolveStatus.OPTIMAL
    assert res.n_placed == 0
    assert res.objective == 0.0
    assert res.arc_index.dtype == np.int64


def test_empty_everything() -> None:
    res = solve_assignment([], [], [], [], [], [], 0)
    assert res.status is SolveStatus.OPTIMAL
    assert res.n_placed == 0


@pytest.mark.parametrize("maximize_placements", [False, True])
def test_scores_at_or_below_zero_never_chosen(maximize_placements: bool) -> None:
    res = solve_assignment(
        [0, 1, 2, 2],
        [0, 0, 1, 0],
        [0.0, -1.0, -0.0, 0.4],
        [2, 1],
        [-1, -1],
        [],
        3,
        maximize_placements=maximize_placements,
    )
    np.testing.assert_array_equal(res.arc_index, [3])  # index into the input, dropped arcs kept
    assert res.participant.tolist() == [2]
    assert res.objective == pytest.approx(0.4)


def test_maximize_placements_prefers_two_low_over_one_high() -> None:
    # p0-s0 0.9 alone, or p0-s1 0.1 + p1-s0 0.1.
    args: tuple[Any, ...] = ([0, 0, 1], [0, 1, 0], [0.9, 0.1, 0.1], [1, 1], [-1, -1], [], 2)
    plain = solve_assignment(*args)
    assert plain.n_placed == 1
    assert plain.objective == pytest.approx(0.9)
    most = solve_assignment(*args, maximize_placements=True)
    assert most.n_placed == 2
    assert most.objective == pytest.approx(0.2)
    assert most.bound == pytest.approx(0.2)


def test_decimal_scores_are_exact() -> None:
    scaled = scale_scores(np.array([1.03, 0.1, 2.675]), n_nodes=10)
    assert scaled.scale == 10**9
    assert scaled.profit.tolist() == [1_030_000_000, 100_000_000, 2_675_000_000]
    assert scaled.bonus == 0


def test_scale_shrinks_for_large_scores() -> None:
    # OR-Library given-scores form: scores up to ~5e5 on ~10,000 nodes.
    scaled = scale_scores(np.array([5e5, 1.0]), n_nodes=10_002)
    assert scaled.scale == 10**8
    assert scaled.max_abs_cost * (10_002 + 1) < 2**62
    assert 5e5 * 10**9 * 10_003 >= 2**62  # and one more digit would not fit


def test_placement_bonus_is_larger_than_any_total_and_guarded() -> None:
    scores = np.array([0.5, 0.7, 0.2, 0.9])
    participant = np.array([0, 0, 1, 2])
    scaled = scale_scores(scores, n_nodes=100, bonus_participant=participant, n_participants=3)
    # best per participant: 0.7 + 0.2 + 0.9
    assert scaled.bonus > scaled.profit[[1, 2, 3]].sum()
    assert scaled.max_abs_cost == scaled.bonus + scaled.profit.max()
    plain = scale_scores(np.array([1e6] * 1000), n_nodes=2_000)
    bonus = scale_scores(
        np.array([1e6] * 1000),
        n_nodes=2_000,
        bonus_participant=np.arange(1000, dtype=np.int64),
        n_participants=1000,
    )
    assert bonus.scale < plain.scale


@PROPERTY_SETTINGS
@given(
    st.lists(st.floats(0.0, 1e12, allow_nan=False), min_size=1, max_size=20),
    st.integers(2, 10**7),
    st.booleans(),
)
def test_property_scale_is_largest_safe_power_of_ten(
    values: list[float], n_nodes: int, with_bonus: bool
) -> None:
    scores = np.array(values)
    participant = np.arange(scores.size, dtype=np.int64) // 2
    n_part = int(participant.max()) + 1
    best = np.zeros(n_part)
    np.maximum.at(best, participant, scores)

    def guarded_cost(scale: int) -> int:
        """max |cost| at this scale, in exact Python integers (independent of the module)."""
        top = round(max(values) * scale)
        bonus = sum(round(b * scale) for b in best.tolist()) + 1 if with_bonus else 0
        return (top + bonus) * (n_nodes + 1)

    kw: dict[str, Any] = (
        {"bonus_participant": participant, "n_participants": n_part} if with_bonus else {}
    )
    try:
        scaled = scale_scores(scores, n_nodes, **kw)
    except ScalingOverflowError:
        assert guarded_cost(1) >= 2**62  # fails only when even scale 1 overflows
        return
    assert scaled.max_abs_cost * (n_nodes + 1) < 2**62
    assert guarded_cost(scaled.scale) == scaled.max_abs_cost * (n_nodes + 1)
    if scaled.scale < 10**9:  # one more decimal would break the guard
        assert guarded_cost(scaled.scale * 10) >= 2**62
    assert np.all(np.abs(scores - scaled.profit / scaled.scale) <= scaled.rounding_error)


def test_overflow_guard_raises() -> None:
    with pytest.raises(ScalingOverflowError, match="overflow"):
        solve_assignment([0], [0], [1e18], [1], [-1], [], 1)


def test_overflow_guard_raises_with_placement_bonus_only() -> None:
    n = 2_000
    p = np.arange(n, dtype=np.int64)
    args = (p, p, np.full(n, 1e12), np.ones(n, np.int64), np.full(n, -1), np.zeros(0, np.int64))
    assert solve_assignment(*args, n).status is SolveStatus.OPTIMAL
    with pytest.raises(ScalingOverflowError):
        solve_assignment(*args, n, maximize_placements=True)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_scores_raise(bad: float) -> None:
    with pytest.raises(ScalingOverflowError, match="finite"):
        solve_assignment([0, 1], [0, 0], [0.5, bad], [1], [-1], [], 2)


def test_duplicate_arc_raises() -> None:
    with pytest.raises(SolverInputError, match="duplicate"):
        solve_assignment([0, 1, 0], [0, 0, 0], [0.5, 0.6, -0.7], [1], [-1], [], 2)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"arc_participant": [0, 2]}, "arc_participant"),
        ({"arc_participant": [0, -1]}, "arc_participant"),
        ({"arc_slot": [0, 2]}, "arc_slot"),
        ({"slot_group": [-2, 0]}, "slot_group"),
        ({"slot_group": [0, 1]}, "slot_group"),
        ({"slot_seats": [1, -1]}, "slot_seats"),
        ({"group_cap": [-1]}, "group_cap"),
        ({"arc_score": [0.5]}, "same length"),
        ({"slot_group": [0]}, "slot_group"),
        ({"arc_slot": [0.0, 1.0]}, "integers"),
        ({"arc_slot": [[0, 1]]}, "one-dimensional"),
        ({"n_participants": -1}, "n_participants"),
    ],
)
def test_bad_input_raises(kwargs: dict[str, object], match: str) -> None:
    args: dict[str, object] = {
        "arc_participant": [0, 1],
        "arc_slot": [0, 1],
        "arc_score": [0.5, 0.6],
        "slot_seats": [1, 1],
        "slot_group": [0, -1],
        "group_cap": [1],
        "n_participants": 2,
    }
    args.update(kwargs)
    with pytest.raises(SolverInputError, match=match):
        solve_assignment(**args)  # type: ignore[arg-type]


def test_solver_never_prints(capsys: pytest.CaptureFixture[str]) -> None:
    random_instance(np.random.default_rng(3), 20, 8, 2, 0.5).solve(maximize_placements=True)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ""


def test_every_ortools_status_is_mapped() -> None:
    for name, member in min_cost_flow.SimpleMinCostFlow.Status.__members__.items():
        assert map_status(member) is SolveStatus[name]
    with pytest.raises(SolverError):
        map_status("no such status")


def test_non_optimal_result_raises_for_status() -> None:
    res = AssignmentResult(status=SolveStatus.BAD_COST_RANGE)
    assert res.n_placed == 0
    assert res.participant.size == 0
    with pytest.raises(SolverError, match="BAD_COST_RANGE"):
        res.raise_for_status()
    ok = solve_assignment([0], [0], [0.5], [1], [-1], [], 1)
    assert ok.raise_for_status() is ok


def test_inputs_not_mutated_and_same_result_twice() -> None:
    inst = random_instance(np.random.default_rng(7), 30, 12, 3, 0.4)
    copies = [arr.copy() for arr in (inst.participant, inst.slot, inst.score, inst.seats)]
    first, second = inst.solve(), inst.solve()
    for before, after in zip(
        copies, (inst.participant, inst.slot, inst.score, inst.seats), strict=True
    ):
        np.testing.assert_array_equal(before, after)
    np.testing.assert_array_equal(first.arc_index, second.arc_index)


# --------------------------------------------------------------------------------------------
# Properties on random instances
# --------------------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(instances())
def test_property_feasible_and_not_worse_than_greedy(inst: Instance) -> None:
    res = inst.solve()
    assert_feasible(inst, res)
    assert res.objective >= greedy(inst) - 1e-9


@PROPERTY_SETTINGS
@given(instances())
def test_property_maximize_placements(inst: Instance) -> None:
    plain = inst.solve()
    most = inst.solve(maximize_placements=True)
    assert_feasible(inst, most)
    assert most.n_placed >= plain.n_placed
    assert most.objective <= plain.objective + 1e-9


# --------------------------------------------------------------------------------------------
# HiGHS (scipy) as an independent referee
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(30))
def test_matches_highs(seed: int) -> None:
    rng = np.random.default_rng(1000 + seed)
    n = int(rng.integers(5, 60))
    m = int(rng.integers(2, 25))
    g = int(rng.integers(1, 6))
    inst = random_instance(rng, n, m, g, float(rng.choice([0.1, 0.3, 0.6])))
    res = inst.solve()
    assert_feasible(inst, res)
    best, _ = highs_reference(inst)
    assert res.objective == pytest.approx(best, rel=1e-6, abs=1e-9)

    most = inst.solve(maximize_placements=True)
    assert_feasible(inst, most)
    best_most, count = highs_reference(inst, maximize_placements=True)
    assert most.n_placed == count
    assert most.objective == pytest.approx(best_most, rel=1e-6, abs=1e-9)
