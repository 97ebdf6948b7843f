"""Loading a data folder (``matching.io.load_dataset``) and checking given scores.

Every test starts from a writable copy of the contract's worked example (the ``example``
fixture) and edits its CSV text. The example's ids are in row order (W01 is row 1 of
workplaces.csv, S07 row 7 of slots.csv, P12 row 12 of participants.csv, H03 row 3 of
placements.csv), which the expected row numbers below rely on.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from matching.config import load_rules
from matching.exceptions import InputError, Problem
from matching.instance import build_instance
from matching.io import Dataset, load_dataset, looks_like_personnummer
from matching.pipeline import resolve_given_scores

AS_OF = date(2026, 11, 23)
TABLES = ("workplaces", "slots", "participants", "placements")

S, N, F, B, D = pl.String, pl.Int64, pl.Float64, pl.Boolean, pl.Date
L = pl.List(pl.String)

#: The contract's columns, in its order, with the documented dtypes.
CONTRACT_SCHEMA: dict[str, dict[str, pl.DataType]] = {
    "workplaces": {
        "workplace_id": S, "name": S, "employer": S, "sector": S, "area": S, "lat": F, "lon": F,
        "ordinary_staff": N, "supervisors": N, "union_approved_until": D, "staff_problems": B,
        "last_staff_cut": D, "recruiting": B, "languages": L,
    },
    "slots": {
        "slot_id": S, "workplace_id": S, "kind": S, "title": S, "ssyk": S,
        "required_skills": L, "desired_skills": L, "min_swedish": S, "seats": N, "start": D,
        "weeks": N, "min_capacity_pct": N, "physical_load": S, "driving_license": B,
        "adapted": B, "status": S,
    },
    "participants": {
        "participant_id": S, "birth_year": N, "gender": S, "referrer": S, "enrolled": D,
        "readiness": S, "work_capacity_pct": N, "swedish": S, "languages": L, "education": S,
        "skills": L, "interests": L, "area": S, "lat": F, "lon": F, "max_commute_km": F,
        "driving_license": B, "physical_restrictions": B, "needs_adapted": B,
        "social_assistance_months": N, "newly_arrived": B, "long_term_unemployed": B,
        "disability": B, "born_abroad": B, "exited": D,
    },
    "placements": {
        "placement_id": S, "participant_id": S, "workplace_id": S, "slot_id": S, "kind": S,
        "start": D, "end": D, "outcome": S,
    },
}

#: Personnummer-like values (all with a valid date) and the digits that must never be echoed.
PNR_10_DASH = "900101-1234"
PNR_12 = "199001011234"
PNR_10_PLUS = "900101+1234"
PNR_10_PLAIN = "9001011234"
PNR_12_DASH = "19900101-1234"


# -- editing the example's CSV text ------------------------------------------------------------
def read_table(folder: Path, table: str) -> tuple[list[str], list[list[str]]]:
    """Header and data rows of ``folder/table.csv``."""
    with (folder / f"{table}.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def write_table(folder: Path, table: str, header: list[str], rows: list[list[str]]) -> None:
    """Write ``folder/table.csv`` (the example's quoting style is not significant)."""
    with (folder / f"{table}.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows([header, *rows])


def set_cell(folder: Path, table: str, key: str, column: str, value: str) -> int:
    """Set one cell of the row whose first column (the id) is ``key``; return its row number."""
    header, rows = read_table(folder, table)
    j = header.index(column)
    for i, row in enumerate(rows):
        if row[0] == key:
            row[j] = value
            write_table(folder, table, header, rows)
            return i + 1
    raise KeyError(key)


def add_row(folder: Path, table: str, like: str, **values: str) -> int:
    """Append a copy of row ``like`` with ``values`` changed; return the new row's number."""
    header, rows = read_table(folder, table)
    new = list(next(r for r in rows if r[0] == like))
    for column, value in values.items():
        new[header.index(column)] = value
    rows.append(new)
    write_table(folder, table, header, rows)
    return len(rows)


def add_column(folder: Path, table: str, column: str, values: dict[str, str] | None = None,
               default: str = "") -> None:
    """Append a column; ``values`` maps row ids to cells, others get ``default``."""
    header, rows = read_table(folder, table)
    values = values or {}
    write_table(folder, table, [*header, column],
                [[*r, values.get(r[0], default)] for r in rows])


def drop_column(folder: Path, table: str, column: str) -> None:
    """Remove a column from ``folder/table.csv``."""
    header, rows = read_table(folder, table)
    j = header.index(column)
    write_table(folder, table, [h for k, h in enumerate(header) if k != j],
                [[c for k, c in enumerate(r) if k != j] for r in rows])


def load(folder: Path, rules_file: Path | None = None) -> Dataset:
    return load_dataset(folder, load_rules(rules_file))


def load_error(folder: Path) -> InputError:
    with pytest.raises(InputError) as info:
        load(folder)
    return info.value


def where(problems: list[Problem]) -> set[tuple[str, int | None, str | None]]:
    return {(p.file, p.row, p.column) for p in problems}


def located(file: str, row: int | None, column: str | None) -> str:
    """How ``str(InputError)`` names a place (see ``Problem.__str__``)."""
    text = file
    if row is not None:
        text += f", row {row}"
    if column is not None:
        text += f", column '{column}'"
    return text


# -- the catalogue of bad inputs (also run through the CLI in test_cli.py) ----------------------
Place = tuple[str, int | None, str | None]


@dataclass(frozen=True)
class BadCase:
    """An edit that breaks the example, and every place the error must name."""

    name: str
    edit: Callable[[Path], object]
    places: tuple[Place, ...]
    #: Text that must not appear anywhere in the message (a personnummer).
    secret: str | None = None
    #: The error may name more places than ``places`` (e.g. a follow-on dangling reference).
    exact: bool = True
    extra: dict[str, object] = field(default_factory=dict)


def cell(table: str, key: str, column: str, value: str) -> Callable[[Path], int]:
    return lambda d: set_cell(d, table, key, column, value)


def _both(*edits: Callable[[Path], object]) -> Callable[[Path], None]:
    def run(d: Path) -> None:
        for e in edits:
            e(d)
    return run


def _unlink(name: str) -> Callable[[Path], None]:
    return lambda d: (d / name).unlink()


def _csv_and_parquet(table: str) -> Callable[[Path], None]:
    def run(d: Path) -> None:
        pl.read_csv(d / f"{table}.csv", infer_schema=False).write_parquet(d / f"{table}.parquet")
    return run


W, SL, P, H = "workplaces.csv", "slots.csv", "participants.csv", "placements.csv"

BAD_CASES: list[BadCase] = [
    # missing file / column
    BadCase("missing workplaces file", _unlink(W), ((W, None, None),)),
    BadCase("missing slots file", _unlink(SL), ((SL, None, None),)),
    BadCase("missing participants file", _unlink(P), ((P, None, None),)),
    BadCase("both csv and parquet", _csv_and_parquet("slots"), ((SL, None, None),)),
    BadCase("missing column sector", lambda d: drop_column(d, "workplaces", "sector"),
            ((W, None, "sector"),)),
    BadCase("missing column seats", lambda d: drop_column(d, "slots", "seats"),
            ((SL, None, "seats"),)),
    BadCase("missing column swedish", lambda d: drop_column(d, "participants", "swedish"),
            ((P, None, "swedish"),)),
    BadCase("missing column participant_id in placements",
            lambda d: drop_column(d, "placements", "participant_id"),
            ((H, None, "participant_id"),)),
    BadCase("missing column languages (a list is still required as a column)",
            lambda d: drop_column(d, "participants", "languages"), ((P, None, "languages"),)),
    # empty cell in a required column
    BadCase("empty name", cell("workplaces", "W02", "name", ""), ((W, 2, "name"),)),
    BadCase("blank (spaces) employer", cell("workplaces", "W02", "employer", "   "),
            ((W, 2, "employer"),)),
    BadCase("empty slot workplace_id", cell("slots", "S03", "workplace_id", ""),
            ((SL, 3, "workplace_id"),)),
    BadCase("empty seats", cell("slots", "S03", "seats", ""), ((SL, 3, "seats"),)),
    BadCase("empty start", cell("slots", "S03", "start", ""), ((SL, 3, "start"),)),
    BadCase("empty kind", cell("slots", "S03", "kind", ""), ((SL, 3, "kind"),)),
    BadCase("empty enrolled", cell("participants", "P04", "enrolled", ""),
            ((P, 4, "enrolled"),)),
    BadCase("empty bool", cell("participants", "P04", "driving_license", ""),
            ((P, 4, "driving_license"),)),
    BadCase("empty participant_id", cell("participants", "P04", "participant_id", ""),
            ((P, 4, "participant_id"),)),
    BadCase("empty placement start", cell("placements", "H02", "start", ""),
            ((H, 2, "start"),)),
    # wrong type
    BadCase("int: text", cell("workplaces", "W05", "ordinary_staff", "five"),
            ((W, 5, "ordinary_staff"),)),
    BadCase("int: decimal", cell("slots", "S05", "weeks", "26.5"), ((SL, 5, "weeks"),)),
    BadCase("int: birth_year", cell("participants", "P05", "birth_year", "19x0"),
            ((P, 5, "birth_year"),)),
    BadCase("float: text", cell("workplaces", "W05", "lat", "north"), ((W, 5, "lat"),)),
    BadCase("float: comma decimal", cell("participants", "P11", "max_commute_km", "2,5"),
            ((P, 11, "max_commute_km"),)),
    BadCase("float: inf", cell("participants", "P05", "lon", "inf"), ((P, 5, "lon"),)),
    BadCase("float: nan", cell("participants", "P05", "lat", "nan"), ((P, 5, "lat"),)),
    BadCase("date: impossible day", cell("slots", "S06", "start", "2026-02-30"),
            ((SL, 6, "start"),)),
    BadCase("date: not ISO", cell("workplaces", "W06", "union_approved_until", "30/06/2027"),
            ((W, 6, "union_approved_until"),)),
    BadCase("date: optional but bad", cell("participants", "P06", "exited", "yesterday"),
            ((P, 6, "exited"),)),
    BadCase("date: placement end", cell("placements", "H04", "end", "2026-12-32"),
            ((H, 4, "end"),)),
    BadCase("bool: yes", cell("workplaces", "W07", "recruiting", "yes"),
            ((W, 7, "recruiting"),)),
    BadCase("bool: 2", cell("slots", "S07", "adapted", "2"), ((SL, 7, "adapted"),)),
    BadCase("bool: optional but bad", cell("participants", "P07", "born_abroad", "ja"),
            ((P, 7, "born_abroad"),)),
    # outside an enum
    BadCase("enum: swedish sfi_e", cell("participants", "P08", "swedish", "sfi_e"),
            ((P, 8, "swedish"),)),
    BadCase("enum: min_swedish SFI_C (case matters)",
            cell("slots", "S08", "min_swedish", "SFI_C"), ((SL, 8, "min_swedish"),)),
    BadCase("enum: unknown slot kind", cell("slots", "S08", "kind", "lärlingsjobb"),
            ((SL, 8, "kind"),)),
    BadCase("enum: unknown placement kind", cell("placements", "H05", "kind", "introduktionsjobb"),
            ((H, 5, "kind"),)),
    BadCase("enum: sector", cell("workplaces", "W08", "sector", "public"),
            ((W, 8, "sector"),)),
    BadCase("enum: status", cell("slots", "S09", "status", "closed"), ((SL, 9, "status"),)),
    BadCase("enum: gender", cell("participants", "P09", "gender", "K"), ((P, 9, "gender"),)),
    BadCase("enum: outcome", cell("placements", "H03", "outcome", "fired"),
            ((H, 3, "outcome"),)),
    BadCase("enum: physical_load", cell("slots", "S09", "physical_load", "extreme"),
            ((SL, 9, "physical_load"),)),
    # outside a range
    BadCase("range: work_capacity_pct 101", cell("participants", "P10", "work_capacity_pct", "101"),
            ((P, 10, "work_capacity_pct"),)),
    BadCase("range: work_capacity_pct -1", cell("participants", "P10", "work_capacity_pct", "-1"),
            ((P, 10, "work_capacity_pct"),)),
    BadCase("range: min_capacity_pct 101", cell("slots", "S10", "min_capacity_pct", "101"),
            ((SL, 10, "min_capacity_pct"),)),
    BadCase("range: seats 0", cell("slots", "S10", "seats", "0"), ((SL, 10, "seats"),)),
    BadCase("range: weeks 0", cell("slots", "S11", "weeks", "0"), ((SL, 11, "weeks"),)),
    BadCase("range: negative staff", cell("workplaces", "W09", "ordinary_staff", "-1"),
            ((W, 9, "ordinary_staff"),)),
    BadCase("range: negative supervisors", cell("workplaces", "W09", "supervisors", "-2"),
            ((W, 9, "supervisors"),)),
    BadCase("range: negative social_assistance_months",
            cell("participants", "P11", "social_assistance_months", "-3"),
            ((P, 11, "social_assistance_months"),)),
    BadCase("range: negative max_commute_km", cell("participants", "P11", "max_commute_km", "-2"),
            ((P, 11, "max_commute_km"),)),
    BadCase("range: lat 91", cell("workplaces", "W10", "lat", "91"), ((W, 10, "lat"),)),
    # ssyk
    BadCase("ssyk: 5 digits", cell("slots", "S12", "ssyk", "53301"), ((SL, 12, "ssyk"),)),
    BadCase("ssyk: letters", cell("slots", "S12", "ssyk", "53a"), ((SL, 12, "ssyk"),)),
    BadCase("ssyk: dotted", cell("slots", "S12", "ssyk", "5.3"), ((SL, 12, "ssyk"),)),
    # duplicate ids (the second occurrence is named)
    BadCase("duplicate workplace id", cell("workplaces", "W03", "workplace_id", "W02"),
            ((W, 3, "workplace_id"),), exact=False),
    BadCase("duplicate slot id", cell("slots", "S14", "slot_id", "S13"), ((SL, 14, "slot_id"),)),
    BadCase("duplicate participant id", cell("participants", "P04", "participant_id", "P03"),
            ((P, 4, "participant_id"),)),
    BadCase("duplicate placement id", cell("placements", "H09", "placement_id", "H01"),
            ((H, 9, "placement_id"),)),
    # dangling references
    BadCase("slot at unknown workplace", cell("slots", "S13", "workplace_id", "W99"),
            ((SL, 13, "workplace_id"),)),
    BadCase("placement of unknown participant", cell("placements", "H06", "participant_id", "P99"),
            ((H, 6, "participant_id"),)),
    BadCase("placement at unknown workplace", cell("placements", "H06", "workplace_id", "W99"),
            ((H, 6, "workplace_id"),)),
    BadCase("placement in unknown slot", cell("placements", "H12", "slot_id", "S99"),
            ((H, 12, "slot_id"),)),
    # placement ends before it starts
    BadCase("placement end before start", cell("placements", "H03", "end", "2024-12-31"),
            ((H, 3, "end"),)),
    # personnummer-like values
    BadCase("pnr as participant id", cell("participants", "P02", "participant_id", PNR_10_DASH),
            ((P, 2, "participant_id"),), secret=PNR_10_DASH),
    BadCase("pnr (12 digits) as placement id", cell("placements", "H01", "placement_id", PNR_12),
            ((H, 1, "placement_id"),), secret=PNR_12),
    BadCase("pnr with plus in a text field",
            cell("workplaces", "W04", "name", f"Kontakt {PNR_10_PLUS} (Anna)"),
            ((W, 4, "name"),), secret=PNR_10_PLUS),
    BadCase("pnr (10 plain digits) in a text field",
            cell("participants", "P03", "area", f"Centrum {PNR_10_PLAIN}"),
            ((P, 3, "area"),), secret=PNR_10_PLAIN),
    BadCase("pnr as a list item", cell("participants", "P03", "skills", f"kassa;{PNR_12_DASH}"),
            ((P, 3, "skills"),), secret=PNR_12_DASH),
    BadCase("pnr in an unknown extra column",
            lambda d: add_column(d, "participants", "personnr", {"P05": PNR_10_DASH}),
            ((P, 5, "personnr"),), secret=PNR_10_DASH),
    BadCase("pnr in an extra column of slots",
            lambda d: add_column(d, "slots", "kontakt", {"S02": f"ring {PNR_12}"}),
            ((SL, 2, "kontakt"),), secret=PNR_12),
    BadCase("pnr in an int column",
            cell("participants", "P06", "social_assistance_months", PNR_10_PLAIN),
            ((P, 6, "social_assistance_months"),), secret=PNR_10_PLAIN),
    # ... and never echoed by a second problem about the same cell
    BadCase("pnr as a placement's participant (also dangling)",
            cell("placements", "H02", "participant_id", PNR_10_DASH),
            ((H, 2, "participant_id"),), secret=PNR_10_DASH),
    BadCase("pnr in an enum column", cell("slots", "S05", "kind", PNR_10_DASH),
            ((SL, 5, "kind"),), secret=PNR_10_DASH),
    BadCase("pnr in a date column", cell("placements", "H03", "start", PNR_12_DASH),
            ((H, 3, "start"),), secret=PNR_12_DASH),
    BadCase("pnr as a duplicated id",
            _both(cell("participants", "P02", "participant_id", PNR_10_DASH),
                  cell("participants", "P03", "participant_id", PNR_10_DASH)),
            ((P, 2, "participant_id"), (P, 3, "participant_id")), secret=PNR_10_DASH),
    BadCase("pnr after a 10-digit non-date in a text field",
            cell("workplaces", "W04", "name", f"Ref 1234567890 {PNR_10_DASH}"),
            ((W, 4, "name"),), secret=PNR_10_DASH),
    # several problems at once are reported together
    BadCase(
        "several problems",
        _both(cell("slots", "S02", "kind", "x"),
              cell("workplaces", "W03", "supervisors", "-1"),
              cell("participants", "P04", "swedish", "sfi_e"),
              cell("placements", "H05", "slot_id", "S99"),
              cell("participants", "P07", "area", PNR_10_DASH)),
        ((SL, 2, "kind"), (W, 3, "supervisors"), (P, 4, "swedish"), (H, 5, "slot_id"),
         (P, 7, "area")),
        secret=PNR_10_DASH,
    ),
]


# -- loading ------------------------------------------------------------------------------------
def test_example_loads_with_documented_dtypes(example: Path) -> None:
    data = load(example)
    for table in TABLES:
        df = getattr(data, table)
        assert df.schema == pl.Schema(CONTRACT_SCHEMA[table]), table
    assert (data.workplaces.height, data.slots.height, data.participants.height,
            data.placements.height) == (11, 17, 22, 12)


def test_example_values(example: Path) -> None:
    data = load(example)
    wp = {r["workplace_id"]: r for r in data.workplaces.iter_rows(named=True)}
    sl = {r["slot_id"]: r for r in data.slots.iter_rows(named=True)}
    pa = {r["participant_id"]: r for r in data.participants.iter_rows(named=True)}
    pm = {r["placement_id"]: r for r in data.placements.iter_rows(named=True)}

    assert wp["W01"]["languages"] == ["sv", "ar"]
    assert wp["W01"]["union_approved_until"] == date(2027, 6, 30)
    assert wp["W01"]["last_staff_cut"] is None
    assert wp["W02"]["last_staff_cut"] == date(2025, 12, 1)
    assert wp["W07"]["union_approved_until"] is None
    assert wp["W06"]["staff_problems"] is True
    assert wp["W08"]["recruiting"] is True
    assert wp["W11"]["supervisors"] == 0
    assert wp["W01"]["lat"] == pytest.approx(57.735)

    # empty list cells are [] (never null), and list items are split on ';'
    assert sl["S04"]["required_skills"] == []
    assert sl["S01"]["desired_skills"] == ["städning", "matlagning"]
    assert sl["S10"]["required_skills"] == ["körkort C"]
    assert pa["P04"]["skills"] == []
    assert pa["P02"]["interests"] == ["5223", "5330"]
    assert pa["P03"]["interests"] == ["Butikssäljare"]
    for table in TABLES:
        df = getattr(data, table)
        for col, dtype in df.schema.items():
            if dtype == L:
                assert df[col].null_count() == 0, (table, col)

    # text stays text (an SSYK code is not a number), optional enums are null when empty
    assert sl["S01"]["ssyk"] == "5330"
    assert sl["S01"]["status"] is None
    assert sl["S15"]["status"] == "open"
    assert sl["S16"]["status"] == "filled"
    assert sl["S10"]["start"] == date(2026, 12, 7)
    assert sl["S12"]["seats"] == 5

    assert pa["P11"]["max_commute_km"] == 2.0
    assert pa["P01"]["max_commute_km"] is None
    assert pa["P01"]["exited"] is None
    assert pa["P12"]["exited"] == date(2026, 11, 22)
    assert pa["P05"]["born_abroad"] is True
    assert pa["P01"]["born_abroad"] is False
    assert pa["P16"]["work_capacity_pct"] == 25

    assert pm["H01"]["end"] is None
    assert pm["H01"]["outcome"] is None
    assert pm["H01"]["slot_id"] is None
    assert pm["H12"]["slot_id"] == "S16"
    assert pm["H08"]["start"] == pm["H08"]["end"] == date(2026, 11, 23)


def test_row_order_is_kept(example: Path) -> None:
    data = load(example)
    assert data.participants["participant_id"].to_list() == [f"P{i:02d}" for i in range(1, 23)]
    assert data.slots["slot_id"].to_list() == [f"S{i:02d}" for i in range(1, 18)]


@pytest.mark.parametrize(
    ("true_text", "false_text"),
    [("true", "false"), ("TRUE", "FALSE"), ("True", "False"), ("1", "0"), (" true ", " 0 ")],
)
def test_booleans_accept_true_false_1_0_in_any_case(example: Path, true_text: str,
                                                    false_text: str) -> None:
    set_cell(example, "workplaces", "W01", "recruiting", true_text)
    set_cell(example, "workplaces", "W08", "recruiting", false_text)
    set_cell(example, "slots", "S01", "adapted", true_text)
    set_cell(example, "participants", "P01", "driving_license", false_text)
    set_cell(example, "participants", "P02", "born_abroad", true_text)
    data = load(example)
    wp = dict(zip(data.workplaces["workplace_id"], data.workplaces["recruiting"], strict=True))
    assert wp["W01"] is True
    assert wp["W08"] is False
    assert data.slots.row(0, named=True)["adapted"] is True
    assert data.participants.row(0, named=True)["driving_license"] is False
    assert data.participants.row(1, named=True)["born_abroad"] is True


def test_optional_columns_may_be_absent(example: Path) -> None:
    for table, column in [("workplaces", "lat"), ("workplaces", "lon"),
                          ("workplaces", "union_approved_until"), ("workplaces", "last_staff_cut"),
                          ("slots", "ssyk"), ("slots", "status"), ("participants", "gender"),
                          ("participants", "lat"), ("participants", "lon"),
                          ("participants", "max_commute_km"), ("participants", "born_abroad"),
                          ("participants", "exited"), ("placements", "slot_id"),
                          ("placements", "end"), ("placements", "outcome")]:
        drop_column(example, table, column)
    data = load(example)
    for table in TABLES:
        df = getattr(data, table)
        assert df.schema == pl.Schema(CONTRACT_SCHEMA[table]), table
    assert data.slots["status"].null_count() == data.slots.height
    assert data.participants["exited"].null_count() == data.participants.height
    assert data.placements["end"].null_count() == data.placements.height


def test_placements_absent_is_fine(example: Path) -> None:
    (example / "placements.csv").unlink()
    data = load(example)
    assert data.placements.height == 0
    assert data.placements.schema == pl.Schema(CONTRACT_SCHEMA["placements"])
    assert data.participants.height == 22


def test_placements_with_header_only(example: Path) -> None:
    header, _ = read_table(example, "placements")
    write_table(example, "placements", header, [])
    data = load(example)
    assert data.placements.height == 0
    assert data.placements.schema == pl.Schema(CONTRACT_SCHEMA["placements"])


def test_unknown_extra_columns_are_ignored(example: Path) -> None:
    baseline = load(example)
    for table in TABLES:
        add_column(example, table, "anteckning", default="fri text, inga siffror")
        add_column(example, table, "extra_number", default="42")
    data = load(example)
    for table in TABLES:
        assert_frame_equal(getattr(data, table), getattr(baseline, table))


def test_columns_in_another_order_load_the_same(example: Path) -> None:
    baseline = load(example)
    header, rows = read_table(example, "participants")
    order = list(reversed(range(len(header))))
    write_table(example, "participants", [header[k] for k in order],
                [[r[k] for k in order] for r in rows])
    assert_frame_equal(load(example).participants, baseline.participants)


def test_utf8_bom_in_header_is_tolerated(example: Path) -> None:
    baseline = load(example)
    path = example / "workplaces.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert_frame_equal(load(example).workplaces, baseline.workplaces)


def test_ssyk_keeps_leading_zeros(example: Path) -> None:
    set_cell(example, "slots", "S01", "ssyk", "0110")
    assert load(example).slots["ssyk"][0] == "0110"


def test_one_to_four_digit_ssyk_accepted(example: Path) -> None:
    for key, code in [("S01", "5"), ("S02", "53"), ("S03", "533"), ("S04", "5330")]:
        set_cell(example, "slots", key, "ssyk", code)
    assert load(example).slots["ssyk"].head(4).to_list() == ["5", "53", "533", "5330"]


def test_placement_ending_on_its_start_day_is_fine(example: Path) -> None:
    set_cell(example, "placements", "H03", "end", "2025-01-01")
    assert load(example).placements["end"][2] == date(2025, 1, 1)


def test_range_bounds_are_inclusive(example: Path) -> None:
    set_cell(example, "participants", "P01", "work_capacity_pct", "0")
    set_cell(example, "participants", "P02", "work_capacity_pct", "100")
    set_cell(example, "slots", "S01", "min_capacity_pct", "100")
    set_cell(example, "slots", "S01", "seats", "1")
    set_cell(example, "slots", "S01", "weeks", "1")
    set_cell(example, "workplaces", "W01", "ordinary_staff", "0")
    set_cell(example, "participants", "P01", "social_assistance_months", "0")
    data = load(example)
    assert data.participants["work_capacity_pct"].head(2).to_list() == [0, 100]
    assert data.workplaces["ordinary_staff"][0] == 0


# -- Parquet ------------------------------------------------------------------------------------
def _write_parquet(data: Dataset, folder: Path) -> None:
    folder.mkdir()
    for table in TABLES:
        getattr(data, table).write_parquet(folder / f"{table}.parquet")


def test_parquet_with_native_types_loads_equal(example: Path, tmp_path: Path) -> None:
    baseline = load(example)
    pq = tmp_path / "pq"
    _write_parquet(baseline, pq)
    data = load(pq)
    for table in TABLES:
        assert_frame_equal(getattr(data, table), getattr(baseline, table))


def test_parquet_with_text_cells_and_native_lists_loads_equal(example: Path,
                                                              tmp_path: Path) -> None:
    """The CSV text as Parquet string columns, except lists, which are native lists."""
    baseline = load(example)
    pq = tmp_path / "pq"
    pq.mkdir()
    for table in TABLES:
        raw = pl.read_csv(example / f"{table}.csv", infer_schema=False)
        lists = [c for c, t in CONTRACT_SCHEMA[table].items() if t == L]
        raw = raw.with_columns(
            pl.col(c).fill_null("").str.split(";").list.eval(
                pl.element().filter(pl.element() != "")) for c in lists
        )
        assert all(raw.schema[c] == L for c in lists)
        raw.write_parquet(pq / f"{table}.parquet")
    data = load(pq)
    for table in TABLES:
        assert_frame_equal(getattr(data, table), getattr(baseline, table))


def test_parquet_and_csv_tables_may_be_mixed(example: Path) -> None:
    baseline = load(example)
    baseline.slots.write_parquet(example / "slots.parquet")
    (example / "slots.csv").unlink()
    baseline.placements.write_parquet(example / "placements.parquet")
    (example / "placements.csv").unlink()
    data = load(example)
    for table in TABLES:
        assert_frame_equal(getattr(data, table), getattr(baseline, table))


def test_parquet_null_list_is_empty_and_float_ints_are_accepted(example: Path,
                                                                tmp_path: Path) -> None:
    baseline = load(example)
    pq = tmp_path / "pq"
    _write_parquet(baseline, pq)
    wp = baseline.workplaces.with_columns(
        pl.when(pl.col("workplace_id") == "W01").then(None).otherwise(pl.col("languages"))
        .alias("languages"),
        pl.col("ordinary_staff").cast(pl.Float64),  # as pandas writes an int column with gaps
        pl.col("supervisors").cast(pl.Int32),
    )
    wp.write_parquet(pq / "workplaces.parquet")
    data = load(pq)
    assert data.workplaces["languages"][0].to_list() == []
    assert data.workplaces.schema == pl.Schema(CONTRACT_SCHEMA["workplaces"])
    assert data.workplaces["ordinary_staff"].to_list() == baseline.workplaces[
        "ordinary_staff"].to_list()


def test_parquet_bad_values_name_file_row_column(example: Path, tmp_path: Path) -> None:
    baseline = load(example)
    pq = tmp_path / "pq"
    _write_parquet(baseline, pq)
    baseline.workplaces.with_columns(
        pl.when(pl.col("workplace_id") == "W02").then(2.5)
        .otherwise(pl.col("ordinary_staff").cast(pl.Float64)).alias("ordinary_staff"),
    ).write_parquet(pq / "workplaces.parquet")
    baseline.participants.with_columns(
        pl.when(pl.col("participant_id") == "P03").then(pl.lit(["kassa", PNR_10_DASH]))
        .otherwise(pl.col("skills")).alias("skills")
    ).write_parquet(pq / "participants.parquet")
    with pytest.raises(InputError) as info:
        load(pq)
    assert where(info.value.problems) == {
        ("workplaces.parquet", 2, "ordinary_staff"),
        ("participants.parquet", 3, "skills"),
    }
    assert PNR_10_DASH not in str(info.value)


def test_parquet_pnr_in_int_extra_column(example: Path, tmp_path: Path) -> None:
    baseline = load(example)
    pq = tmp_path / "pq"
    _write_parquet(baseline, pq)
    baseline.slots.with_columns(
        pl.Series("kontakt", [None] * 6 + [int(PNR_10_PLAIN)] + [None] * 10, dtype=pl.Int64)
    ).write_parquet(pq / "slots.parquet")
    with pytest.raises(InputError) as info:
        load(pq)
    assert where(info.value.problems) == {("slots.parquet", 7, "kontakt")}
    assert PNR_10_PLAIN not in str(info.value)


# -- bad inputs ---------------------------------------------------------------------------------
@pytest.mark.parametrize("case", BAD_CASES, ids=[c.name for c in BAD_CASES])
def test_bad_input_names_file_row_column(example: Path, case: BadCase) -> None:
    case.edit(example)
    exc = load_error(example)
    got = where(exc.problems)
    if case.exact:
        assert got == set(case.places), exc
    else:
        assert set(case.places) <= got, exc
    text = str(exc)
    for file, row, column in case.places:
        assert located(file, row, column) in text
    assert text.splitlines()[0] == f"{len(exc.problems)} problem(s) in the input:"
    for p in exc.problems:
        assert p.message
        assert str(p) in text
    if case.secret is not None:
        assert case.secret not in text
        digits = case.secret.replace("-", "").replace("+", "")
        assert digits not in text.replace("-", "").replace("+", "")


def test_missing_file_message_names_the_table(example: Path) -> None:
    (example / "slots.csv").unlink()
    text = str(load_error(example))
    assert "slots.csv" in text and "slots.parquet" in text


def test_both_csv_and_parquet_message_names_both(example: Path) -> None:
    _csv_and_parquet("participants")(example)
    text = str(load_error(example))
    assert "participants.csv" in text and "participants.parquet" in text


def test_duplicate_message_points_at_first_row(example: Path) -> None:
    set_cell(example, "slots", "S14", "slot_id", "S13")
    exc = load_error(example)
    (problem,) = exc.problems
    assert "row 13" in problem.message


def test_dangling_reference_message_names_the_target(example: Path) -> None:
    set_cell(example, "placements", "H06", "workplace_id", "W99")
    (problem,) = load_error(example).problems
    assert "W99" in problem.message and "workplaces" in problem.message


def test_missing_data_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        load(tmp_path / "nope")
    assert "nope" in str(info.value)


def test_unreadable_csv_is_an_input_error(example: Path) -> None:
    (example / "slots.csv").write_bytes(b"slot_id,kind\n\xff\xfe\x00bad,\"unterminated\n")
    exc = load_error(example)
    assert any(p.file == "slots.csv" for p in exc.problems)


def test_many_problems_are_capped_with_a_count(example: Path) -> None:
    for i in range(1, 23):
        for column in ("swedish", "readiness", "education"):
            set_cell(example, "participants", f"P{i:02d}", column, "bogus")
    exc = load_error(example)
    assert len(exc.problems) <= 51
    assert "more problem" in exc.problems[-1].message
    assert "66" in str(exc) or "16 more" in str(exc)


@pytest.mark.parametrize(
    "value",
    [
        "991332-1234",  # month 13: not a date
        "990230-1234",  # 30 February
        "19991332-1234",
        "12345199001011234",  # the digits sit inside a longer run
        "9001011234567",
        "x900101-12345",
        "1990-01-01",  # a plain date
        "0701-234567",  # a phone number in another shape
        "W900101",
    ],
)
def test_not_a_personnummer_is_not_refused(example: Path, value: str) -> None:
    set_cell(example, "workplaces", "W03", "name", f"Skolan {value}")
    set_cell(example, "participants", "P02", "participant_id", value)
    set_cell(example, "participants", "P03", "skills", f"kassa;{value}")
    add_column(example, "slots", "kontakt", {"S01": value})
    data = load(example)
    assert data.participants["participant_id"][1] == value
    assert data.participants["skills"][2].to_list() == ["kassa", value]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("900101-1234", True),
        ("900101+1234", True),
        ("9001011234", True),
        ("199001011234", True),
        ("19900101-1234", True),
        ("000229-1234", True),  # 2000-02-29
        ("Anna 900101-1234, Borås", True),
        ("ref 1234567890 900101-1234", True),  # a non-date run first, then a real one
        ("991332-1234", False),
        ("900230-1234", False),
        ("19000229-1234", False),  # 1900 was not a leap year
        ("12345199001011234", False),
        ("90010112345", False),
        ("900101-123", False),
        ("", False),
    ],
)
def test_looks_like_personnummer(value: str, expected: bool) -> None:
    assert looks_like_personnummer(value) is expected


def test_looks_like_personnummer_whole_value_only() -> None:
    assert looks_like_personnummer("9001011234", embedded=False)
    assert not looks_like_personnummer("a 9001011234", embedded=False)


# -- given scores -------------------------------------------------------------------------------
@pytest.fixture
def example_instance(example: Path):  # type: ignore[no-untyped-def]
    rules = load_rules()
    return build_instance(load_dataset(example, rules), rules, AS_OF)


def _scores(example: Path) -> pl.DataFrame:
    return pl.read_csv(example / "scores.csv", infer_schema=False)


def test_given_scores_resolve(example: Path, example_instance) -> None:  # type: ignore[no-untyped-def]
    scores = _scores(example)
    given = resolve_given_scores(example_instance, scores, "scores.csv")
    assert given.p.size == given.s.size == given.score.size == scores.height == 374
    pid = example_instance.p_id[given.p]
    sid = example_instance.s_id[given.s]
    assert pid.tolist() == scores["participant_id"].to_list()
    assert sid.tolist() == scores["slot_id"].to_list()
    np.testing.assert_allclose(given.score, scores["score"].cast(pl.Float64).to_numpy())


def test_given_scores_accept_numeric_columns(example: Path, example_instance) -> None:  # type: ignore[no-untyped-def]
    scores = _scores(example).with_columns(pl.col("score").cast(pl.Float64))
    given = resolve_given_scores(example_instance, scores, "scores.parquet")
    assert math.isclose(float(given.score.sum()), float(scores["score"].sum()))


def _with(scores: pl.DataFrame, row: int, column: str, value: str | None) -> pl.DataFrame:
    """``scores`` with the cell at 1-based ``row`` replaced."""
    mask = pl.Series([i == row - 1 for i in range(scores.height)])
    return scores.with_columns(
        pl.when(mask).then(pl.lit(value, dtype=pl.String)).otherwise(pl.col(column)).alias(column)
    )


@pytest.mark.parametrize(
    ("row", "column", "value"),
    [
        (1, "participant_id", "P99"),
        (20, "slot_id", "S99"),
        (7, "score", None),
        (7, "score", ""),
        (8, "score", "inf"),
        (9, "score", "-inf"),
        (10, "score", "nan"),
        (11, "score", "NaN"),
        (12, "score", "hög"),
    ],
)
def test_given_scores_bad_cell(example: Path, example_instance, row: int, column: str,  # type: ignore[no-untyped-def]
                               value: str | None) -> None:
    scores = _with(_scores(example), row, column, value)
    with pytest.raises(InputError) as info:
        resolve_given_scores(example_instance, scores, "scores.csv")
    assert where(info.value.problems) == {("scores.csv", row, column)}
    assert located("scores.csv", row, column) in str(info.value)


def test_given_scores_empty_cell_from_csv(example: Path, example_instance) -> None:  # type: ignore[no-untyped-def]
    text = (example / "scores.csv").read_text().splitlines()
    text[3] = text[3].rsplit(",", 1)[0] + ","  # data row 3
    (example / "scores.csv").write_text("\n".join(text) + "\n")
    with pytest.raises(InputError) as info:
        resolve_given_scores(example_instance, _scores(example), "scores.csv")
    assert where(info.value.problems) == {("scores.csv", 3, "score")}


def test_given_scores_non_finite_float_column(example: Path, example_instance) -> None:  # type: ignore[no-untyped-def]
    scores = _scores(example).with_columns(pl.col("score").cast(pl.Float64))
    scores = scores.with_columns(
        pl.when(pl.int_range(pl.len()) == 4).then(float("nan"))
        .when(pl.int_range(pl.len()) == 5).then(float("inf"))
        .otherwise(pl.col("score")).alias("score")
    )
    with pytest.raises(InputError) as info:
        resolve_given_scores(example_instance, scores, "scores.parquet")
    assert where(info.value.problems) == {("scores.parquet", 5, "score"),
                                          ("scores.parquet", 6, "score")}


def test_given_scores_duplicate_pair(example: Path, example_instance) -> None:  # type: ignore[no-untyped-def]
    scores = _scores(example)
    scores = pl.concat([scores, scores.slice(4, 1).with_columns(pl.lit("2.0").alias("score"))])
    with pytest.raises(InputError) as info:
        resolve_given_scores(example_instance, scores, "scores.csv")
    (problem,) = info.value.problems
    assert (problem.file, problem.row) == ("scores.csv", 375)
    assert problem.column in ("participant_id", "slot_id")
    assert "P01" in problem.message and "S05" in problem.message
    assert "scores.csv, row 375, column" in str(info.value)


def test_given_scores_missing_column(example: Path, example_instance) -> None:  # type: ignore[no-untyped-def]
    scores = _scores(example).drop("score")
    with pytest.raises(InputError) as info:
        resolve_given_scores(example_instance, scores, "scores.csv")
    assert where(info.value.problems) == {("scores.csv", None, "score")}


def test_given_scores_several_problems_together(example: Path, example_instance) -> None:  # type: ignore[no-untyped-def]
    scores = _with(_with(_scores(example), 2, "participant_id", "P99"), 30, "score", "inf")
    with pytest.raises(InputError) as info:
        resolve_given_scores(example_instance, scores, "scores.csv")
    assert where(info.value.problems) == {("scores.csv", 2, "participant_id"),
                                          ("scores.csv", 30, "score")}
