"""Property tests: the vectorised rules agree with the independent row-by-row checker.

Random edits of the worked example move every field across its rule boundaries; for each edited
data set, every pair's failing rules must be the same from both implementations.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.checker import RunChecker
from matching.config import load_rules
from matching.instance import build_instance
from matching.io import load_dataset
from matching.rules import codes_of, failing_mask
from tests.paths import EXAMPLE

pytestmark = pytest.mark.skipif(not EXAMPLE.is_dir(), reason="../shared/contract/example missing")
AS_OF = date(2026, 11, 23)
RULES = load_rules()
BASE = load_dataset(EXAMPLE, RULES) if EXAMPLE.is_dir() else None
LEVELS = ["none", "sfi_a", "sfi_b", "sfi_c", "sfi_d", "fluent"]


def _dates(draw, col: pl.Series, spread: int, null_p: float) -> pl.Series:
    out = []
    for _ in range(col.len()):
        if draw(st.floats(0, 1)) < null_p:
            out.append(None)
        else:
            out.append(AS_OF + timedelta(days=draw(st.integers(-spread, spread))))
    return pl.Series(col.name, out, dtype=pl.Date)


@st.composite
def edited(draw):
    d = BASE
    P, S, W, H = d.participants, d.slots, d.workplaces, d.placements
    n, m, w, h = P.height, S.height, W.height, H.height
    ints = lambda lo, hi, k: pl.Series(draw(st.lists(st.integers(lo, hi), min_size=k,  # noqa: E731
                                                     max_size=k)), dtype=pl.Int64)
    bools = lambda k: pl.Series(draw(st.lists(st.booleans(), min_size=k,  # noqa: E731
                                              max_size=k)), dtype=pl.Boolean)
    P = P.with_columns(
        birth_year=ints(1958, 2013, n),
        work_capacity_pct=ints(0, 100, n),
        swedish=pl.Series(draw(st.lists(st.sampled_from(LEVELS), min_size=n, max_size=n))),
        physical_restrictions=bools(n), needs_adapted=bools(n), driving_license=bools(n),
        newly_arrived=bools(n), long_term_unemployed=bools(n), disability=bools(n),
        exited=_dates(draw, P["exited"], 3, 0.7),
        max_commute_km=pl.Series([draw(st.one_of(st.none(), st.floats(0, 8)))
                                  for _ in range(n)], dtype=pl.Float64),
    )
    S = S.with_columns(
        min_swedish=pl.Series(draw(st.lists(st.sampled_from(LEVELS), min_size=m, max_size=m))),
        min_capacity_pct=ints(0, 100, m), weeks=ints(1, 60, m),
        driving_license=bools(m), adapted=bools(m),
        start=pl.Series([AS_OF + timedelta(days=draw(st.integers(-10, 250))) for _ in range(m)],
                        dtype=pl.Date),
        physical_load=pl.Series(draw(st.lists(st.sampled_from(["low", "medium", "high"]),
                                              min_size=m, max_size=m))),
    )
    W = W.with_columns(
        supervisors=ints(0, 3, w), ordinary_staff=ints(0, 20, w),
        staff_problems=pl.Series([draw(st.floats(0, 1)) < 0.2 for _ in range(w)]),
        recruiting=bools(w),
        union_approved_until=_dates(draw, W["union_approved_until"], 400, 0.2),
        last_staff_cut=_dates(draw, W["last_staff_cut"], 500, 0.5),
    )
    starts = [AS_OF + timedelta(days=draw(st.integers(-800, 30))) for _ in range(h)]
    ends = [None if draw(st.booleans()) else s + timedelta(days=draw(st.integers(0, 400)))
            for s in starts]
    H = H.with_columns(start=pl.Series(starts, dtype=pl.Date), end=pl.Series(ends, dtype=pl.Date),
                       kind=pl.Series(draw(st.lists(st.sampled_from(RULES.kind_names),
                                                    min_size=h, max_size=h))))
    return replace(d, participants=P, slots=S, workplaces=W, placements=H)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(edited())
def test_vectorised_rules_equal_the_checker(data):
    inst = build_instance(data, RULES, AS_OF)
    checker = RunChecker(data, RULES, AS_OF)
    n, m = inst.n_participants, inst.n_slots
    block = failing_mask(inst, np.arange(n)[:, None], np.arange(m)[None, :])
    pp, ss = np.meshgrid(np.arange(n), np.arange(m), indexing="ij")
    assert (failing_mask(inst, pp.ravel(), ss.ravel()).reshape(n, m) == block).all()
    for i, pid in enumerate(inst.p_id.tolist()):
        assert checker.is_active(pid) == bool(inst.active[i])
        for j, sid in enumerate(inst.s_id.tolist()):
            assert codes_of(int(block[i, j])) == checker.pair_failures(pid, sid), (pid, sid)
    for k, wid in enumerate(inst.w_id.tolist()):
        assert checker.cap_left(wid) == int(inst.w_cap_left[k])
