"""The code stays typed and lint-clean: ruff and mypy run as part of the test command (and CI)."""

from __future__ import annotations

import subprocess
import sys

from tests.paths import REPO


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True,
                          text=True, check=False)


def test_ruff_is_clean():
    res = _run("ruff", "check", ".")
    assert res.returncode == 0, res.stdout + res.stderr


def test_mypy_is_clean():
    res = _run("mypy")
    assert res.returncode == 0, res.stdout + res.stderr
