"""Engine-mode proposal runs and shortlists on generated data sets."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import polars as pl
import pytest

from matching.candidates import build_candidates
from matching.checker import RunChecker
from matching.config import load_rules
from matching.exceptions import MatchingError
from matching.generate import generate, write_dataset
from matching.instance import build_instance
from matching.io import Dataset, load_dataset
from matching.pipeline import propose, shortlist
from matching.rules import failing_mask
from solver import solve_assignment

AS_OF = date(2026, 11, 23)
RULES = load_rules()


def _dataset(tmp_path, n: int, m: int, seed: int) -> Dataset:
    folder = tmp_path / f"d{seed}"
    write_dataset(generate(n, m, seed, AS_OF), folder)
    return load_dataset(folder, RULES)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Dataset:
    return _dataset(tmp_path_factory.mktemp("small"), 400, 220, 7)


def _max_placements(data: Dataset) -> int:
    """The most placements the rules allow: every allowed pair, unit scores, no pruning."""
    inst = build_instance(data, RULES, AS_OF)
    act, op = np.flatnonzero(inst.active), np.flatnonzero(inst.s_open)
    pi, si = np.nonzero(failing_mask(inst, act[:, None], op[None, :]) == 0)
    group = np.where(inst.s_supervised, inst.s_workplace, -1)
    res = solve_assignment(act[pi], op[si], np.ones(pi.size), inst.s_seats * inst.s_open,
                           group, inst.w_cap_left, inst.n_participants)
    return res.n_placed


@pytest.mark.parametrize("seed", [3, 11])
def test_engine_run_places_the_most_the_rules_allow(tmp_path, seed):
    data = _dataset(tmp_path, 300, 150, seed)
    res = propose(data, RULES, AS_OF)
    assert res.summary["solver"]["optimal"]
    # Pruning to the best candidates may cost placements in theory; it must stay >= 90 %.
    best = _max_placements(data)
    assert res.proposals.height >= 0.9 * best
    assert res.proposals.height <= best


def test_engine_run_passes_the_independent_check(small):
    res = propose(small, RULES, AS_OF)
    checker = RunChecker(small, RULES, AS_OF)
    rep = checker.check(
        list(zip(res.proposals["participant_id"], res.proposals["slot_id"],
                 res.proposals["score"], strict=True)),
        res.unassigned["participant_id"].to_list(),
        reported_total=res.summary["total_score"], require_positive=False,
    )
    assert rep.ok, rep.violations
    active = {p for p in small.participants["participant_id"] if checker.is_active(p)}
    assert set(res.proposals["participant_id"]) | set(res.unassigned["participant_id"]) == active
    assert res.summary["counts"]["active"] == len(active)


def test_scores_and_reasons_add_up(small):
    res = propose(small, RULES, AS_OF)
    import json

    for score, reasons in zip(res.proposals["score"], res.proposals["reasons"], strict=True):
        parts = json.loads(reasons)
        assert set(parts) >= {"skills", "occupation", "commute"}
        assert sum(parts.values()) == pytest.approx(score, abs=1e-3)
        assert 0.0 <= score <= 1.0


def test_unassigned_reasons_name_rules(small):
    res = propose(small, RULES, AS_OF)
    for reason in res.unassigned["reason"]:
        assert reason.startswith(("shut out of every open slot by the rules:", "fits "))


def test_run_is_the_same_on_one_or_several_threads(small, monkeypatch):
    monkeypatch.setenv("PLACERA_THREADS", "1")
    one = propose(small, RULES, AS_OF)
    monkeypatch.setenv("PLACERA_THREADS", "3")
    three = propose(small, RULES, AS_OF)
    assert one.proposals.equals(three.proposals)
    assert one.unassigned.equals(three.unassigned)


def test_gender_and_born_abroad_never_change_the_run(small):
    base = propose(small, RULES, AS_OF)
    rng = np.random.default_rng(0)
    P = small.participants
    flipped = P.with_columns(
        gender=pl.Series(rng.choice(["F", "M", "X"], P.height)),
        born_abroad=pl.Series(rng.random(P.height) < 0.5),
    )
    other = propose(replace(small, participants=flipped), RULES, AS_OF)
    assert base.proposals.equals(other.proposals)


def test_candidates_are_allowed_pairs_only(small):
    inst = build_instance(small, RULES, AS_OF)
    act, op = np.flatnonzero(inst.active), np.flatnonzero(inst.s_open)
    rng = np.random.default_rng(1)
    score = lambda p, s: rng.random((p.size, s.size)).astype(np.float32)  # noqa: E731
    c = build_candidates(inst, act, op, score, top_k=5, slot_extra=2, chunk_pairs=5_000)
    assert (failing_mask(inst, c.p, c.s) == 0).all()
    assert np.unique(c.p * inst.n_slots + c.s).size == c.p.size
    # Every participant keeps up to top_k of their allowed slots.
    per = np.bincount(c.p, minlength=inst.n_participants)
    assert (per[act] >= np.minimum(c.n_allowed[act], 5)).all()


def test_shortlist_ranks_only_eligible_and_explains_the_rest(small):
    inst = build_instance(small, RULES, AS_OF)
    sid = str(inst.s_id[np.flatnonzero(inst.s_open)[0]])
    sl = shortlist(small, RULES, AS_OF, slot=sid, top=5)
    assert sl.ranked.height <= 5
    assert sl.ranked["score"].to_list() == sorted(sl.ranked["score"].to_list(), reverse=True)
    n_active = int(inst.active.sum())
    assert sl.ineligible.height + (sl.ranked.height if sl.ranked.height < 5 else 0) <= n_active
    checker = RunChecker(small, RULES, AS_OF)
    for pid in sl.ranked["participant_id"]:
        assert checker.pair_failures(pid, sid) == []
    for pid, rules_ in sl.ineligible.head(30).iter_rows():
        assert ";".join(checker.pair_failures(pid, sid)) == rules_
    pid = str(inst.p_id[np.flatnonzero(inst.active)[0]])
    sp = shortlist(small, RULES, AS_OF, participant=pid, top=3)
    assert {"slot_id", "score", "skills"} <= set(sp.ranked.columns)
    with pytest.raises(MatchingError):
        shortlist(small, RULES, AS_OF, slot="nope")
