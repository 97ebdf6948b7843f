"""Whole-process benchmark: ``matching propose`` on generated Borås- and Stockholm-size sets.

Each run is a fresh ``matching propose`` process (start-up, reading, rules, scores, candidates,
solve, independent check, writing), timed from outside; its peak memory is the child's own
maximum resident set size (``os.wait4``). Printed against the issue's targets (2-core machine):
Borås-size ≤ 2 s; Stockholm-size ≤ 15 s and ≤ 4 GB.

Usage::

    python benchmarks/bench_propose.py [--repeat 3] [--quick] [--workdir DIR]

``--quick`` runs the Borås size only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MATCHING = [sys.executable, "-m", "matching.cli"]
AS_OF = "2026-11-23"
SIZES = [
    # name, participants, slots, seed, target seconds, target MB
    ("Borås-size", 1_314, 700, 2017, 2.0, None),
    ("Stockholm-size", 20_000, 8_000, 1, 15.0, 4096.0),
]


def run_measured(cmd: list[str]) -> tuple[float, float, str]:
    """Run ``cmd``; return (wall seconds, the child's peak RSS in MB, its stdout)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as errs:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=errs, text=True)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        errs.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{errs.read()}")
        return wall, usage.ru_maxrss / 1024, out.read()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--workdir", type=Path, default=ROOT / "benchmarks" / "_work")
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, n, m, seed, t_target, mb_target in SIZES[:1] if args.quick else SIZES:
        data = args.workdir / f"data_{n}x{m}_s{seed}"
        if not data.is_dir():
            subprocess.run([*MATCHING, "generate", "--participants", str(n), "--slots", str(m),
                            "--seed", str(seed), "--out", str(data), "--as-of", AS_OF],
                           cwd=ROOT, check=True, capture_output=True)
        walls, peaks = [], []
        for _ in range(args.repeat):
            out = args.workdir / f"out_{n}x{m}"
            shutil.rmtree(out, ignore_errors=True)
            wall, peak, _ = run_measured([*MATCHING, "propose", "--data", str(data),
                                          "--out", str(out), "--as-of", AS_OF])
            walls.append(wall)
            peaks.append(peak)
        summary = json.loads((out / "summary.json").read_text())
        c = summary["counts"]
        rows.append({
            "size": name, "participants": n, "slots": m,
            "pairs": c["pairs_checked"], "arcs": c["candidate_arcs"],
            "proposed": c["proposed"], "active": c["active"],
            "median_s": statistics.median(walls), "min_s": min(walls),
            "peak_mb": max(peaks), "t_target": t_target, "mb_target": mb_target,
            "steps": summary["timings"], "solver": summary["solver"]["status"],
        })

    print(f"\nmatching propose, whole process, {args.repeat} run(s) each, "
          f"{os.cpu_count()} CPU(s)\n")
    head = (f"{'size':<15}{'participants × slots':>22}{'pairs checked':>15}{'arcs':>10}"
            f"{'placed':>14}{'median s':>10}{'min s':>8}{'target s':>10}{'time/target':>12}"
            f"{'peak MB':>9}{'target MB':>10}")
    print(head)
    print("-" * len(head))
    for r in rows:
        mb_t = f"{r['mb_target']:.0f}" if r["mb_target"] else "-"
        print(f"{r['size']:<15}{r['participants']:>11,} × {r['slots']:<8,}{r['pairs']:>15,}"
              f"{r['arcs']:>10,}{r['proposed']:>7,}/{r['active']:<6,}{r['median_s']:>10.2f}"
              f"{r['min_s']:>8.2f}{r['t_target']:>10.1f}{r['median_s'] / r['t_target']:>12.2f}"
              f"{r['peak_mb']:>9.0f}{mb_t:>10}")
    print("\nsteps inside the last run (s):")
    for r in rows:
        steps = ", ".join(f"{k.removesuffix('_s')} {v:.2f}" for k, v in r["steps"].items())
        print(f"  {r['size']}: {steps}; solver {r['solver']}")


if __name__ == "__main__":
    main()
