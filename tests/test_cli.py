"""The ``matching`` command: proposal runs, shortlists and how user errors are reported.

Most runs go through the installed console script in a subprocess (what a user runs); the long
catalogue of bad inputs from ``test_io.py`` goes through ``typer.testing.CliRunner`` in-process,
which is quicker and exercises the same command code.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

import matching
from matching.cli import app
from tests.paths import EXAMPLE, REPO
from tests.test_io import BAD_CASES, BadCase, located, set_cell

AS_OF = "2026-11-23"
OPTIMUM = 19.69
ACTIVE = ["P01", "P02", "P03", "P04", "P05", "P06", "P07", "P08", "P09", "P10", "P11", "P14",
          "P16", "P17", "P18"]

_SCRIPT = Path(sys.executable).with_name("matching")
COMMAND = [str(_SCRIPT)] if _SCRIPT.is_file() else [sys.executable, "-m", "matching.cli"]


def run_cli(*args: str | Path, columns: int = 80) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PLACERA_DEBUG", "FORCE_COLOR")}
    env["COLUMNS"] = str(columns)
    return subprocess.run([*COMMAND, *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=300, check=False)


def propose_args(data: Path, out: Path, *extra: str | Path, scores: Path | None = None
                 ) -> list[str | Path]:
    args: list[str | Path] = ["propose", "--data", data, "--out", out, "--as-of", AS_OF]
    if scores is not None:
        args += ["--scores", scores]
    return [*args, *extra]


def expected_pairs() -> dict[tuple[str, str], list[str]]:
    df = pl.read_csv(EXAMPLE / "expected_pairs.csv", infer_schema=False)
    return {(r["participant_id"], r["slot_id"]): r["failing_rules"].split(";")
            if r["failing_rules"] else [] for r in df.iter_rows(named=True)}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def assert_clean_failure(proc_rc: int, stderr: str, out: Path) -> None:
    """Exit code 2, a short message, no traceback, nothing written."""
    assert proc_rc == 2, stderr
    assert "Traceback" not in stderr
    assert "error" in stderr.lower()
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".placera-")]


def check_run_output(out: Path, *, given: bool) -> tuple[pl.DataFrame, pl.DataFrame, dict]:
    """The three files exist with the contract's columns, and the run keeps every rule."""
    assert sorted(p.name for p in out.iterdir()) == ["proposals.csv", "summary.json",
                                                    "unassigned.csv"]
    proposals = pl.read_csv(out / "proposals.csv", infer_schema=False)
    unassigned = pl.read_csv(out / "unassigned.csv", infer_schema=False)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert proposals.columns == ["participant_id", "slot_id", "workplace_id", "score", "reasons"]
    assert unassigned.columns == ["participant_id", "reason"]

    pairs = expected_pairs()
    slots = pl.read_csv(EXAMPLE / "slots.csv", infer_schema=False)
    slot_wp = dict(zip(slots["slot_id"], slots["workplace_id"], strict=True))
    seats = dict(zip(slots["slot_id"], slots["seats"].cast(pl.Int64), strict=True))
    for rec in proposals.iter_rows(named=True):
        assert pairs[(rec["participant_id"], rec["slot_id"])] == [], rec
        assert rec["workplace_id"] == slot_wp[rec["slot_id"]]
        reasons = json.loads(rec["reasons"])
        assert isinstance(reasons, dict) and reasons
        assert all(isinstance(v, int | float) for v in reasons.values())
        score = float(rec["score"])
        assert math.isfinite(score) and score > 0
        if given:
            assert reasons == {"given_score": pytest.approx(score)}
        else:
            assert sum(reasons.values()) == pytest.approx(score, abs=1e-3)
    # each active participant once, proposed or unassigned; nobody else
    ids = proposals["participant_id"].to_list() + unassigned["participant_id"].to_list()
    assert sorted(ids) == ACTIVE
    assert all(unassigned["reason"].str.len_chars() > 0)
    for sid, n in proposals["slot_id"].value_counts().iter_rows():
        assert n <= seats[sid]
    assert "W09" not in proposals["workplace_id"].to_list()  # its cap is used up
    assert "W11" not in proposals["workplace_id"].to_list()
    assert "S16" not in proposals["slot_id"].to_list()  # filled

    assert summary["as_of"] == AS_OF
    assert summary["mode"] == ("given_scores" if given else "engine")
    assert summary["counts"]["active"] == len(ACTIVE)
    assert summary["counts"]["proposed"] == proposals.height
    assert summary["counts"]["unassigned"] == unassigned.height
    assert summary["solver"]["optimal"] is True
    assert summary["total_score"] == pytest.approx(
        math.fsum(float(x) for x in proposals["score"]), abs=1e-6)
    assert {"readiness", "gender", "age_band", "newly_arrived", "referrer"} <= set(
        summary["placement_rates"])
    assert "timings" in summary
    return proposals, unassigned, summary


# -- the package ---------------------------------------------------------------------------------
def test_import_matching_is_this_repo() -> None:
    """Not the unrelated PyPI package called ``matching``."""
    assert Path(matching.__file__).resolve().parent == REPO / "matching"


def test_console_script_is_this_repo() -> None:
    proc = run_cli("--help")
    assert proc.returncode == 0, proc.stderr
    for command in ("propose", "shortlist", "generate"):
        assert command in proc.stdout
    probe = subprocess.run(
        [sys.executable, "-c", "import matching.cli, sys; print(matching.cli.__file__)"],
        capture_output=True, text=True, cwd="/", check=True)
    assert Path(probe.stdout.strip()).resolve() == REPO / "matching" / "cli.py"


# -- propose --scores on the example ---------------------------------------------------------------
@pytest.fixture(scope="module")
def given_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str],
                                                                  Path]:
    if not EXAMPLE.is_dir():
        pytest.skip("../shared/contract/example missing")
    out = tmp_path_factory.mktemp("given") / "out"
    proc = run_cli(*propose_args(EXAMPLE, out, scores=EXAMPLE / "scores.csv"))
    return proc, out


def test_propose_given_scores_writes_the_three_files(given_run) -> None:  # type: ignore[no-untyped-def]
    proc, out = given_run
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    check_run_output(out, given=True)


def test_propose_given_scores_reaches_the_optimum(given_run) -> None:  # type: ignore[no-untyped-def]
    proc, out = given_run
    assert proc.returncode == 0, proc.stderr
    proposals = pl.read_csv(out / "proposals.csv", infer_schema=False)
    total = math.fsum(float(x) for x in proposals["score"])
    assert abs(total - OPTIMUM) <= 1e-6
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert abs(summary["total_score"] - OPTIMUM) <= 1e-6
    expected = json.loads((EXAMPLE / "expected.json").read_text())
    assert expected["given_scores_optimum"] == OPTIMUM
    assert sorted(expected["active_participants"]) == ACTIVE


def test_propose_given_scores_uses_the_given_values(given_run) -> None:  # type: ignore[no-untyped-def]
    _, out = given_run
    scores = pl.read_csv(EXAMPLE / "scores.csv", infer_schema=False)
    given = {(p, s): float(v) for p, s, v in scores.iter_rows()}
    proposals = pl.read_csv(out / "proposals.csv", infer_schema=False)
    for rec in proposals.iter_rows(named=True):
        assert float(rec["score"]) == pytest.approx(given[(rec["participant_id"],
                                                           rec["slot_id"])])


def test_propose_into_existing_folder_replaces_the_files(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "proposals.csv").write_text("old\n")
    (out / "notes.txt").write_text("keep me\n")
    proc = run_cli(*propose_args(example, out, scores=example / "scores.csv"))
    assert proc.returncode == 0, proc.stderr
    assert (out / "notes.txt").read_text() == "keep me\n"
    assert (out / "proposals.csv").read_text() != "old\n"


def test_propose_with_parquet_scores(example: Path, tmp_path: Path) -> None:
    scores = pl.read_csv(example / "scores.csv").with_columns(pl.col("score").cast(pl.Float64))
    scores.write_parquet(tmp_path / "scores.parquet")
    out = tmp_path / "out"
    proc = run_cli(*propose_args(example, out, scores=tmp_path / "scores.parquet"))
    assert proc.returncode == 0, proc.stderr
    proposals, _, _ = check_run_output(out, given=True)
    assert abs(math.fsum(float(x) for x in proposals["score"]) - OPTIMUM) <= 1e-6


def test_propose_partial_scores_reports_the_unassigned(example: Path, tmp_path: Path) -> None:
    scores = pl.read_csv(example / "scores.csv", infer_schema=False)
    # P01 only scores <= 0; P02 has no scores at all; the rest as given
    scores = scores.filter(pl.col("participant_id") != "P02").with_columns(
        pl.when(pl.col("participant_id") == "P01")
        .then(pl.when(pl.col("slot_id") == "S01").then(pl.lit("0")).otherwise(pl.lit("-1.5")))
        .otherwise(pl.col("score")).alias("score")
    )
    scores.write_csv(tmp_path / "partial.csv")
    out = tmp_path / "out"
    proc = run_cli(*propose_args(example, out, scores=tmp_path / "partial.csv"))
    assert proc.returncode == 0, proc.stderr
    proposals, unassigned, summary = check_run_output(out, given=True)
    assert "P01" not in proposals["participant_id"].to_list()
    assert "P02" not in proposals["participant_id"].to_list()
    reasons = dict(unassigned.iter_rows())
    assert {"P01", "P02"} <= set(reasons)
    assert summary["counts"]["unassigned"] == unassigned.height >= 2


def test_propose_with_rules_override(example: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text("aterbruk_max_days = 200\n")
    out = tmp_path / "out"
    proc = run_cli(*propose_args(example, out, "--rules", str(rules),
                                 scores=example / "scores.csv"))
    assert proc.returncode == 0, proc.stderr
    proposals = pl.read_csv(out / "proposals.csv", infer_schema=False)
    total = math.fsum(float(x) for x in proposals["score"])
    # P06 x S12 (1.30) is now allowed, so the optimum can only grow
    assert total >= OPTIMUM - 1e-9


# -- bad inputs: exit 2, one line per problem, nothing written -------------------------------------
runner = CliRunner()


@pytest.mark.parametrize("case", BAD_CASES, ids=[c.name for c in BAD_CASES])
def test_bad_input_exits_2_and_writes_nothing(example: Path, tmp_path: Path,
                                              case: BadCase) -> None:
    scores = tmp_path / "scores.csv"
    scores.write_bytes((example / "scores.csv").read_bytes())
    case.edit(example)
    out = tmp_path / "out"
    result = runner.invoke(app, [str(a) for a in propose_args(example, out, scores=scores)])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    assert_clean_failure(result.exit_code, result.stderr, out)
    lines = result.stderr.splitlines()
    for file, row, column in case.places:
        place = located(file, row, column)
        assert any(place in line for line in lines), (place, result.stderr)
    if case.secret is not None:
        assert case.secret not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("name", ["several problems", "slot at unknown workplace",
                                  "missing participants file", "pnr as a list item"])
def test_bad_input_through_console_script(example: Path, tmp_path: Path, name: str) -> None:
    case = next(c for c in BAD_CASES if c.name == name)
    case.edit(example)
    out = tmp_path / "out"
    proc = run_cli(*propose_args(example, out, scores=EXAMPLE / "scores.csv"))
    assert_clean_failure(proc.returncode, proc.stderr, out)
    lines = proc.stderr.splitlines()
    # a head line, then exactly one line per problem, each naming its place
    assert len(lines) == 1 + len(case.places), proc.stderr
    for file, row, column in case.places:
        place = located(file, row, column)
        assert sum(place in line for line in lines) == 1, (place, proc.stderr)
    if case.secret is not None:
        assert case.secret not in proc.stderr
    assert proc.stdout == ""


def test_bad_input_keeps_an_existing_out_folder_unchanged(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cli(*propose_args(example, out, scores=example / "scores.csv"))
    assert proc.returncode == 0, proc.stderr
    before = snapshot(out)
    set_cell(example, "slots", "S03", "seats", "0")
    proc = run_cli(*propose_args(example, out, scores=example / "scores.csv"))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert located("slots.csv", 3, "seats") in proc.stderr
    assert snapshot(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".placera-")]


def test_value_with_brackets_is_reported_verbatim(example: Path, tmp_path: Path) -> None:
    """A bad value that looks like console markup is shown as it is, not interpreted."""
    set_cell(example, "slots", "S01", "kind", "[/x]")
    set_cell(example, "slots", "S02", "kind", "[bold]praktik")
    out = tmp_path / "out"
    proc = run_cli(*propose_args(example, out, scores=example / "scores.csv"))
    assert_clean_failure(proc.returncode, proc.stderr, out)
    assert "[/x]" in proc.stderr
    assert "[bold]praktik" in proc.stderr


# -- given scores: bad ----------------------------------------------------------------------------
def _edit_scores(path: Path, row: int, column: str, value: str) -> None:
    df = pl.read_csv(path, infer_schema=False)
    df = df.with_columns(
        pl.when(pl.int_range(pl.len()) == row - 1).then(pl.lit(value))
        .otherwise(pl.col(column)).alias(column)
    )
    df.write_csv(path)


@pytest.mark.parametrize(
    ("row", "column", "value"),
    [
        (3, "participant_id", "P99"),
        (4, "slot_id", "S99"),
        (5, "score", ""),
        (6, "score", "inf"),
        (7, "score", "nan"),
        (8, "score", "-Infinity"),
        (9, "score", "1,5"),
    ],
)
def test_bad_given_score_exits_2(example: Path, tmp_path: Path, row: int, column: str,
                                 value: str) -> None:
    scores = tmp_path / "scores.csv"
    scores.write_bytes((example / "scores.csv").read_bytes())
    _edit_scores(scores, row, column, value)
    out = tmp_path / "out"
    proc = run_cli(*propose_args(example, out, scores=scores))
    assert_clean_failure(proc.returncode, proc.stderr, out)
    assert located("scores.csv", row, column) in proc.stderr


def test_duplicate_given_pair_exits_2(example: Path, tmp_path: Path) -> None:
    scores = tmp_path / "scores.csv"
    text = (example / "scores.csv").read_text()
    scores.write_text(text + "P03,S07,2.5\n")
    out = tmp_path / "out"
    proc = run_cli(*propose_args(example, out, scores=scores))
    assert_clean_failure(proc.returncode, proc.stderr, out)
    assert "scores.csv, row 375, column" in proc.stderr
    assert "P03" in proc.stderr and "S07" in proc.stderr


def test_given_scores_missing_column_exits_2(example: Path, tmp_path: Path) -> None:
    scores = tmp_path / "scores.csv"
    pl.read_csv(example / "scores.csv").rename({"score": "points"}).write_csv(scores)
    out = tmp_path / "out"
    proc = run_cli(*propose_args(example, out, scores=scores))
    assert_clean_failure(proc.returncode, proc.stderr, out)
    assert "column 'score'" in proc.stderr


def test_missing_scores_file_exits_2(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cli(*propose_args(example, out, scores=tmp_path / "nope.csv"))
    assert_clean_failure(proc.returncode, proc.stderr, out)
    assert "nope.csv" in proc.stderr


# -- other bad arguments --------------------------------------------------------------------------
@pytest.mark.parametrize("as_of", ["2026-13-01", "2026-02-30", "23/11/2026", "tomorrow", ""])
def test_bad_as_of_exits_2(example: Path, tmp_path: Path, as_of: str) -> None:
    out = tmp_path / "out"
    proc = run_cli("propose", "--data", example, "--out", out, "--as-of", as_of,
                   "--scores", example / "scores.csv")
    assert_clean_failure(proc.returncode, proc.stderr, out)
    assert "--as-of" in proc.stderr


def test_missing_data_folder_exits_2(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cli(*propose_args(tmp_path / "nope", out, scores=EXAMPLE / "scores.csv"))
    assert_clean_failure(proc.returncode, proc.stderr, out)
    assert "nope" in proc.stderr


@pytest.mark.parametrize(
    ("toml", "must_name"),
    [
        ("aterbruk_max_dagar = 1\n", "aterbruk_max_dagar"),
        ("ama_max_days = \"lots\"\n", "ama_max_days"),
        ("[kinds.introduktionsjobb]\nrequires_any = [\"unemployed\"]\n", "unemployed"),
        ("not toml at all\n", "rules.toml"),
        ("run = 1\n", "run"),
    ],
)
def test_bad_rules_file_exits_2(example: Path, tmp_path: Path, toml: str, must_name: str) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(toml)
    out = tmp_path / "out"
    proc = run_cli(*propose_args(example, out, "--rules", str(rules),
                                 scores=example / "scores.csv"))
    assert_clean_failure(proc.returncode, proc.stderr, out)
    assert must_name in proc.stderr
    assert str(rules) in proc.stderr.replace("\n", "")


def test_missing_rules_file_exits_2(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cli(*propose_args(example, out, "--rules", str(tmp_path / "nope.toml"),
                                 scores=example / "scores.csv"))
    assert_clean_failure(proc.returncode, proc.stderr, out)
    assert "nope.toml" in proc.stderr


# -- shortlist -------------------------------------------------------------------------------------
def shortlist_json(*args: str) -> dict:
    proc = run_cli("shortlist", "--data", EXAMPLE, "--as-of", AS_OF, "--format", "json", *args)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_shortlist_slot_json() -> None:
    payload = shortlist_json("--slot", "S07", "--top", "50")
    pairs = expected_pairs()
    assert payload["as_of"] == AS_OF
    assert "S07" in payload["subject"]
    ranked = [r["participant_id"] for r in payload["ranked"]]
    allowed = [p for p in ACTIVE if pairs[(p, "S07")] == []]
    assert sorted(ranked) == allowed
    assert [r["rank"] for r in payload["ranked"]] == list(range(1, len(ranked) + 1))
    scores = [r["score"] for r in payload["ranked"]]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 1 for s in scores)
    ineligible = {r["participant_id"]: r["failing_rules"] for r in payload["ineligible"]}
    assert ineligible == {p: ";".join(pairs[(p, "S07")]) for p in ACTIVE
                          if pairs[(p, "S07")]}
    assert ineligible["P10"] == "adapted"
    assert ineligible["P04"] == "age"
    # only active participants are in play
    assert not {"P12", "P13", "P15", "P19"} & (set(ranked) | set(ineligible))


def test_shortlist_top_limits_the_ranking() -> None:
    payload = shortlist_json("--slot", "S07", "--top", "3")
    assert [r["rank"] for r in payload["ranked"]] == [1, 2, 3]
    full = shortlist_json("--slot", "S07", "--top", "50")
    assert [r["participant_id"] for r in payload["ranked"]] == [
        r["participant_id"] for r in full["ranked"][:3]]


def test_shortlist_slot_s08_everyone_fails_private_praktik() -> None:
    payload = shortlist_json("--slot", "S08", "--top", "50")
    assert payload["ranked"] == []
    ineligible = {r["participant_id"]: r["failing_rules"].split(";")
                  for r in payload["ineligible"]}
    assert sorted(ineligible) == ACTIVE
    assert all("private_praktik" in codes for codes in ineligible.values())
    assert ineligible["P01"] == ["private_praktik"]


def test_shortlist_participant_json() -> None:
    payload = shortlist_json("--participant", "P01", "--top", "50")
    pairs = expected_pairs()
    assert "P01" in payload["subject"]
    ranked = [r["slot_id"] for r in payload["ranked"]]
    ineligible = {r["slot_id"]: r["failing_rules"] for r in payload["ineligible"]}
    slots = [f"S{i:02d}" for i in range(1, 18)]
    assert sorted(ranked) == [s for s in slots if pairs[("P01", s)] == []]
    assert ineligible == {s: ";".join(pairs[("P01", s)]) for s in slots if pairs[("P01", s)]}
    assert ineligible["S08"] == "private_praktik"
    assert ineligible["S16"] == "slot_open"
    # S11 is at W09, whose cap is used up: it ranks, with a note
    s11 = next(r for r in payload["ranked"] if r["slot_id"] == "S11")
    assert s11["note"]


def test_shortlist_table_format() -> None:
    proc = run_cli("shortlist", "--data", EXAMPLE, "--as-of", AS_OF, "--slot", "S07",
                   "--top", "50", columns=250)
    assert proc.returncode == 0, proc.stderr
    for pid in ("P01", "P18", "P10", "P04"):
        assert pid in proc.stdout
    assert "adapted" in proc.stdout
    assert "Not eligible" in proc.stdout

    proc = run_cli("shortlist", "--data", EXAMPLE, "--as-of", AS_OF, "--participant", "P01",
                   columns=250)
    assert proc.returncode == 0, proc.stderr
    assert "S14" in proc.stdout
    assert "private_praktik" in proc.stdout and "slot_open" in proc.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--slot", "S99"],
        ["--participant", "P99"],
        ["--slot", "S07", "--participant", "P01"],
        [],
        ["--slot", "S07", "--format", "xml"],
        ["--slot", "S07", "--as-of", "2026-11-31"],
    ],
)
def test_shortlist_bad_arguments_exit_2(args: list[str]) -> None:
    full = ["shortlist", "--data", str(EXAMPLE), *args]
    if "--as-of" not in args:
        full += ["--as-of", AS_OF]
    proc = run_cli(*full)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip()


def test_shortlist_unknown_id_is_named() -> None:
    proc = run_cli("shortlist", "--data", EXAMPLE, "--as-of", AS_OF, "--slot", "S99")
    assert "S99" in proc.stderr


def test_shortlist_bad_data_exits_2(example: Path) -> None:
    set_cell(example, "participants", "P05", "swedish", "sfi_e")
    proc = run_cli("shortlist", "--data", example, "--as-of", AS_OF, "--slot", "S07")
    assert proc.returncode == 2
    assert located("participants.csv", 5, "swedish") in proc.stderr
    assert "Traceback" not in proc.stderr


# -- engine mode (needs the features package) -----------------------------------------------------
def test_propose_engine_mode(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cli(*propose_args(example, out))
    assert proc.returncode == 0, proc.stderr
    proposals, _, summary = check_run_output(out, given=False)
    assert proposals.height > 0
    assert summary["solver"]["maximize_placements"] is True
    parts = set(json.loads(proposals["reasons"][0]))
    assert {"skills", "occupation", "language", "commute", "recruiting", "priority"} <= parts


def test_propose_engine_mode_is_deterministic(example: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    assert run_cli(*propose_args(example, first)).returncode == 0
    assert run_cli(*propose_args(example, second)).returncode == 0
    assert (first / "proposals.csv").read_bytes() == (second / "proposals.csv").read_bytes()
    assert (first / "unassigned.csv").read_bytes() == (second / "unassigned.csv").read_bytes()


def test_propose_engine_mode_bad_input_exits_2(example: Path, tmp_path: Path) -> None:
    set_cell(example, "slots", "S05", "weeks", "0")
    out = tmp_path / "out"
    proc = run_cli(*propose_args(example, out))
    assert_clean_failure(proc.returncode, proc.stderr, out)
    assert located("slots.csv", 5, "weeks") in proc.stderr


def test_propose_default_as_of_is_today(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cli("propose", "--data", example, "--out", out, "--scores",
                   example / "scores.csv")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    # Europe/Stockholm's date, which is within a day of the machine's
    assert abs((date.fromisoformat(summary["as_of"]) - date.today()).days) <= 1
