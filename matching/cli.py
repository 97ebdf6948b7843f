"""The ``matching`` command: weekly proposals, shortlists and synthetic data.

I/O lives here (and in :mod:`matching.io`, :mod:`matching.output`); the work is in
:mod:`matching.pipeline`. Every user error ends as a short message and exit code 2, never a
traceback.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from matching.exceptions import MatchingError

if TYPE_CHECKING:
    import polars as pl

    from matching.config import Rules
    from matching.io import Dataset

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Placera: match participants to placements under the municipality's rules.")
err = Console(stderr=True)
_MAX_INELIGIBLE_ROWS = 50
out = Console()

DataOpt = Annotated[Path, typer.Option("--data", help="Folder with the contract's tables.")]
AsOfOpt = Annotated[str | None, typer.Option(
    "--as-of", help="The run's date, YYYY-MM-DD (default: today in Europe/Stockholm).")]
RulesOpt = Annotated[Path | None, typer.Option(
    "--rules", help="A rules.toml overriding the defaults.")]


def _today() -> date:
    try:
        from zoneinfo import ZoneInfo

        return datetime.now(ZoneInfo("Europe/Stockholm")).date()
    except Exception:  # no time-zone database on this machine
        return date.today()


def _as_of(value: str | None) -> date:
    if value is None:
        return _today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise MatchingError(f"--as-of: {value!r} is not a date (YYYY-MM-DD)") from None


def _fail(exc: BaseException) -> None:
    err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def _load(data: Path, rules_file: Path | None) -> tuple[Dataset, Rules]:
    from matching.config import load_rules
    from matching.io import load_dataset

    rules = load_rules(rules_file)
    return load_dataset(data, rules), rules


def _read_scores(path: Path) -> pl.DataFrame:
    import polars as pl

    from matching.exceptions import InputError, Problem

    if not path.is_file():
        raise InputError([Problem(str(path), None, None, "no such scores file")])
    try:
        if path.suffix == ".parquet":
            return pl.read_parquet(path)
        return pl.read_csv(path, infer_schema=False)
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError([Problem(path.name, None, None, f"cannot be read: {first}")]) from None


@app.command()
def propose(
    data: DataOpt,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for proposals.csv, "
                                          "unassigned.csv and summary.json.")],
    as_of: AsOfOpt = None,
    rules: RulesOpt = None,
    scores: Annotated[Path | None, typer.Option(
        "--scores", help="participant_id, slot_id, score: use these scores instead of the "
        "engine's; the result is optimal for them.")] = None,
) -> None:
    """Make the weekly proposal run: at most one slot per active participant, every rule kept."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    try:
        day = _as_of(as_of)
        dataset, ruleset = _load(data, rules)
        given = _read_scores(scores) if scores is not None else None
        with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                      console=err, transient=True, disable=not err.is_terminal) as bar:
            task = bar.add_task("checking rules and scoring pairs", total=None)

            def progress(step: str, done: int, total: int) -> None:
                bar.update(task, total=total, advance=done)

            from matching.output import write_run
            from matching.pipeline import propose as run

            result = run(dataset, ruleset, day, given=given,
                         given_file=scores.name if scores else "scores", progress=progress)
            write_run(result, out_dir)
    except MatchingError as exc:
        _fail(exc)
        return
    s = result.summary
    c = s["counts"]
    out.print(
        f"[bold]{c['proposed']}[/] of {c['active']} active participants proposed "
        f"({s['placement_rate']:.0%}), {c['unassigned']} unassigned; "
        f"{c['open_seats']} open seats in {c['open_slots']} slots; "
        f"total score {s['total_score']:.4f}; solver {s['solver']['status']} "
        f"(gap {s['solver']['gap']:.1e}); {s['timings']['total_s']:.2f} s. "
        f"Written to {escape(str(out_dir))}/",
        highlight=False,
    )


@app.command()
def shortlist(
    data: DataOpt,
    slot: Annotated[str | None, typer.Option(
        "--slot", help="Rank participants for this slot.")] = None,
    participant: Annotated[str | None, typer.Option(
        "--participant", help="Rank slots for this participant.")] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="How many to rank.")] = 10,
    as_of: AsOfOpt = None,
    rules: RulesOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Ranked candidates with every score part, and below them who is not eligible and why."""
    try:
        if fmt not in ("table", "json"):
            raise MatchingError(f"--format: {fmt!r} is not one of table, json")
        day = _as_of(as_of)
        dataset, ruleset = _load(data, rules)
        from matching.pipeline import shortlist as make

        sl = make(dataset, ruleset, day, slot=slot, participant=participant, top=top)
    except MatchingError as exc:
        _fail(exc)
        return
    if fmt == "json":
        import json

        payload = {"subject": sl.subject, "as_of": day.isoformat(),
                   "ranked": sl.ranked.to_dicts(), "ineligible": sl.ineligible.to_dicts()}
        out.print_json(json.dumps(payload, ensure_ascii=False))
        return
    table = Table(title=f"Shortlist for {sl.subject} (as of {day})")
    for col in sl.ranked.columns:
        if col != "weights":
            table.add_column(col, justify="right" if col not in ("note",) else "left")
    for row in sl.ranked.drop("weights").iter_rows():
        table.add_row(*[escape(str(v)) for v in row])
    out.print(table)
    if sl.ranked.height:
        out.print(f"weights: {sl.ranked['weights'][0]}", highlight=False)
    if sl.ineligible.height:
        from collections import Counter

        counts = Counter(code for text in sl.ineligible["failing_rules"]
                         for code in text.split(";"))
        out.print(f"Not eligible: {sl.ineligible.height}; by rule: "
                  + ", ".join(f"{code} {n}" for code, n in counts.most_common()),
                  highlight=False)
        shown = sl.ineligible.head(_MAX_INELIGIBLE_ROWS)
        t2 = Table(title=f"Not eligible (first {shown.height} of {sl.ineligible.height})"
                   if shown.height < sl.ineligible.height else "Not eligible")
        for col in sl.ineligible.columns:
            t2.add_column(col)
        for row in shown.iter_rows():
            t2.add_row(*[escape(str(v)) for v in row])
        out.print(t2)
        if shown.height < sl.ineligible.height:
            out.print("(--format json lists them all)")


@app.command()
def generate(
    participants: Annotated[int, typer.Option("--participants", min=1)],
    slots: Annotated[int, typer.Option("--slots", min=1)],
    seed: Annotated[int, typer.Option("--seed")],
    out_dir: Annotated[Path, typer.Option("--out")],
    as_of: AsOfOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet")] = "csv",
) -> None:
    """Write a synthetic data set in the contract's format (distributions from Borås 2017)."""
    try:
        if fmt not in ("csv", "parquet"):
            raise MatchingError(f"--format: {fmt!r} is not one of csv, parquet")
        day = _as_of(as_of)
        from matching.generate import generate as gen
        from matching.generate import write_dataset

        tables = gen(participants, slots, seed, day)
        write_dataset(tables, out_dir, fmt=fmt)
    except MatchingError as exc:
        _fail(exc)
        return
    sizes = ", ".join(f"{k} {v.height}" for k, v in tables.items())
    out.print(f"wrote {sizes} to {escape(str(out_dir))}/", highlight=False)


def main() -> None:
    """Entry point of the ``matching`` console script."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted; nothing was written")
        sys.exit(130)
    except Exception as exc:  # a bug: say so plainly, without a traceback
        if "--debug" in sys.argv or __import__("os").environ.get("PLACERA_DEBUG"):
            raise
        err.print(f"[bold red]internal error:[/] {escape(f'{type(exc).__name__}: {exc}')}\n"
                  "Set PLACERA_DEBUG=1 to see the traceback, and report it.", highlight=False)
        sys.exit(1)


if __name__ == "__main__":
    main()
