"""Writing a run's output: all files or none.

Files are written into a temporary folder beside the target and moved in only once every one of
them is complete, so an error never leaves a half-written run behind.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from matching.pipeline import RunResult


def write_run(result: RunResult, out_dir: Path | str) -> list[Path]:
    """Write ``proposals.csv``, ``unassigned.csv`` and ``summary.json`` into ``out_dir``.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    out = Path(out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".placera-", dir=out.parent))
    try:
        result.proposals.write_csv(tmp / "proposals.csv")
        result.unassigned.write_csv(tmp / "unassigned.csv")
        with (tmp / "summary.json").open("w", encoding="utf-8") as fh:
            json.dump(result.summary, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name in ("proposals.csv", "unassigned.csv", "summary.json"):
            os.replace(tmp / name, out / name)
            written.append(out / name)
        return written
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
