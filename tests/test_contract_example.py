"""Golden test: the contract's worked example, every pair's verdict and the optimum."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from matching.checker import RunChecker
from matching.config import load_rules
from matching.instance import build_instance
from matching.io import load_dataset
from matching.rules import RULE_CODES, codes_of, failing_mask, first_failing
from tests.paths import EXAMPLE, REPO

pytestmark = pytest.mark.skipif(not EXAMPLE.is_dir(), reason="../shared/contract/example missing")
AS_OF = date(2026, 11, 23)


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads((EXAMPLE / "expected.json").read_text())


@pytest.fixture(scope="module")
def pairs() -> pl.DataFrame:
    return pl.read_csv(EXAMPLE / "expected_pairs.csv", infer_schema=False).with_columns(
        pl.col("failing_rules").fill_null("")
    )


@pytest.fixture(scope="module")
def inst():
    rules = load_rules()
    return build_instance(load_dataset(EXAMPLE, rules), rules, AS_OF)


def test_every_pair_verdict_matches(inst, pairs):
    mask = failing_mask(inst, np.arange(inst.n_participants)[:, None],
                        np.arange(inst.n_slots)[None, :])
    p_row = {p: i for i, p in enumerate(inst.p_id.tolist())}
    s_row = {s: i for i, s in enumerate(inst.s_id.tolist())}
    for rec in pairs.iter_rows(named=True):
        got = codes_of(int(mask[p_row[rec["participant_id"]], s_row[rec["slot_id"]]]))
        assert ";".join(got) == rec["failing_rules"], rec
        assert (not got) == (rec["allowed"] == "true")
    assert pairs.height == inst.n_participants * inst.n_slots


def test_checker_agrees_independently(pairs):
    rules = load_rules()
    checker = RunChecker(load_dataset(EXAMPLE, rules), rules, AS_OF)
    for rec in pairs.iter_rows(named=True):
        got = checker.pair_failures(rec["participant_id"], rec["slot_id"])
        assert ";".join(got) == rec["failing_rules"], rec


def test_counts_caps_and_active(inst, expected):
    mask = failing_mask(inst, np.arange(inst.n_participants)[:, None],
                        np.arange(inst.n_slots)[None, :])
    assert int((mask == 0).sum()) == expected["allowed_pairs"]
    assert mask.size == expected["pairs"]
    ff = first_failing(mask)
    counts = {RULE_CODES[i]: int((ff == i).sum()) for i in range(len(RULE_CODES))}
    assert counts == expected["first_failing_rule_counts"]
    caps = dict(zip(inst.w_id.tolist(), inst.w_cap_left.tolist(), strict=True))
    assert caps == expected["workplace_caps_left"]
    assert sorted(inst.p_id[inst.active].tolist()) == expected["active_participants"]


def _run_cli(data: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "matching.cli", "propose", "--data", str(data), "--out", str(out),
         "--as-of", "2026-11-23", *extra],
        capture_output=True, text=True, cwd=REPO, check=False,
    )


def test_given_scores_reach_the_optimum(tmp_path, expected):
    res = _run_cli(EXAMPLE, tmp_path / "out", "--scores", str(EXAMPLE / "scores.csv"))
    assert res.returncode == 0, res.stderr
    props = pl.read_csv(tmp_path / "out" / "proposals.csv")
    assert props["score"].sum() == pytest.approx(expected["given_scores_optimum"], rel=1e-9)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["solver"]["optimal"] is True
    assert summary["total_score"] == pytest.approx(expected["given_scores_optimum"], rel=1e-9)
    unassigned = pl.read_csv(tmp_path / "out" / "unassigned.csv")
    listed = set(props["participant_id"]) | set(unassigned["participant_id"])
    assert listed == set(expected["active_participants"])
    # Nobody on W09 (cap left 0) and nobody twice.
    assert "W09" not in set(props["workplace_id"])
    assert props["participant_id"].n_unique() == props.height


def test_parquet_copy_gives_the_same_run(tmp_path, expected):
    rules = load_rules()
    data = load_dataset(EXAMPLE, rules)
    folder = tmp_path / "pq"
    folder.mkdir()
    for name in ("workplaces", "slots", "participants", "placements"):
        getattr(data, name).write_parquet(folder / f"{name}.parquet")
    res = _run_cli(folder, tmp_path / "out", "--scores", str(EXAMPLE / "scores.csv"))
    assert res.returncode == 0, res.stderr
    props = pl.read_csv(tmp_path / "out" / "proposals.csv")
    assert props["score"].sum() == pytest.approx(expected["given_scores_optimum"], rel=1e-9)
