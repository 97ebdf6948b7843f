"""Shared fixtures: a writable copy of the contract's worked example."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.paths import EXAMPLE

#: The example's input tables (the other files in the folder are answers, not input).
EXAMPLE_TABLES = ("workplaces.csv", "slots.csv", "participants.csv", "placements.csv")


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A fresh, writable copy of the example's four input tables (plus ``scores.csv``)."""
    if not EXAMPLE.is_dir():
        pytest.skip("../shared/contract/example missing")
    dst = tmp_path / "data"
    dst.mkdir()
    for name in (*EXAMPLE_TABLES, "scores.csv"):
        shutil.copyfile(EXAMPLE / name, dst / name)
        (dst / name).chmod(0o644)
    return dst
