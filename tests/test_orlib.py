"""solve_assignment reproduces every published OR-Library assignment optimum exactly.

A minimum-cost perfect assignment becomes a maximisation with score ``K - c`` and
``K > n * max(c)``: any perfect assignment then beats any imperfect one, and
``n * K - objective`` is the cost of the assignment found.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from solver import SolveStatus, solve_assignment

REPO_ROOT = Path(__file__).resolve().parent.parent


def _load_orlib() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "placera_bench_orlib", REPO_ROOT / "benchmarks" / "orlib.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up
    spec.loader.exec_module(module)
    return module


orlib = _load_orlib()
ORLIB_DIR: Path = orlib.orlib_dir(REPO_ROOT)

pytestmark = pytest.mark.skipif(
    not (ORLIB_DIR / "assignopt.txt").is_file(),
    reason=f"OR-Library instances not found in {ORLIB_DIR} (shared/ sits next to the repo)",
)


def test_published_optima_match_assignopt() -> None:
    published = orlib.read_optima(ORLIB_DIR)
    for name, value in orlib.OPTIMA.items():
        assert published[name] == value


def test_sparse_reader_is_one_based() -> None:
    inst = orlib.read_instance("assignp800", ORLIB_DIR)
    assert inst.n == 800
    assert inst.row.min() == 0
    assert inst.row.max() == inst.n - 1
    assert inst.col.min() == 0
    assert inst.col.max() == inst.n - 1
    assert (inst.row[0], inst.col[0], inst.cost[0]) == (0, 0, 75)


@pytest.mark.parametrize("name", list(orlib.OPTIMA))
def test_orlib_optimum(name: str) -> None:
    inst = orlib.read_instance(name, ORLIB_DIR)
    n = inst.n
    if name in orlib.DENSE:
        assert inst.row.size == n * n
    big_k = n * int(inst.cost.max()) + 1
    score = (big_k - inst.cost).astype(np.float64)
    res = solve_assignment(
        inst.row,
        inst.col,
        score,
        np.ones(n, dtype=np.int64),
        np.full(n, -1, dtype=np.int64),
        np.zeros(0, dtype=np.int64),
        n,
    )
    assert res.status is SolveStatus.OPTIMAL
    assert res.n_placed == n
    assert np.unique(res.participant).size == n
    assert np.unique(res.slot).size == n
    total = round(res.objective)
    assert total == res.objective  # integer scores sum exactly in float64
    assert n * big_k - total == orlib.OPTIMA[name]
    assert int(inst.cost[res.arc_index].sum()) == orlib.OPTIMA[name]
    assert res.bound == pytest.approx(res.objective, rel=1e-12)
