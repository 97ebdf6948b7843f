"""Reader for the OR-Library linear assignment instances (J. E. Beasley).

Files live in ``shared/benchmarks/orlib/`` next to the repository (``Path(repo_root).parent /
"shared"``). Two formats:

- dense (``assign100`` … ``assign800``): ``n``, then the ``n × n`` cost matrix row by row
  (numbers may wrap over lines);
- sparse (``assignp800`` … ``assignp5000``): ``n``, then ``i j c`` triples, 1-based.

Published optima are in ``assignopt.txt``; they are repeated in :data:`OPTIMA`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

__all__ = [
    "DENSE",
    "OPTIMA",
    "SPARSE",
    "Assignment",
    "orlib_dir",
    "read_instance",
    "read_optima",
    "repo_root",
]

OPTIMA: dict[str, int] = {
    "assign100": 305,
    "assign200": 475,
    "assign300": 626,
    "assign400": 804,
    "assign500": 991,
    "assign600": 1176,
    "assign700": 1362,
    "assign800": 1552,
    "assignp800": 2239,
    "assignp1500": 5839,
    "assignp3000": 18696,
    "assignp5000": 48533,
}
"""Published optimal costs (README and ``assignopt.txt``)."""

DENSE = [name for name in OPTIMA if not name.startswith("assignp")]
SPARSE = [name for name in OPTIMA if name.startswith("assignp")]


@dataclass(frozen=True)
class Assignment:
    """A minimum-cost perfect assignment instance; indices are 0-based."""

    name: str
    n: int
    row: npt.NDArray[np.int64]
    col: npt.NDArray[np.int64]
    cost: npt.NDArray[np.int64]


def repo_root() -> Path:
    """The repository root (the parent of ``benchmarks/``)."""
    return Path(__file__).resolve().parent.parent


def orlib_dir(root: Path | None = None) -> Path:
    """``<repo_root>/../shared/benchmarks/orlib`` (may not exist)."""
    return Path(root or repo_root()).parent / "shared" / "benchmarks" / "orlib"


def _tokens(path: Path) -> npt.NDArray[np.int64]:
    return np.array(path.read_text().split(), dtype=np.int64)


def read_dense(path: Path, name: str | None = None) -> Assignment:
    """Read ``n`` then an ``n × n`` matrix; every pair is allowed."""
    tok = _tokens(path)
    n = int(tok[0])
    if tok.size != 1 + n * n:
        msg = f"{path}: expected {1 + n * n} numbers for a dense {n}x{n} matrix, got {tok.size}"
        raise ValueError(msg)
    row, col = np.divmod(np.arange(n * n, dtype=np.int64), n)
    return Assignment(name or path.stem, n, row, col, tok[1:].copy())


def read_sparse(path: Path, name: str | None = None) -> Assignment:
    """Read ``n`` then ``i j c`` lines (1-based); absent pairs are not allowed."""
    tok = _tokens(path)
    n = int(tok[0])
    if (tok.size - 1) % 3:
        msg = f"{path}: {tok.size - 1} numbers after n is not a multiple of 3"
        raise ValueError(msg)
    triples = tok[1:].reshape(-1, 3)
    return Assignment(
        name or path.stem, n, triples[:, 0] - 1, triples[:, 1] - 1, triples[:, 2].copy()
    )


def read_instance(name: str, directory: Path | None = None) -> Assignment:
    """Read ``<name>.txt``: sparse for names starting with ``assignp``, else dense."""
    path = (directory or orlib_dir()) / f"{name}.txt"
    if name.startswith("assignp"):
        return read_sparse(path, name)
    return read_dense(path, name)


def read_optima(directory: Path | None = None) -> dict[str, float]:
    """Parse ``assignopt.txt`` (``name value`` lines after a header)."""
    out: dict[str, float] = {}
    for line in ((directory or orlib_dir()) / "assignopt.txt").read_text().splitlines()[1:]:
        parts = line.split()
        if len(parts) == 2:
            out[parts[0]] = float(parts[1])
    return out
