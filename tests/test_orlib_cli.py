"""OR-Library assignment instances end to end: ``matching propose --scores`` on contract data.

Each instance becomes ``n`` participants and ``n`` single-seat ``job`` slots that break no rule,
with the score ``K - c`` for every listed pair (``K > n · max c``), as
``../shared/benchmarks/orlib/README.md`` describes. The run must reach every published optimum
exactly: ``n · K - total == optimum``.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import numpy as np
import polars as pl
import pytest

from tests.paths import ORLIB, REPO
from tests.test_orlib import orlib

pytestmark = pytest.mark.skipif(not (ORLIB / "assignopt.txt").is_file(),
                                reason="../shared/benchmarks/orlib missing")
AS_OF = date(2026, 11, 23)
INSTANCES = ["assign100", "assign200", "assign300", "assign400", "assign500", "assign600",
             "assign700", "assign800", "assignp800", "assignp1500", "assignp3000",
             "assignp5000"]


def _write_instance(folder, inst) -> int:
    n = inst.n
    folder.mkdir()
    pids = [f"P{i + 1}" for i in range(n)]
    sids = [f"S{j + 1}" for j in range(n)]
    pl.DataFrame({
        "workplace_id": ["W1"], "name": ["OR-Library"], "employer": ["Beasley"],
        "sector": ["private"], "area": ["Centrum"], "ordinary_staff": [n],
        "supervisors": [n], "staff_problems": [False], "recruiting": [True],
        "languages": [["sv"]],
    }).write_parquet(folder / "workplaces.parquet")
    pl.DataFrame({
        "slot_id": sids, "workplace_id": ["W1"] * n, "kind": ["job"] * n,
        "title": ["Jobb"] * n, "required_skills": [[]] * n, "desired_skills": [[]] * n,
        "min_swedish": ["none"] * n, "seats": [1] * n, "start": [AS_OF] * n, "weeks": [4] * n,
        "min_capacity_pct": [0] * n, "physical_load": ["low"] * n,
        "driving_license": [False] * n, "adapted": [False] * n,
    }, schema_overrides={"required_skills": pl.List(pl.String),
                         "desired_skills": pl.List(pl.String)}).write_parquet(
        folder / "slots.parquet")
    pl.DataFrame({
        "participant_id": pids, "birth_year": [1990] * n, "referrer": ["egen"] * n,
        "enrolled": [date(2026, 1, 1)] * n, "readiness": ["green"] * n,
        "work_capacity_pct": [100] * n, "swedish": ["fluent"] * n, "languages": [["sv"]] * n,
        "education": ["upper_secondary"] * n, "skills": [[]] * n, "interests": [[]] * n,
        "area": ["Centrum"] * n, "driving_license": [True] * n,
        "physical_restrictions": [False] * n, "needs_adapted": [False] * n,
        "social_assistance_months": [0] * n, "newly_arrived": [False] * n,
        "long_term_unemployed": [False] * n, "disability": [False] * n,
    }, schema_overrides={"skills": pl.List(pl.String), "interests": pl.List(pl.String)}
    ).write_parquet(folder / "participants.parquet")
    k = n * int(inst.cost.max()) + 1
    pl.DataFrame({
        "participant_id": np.array(pids)[inst.row], "slot_id": np.array(sids)[inst.col],
        "score": (k - inst.cost).astype(np.float64),
    }).write_parquet(folder / "scores.parquet")
    return k


@pytest.mark.parametrize("name", INSTANCES)
def test_published_optimum_through_the_cli(tmp_path, name):
    inst = orlib.read_instance(name, ORLIB)
    optimum = orlib.read_optima(ORLIB)[name]
    k = _write_instance(tmp_path / "data", inst)
    res = subprocess.run(
        [sys.executable, "-m", "matching.cli", "propose", "--data", str(tmp_path / "data"),
         "--out", str(tmp_path / "out"), "--as-of", AS_OF.isoformat(),
         "--scores", str(tmp_path / "data" / "scores.parquet")],
        capture_output=True, text=True, cwd=REPO, check=False,
    )
    assert res.returncode == 0, res.stderr
    props = pl.read_csv(tmp_path / "out" / "proposals.csv")
    assert props.height == inst.n  # a perfect assignment
    total = round(props["score"].sum())
    assert inst.n * k - total == int(optimum)
