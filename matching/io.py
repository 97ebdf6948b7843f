"""Reading a data folder in the contract format: every table parsed and checked, or nothing.

All problems found are gathered (up to ``MAX_PROBLEMS``) and raised together as one
:class:`~matching.exceptions.InputError`, each naming the file, the row (1-based data row; the
header is row 0) and the column. Nothing downstream runs on half-valid data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from matching.config import Rules
from matching.exceptions import InputError, Problem
from matching.schema import KINDS, REFERENCES, TABLES, Column, Table, dtype_of, polars_schema

MAX_PROBLEMS = 50

# 10 or 12 digits, optionally '-' or '+' before the last four, not inside a longer digit run.
_PNR_RE = r"(?:^|[^0-9])([0-9]{6}|[0-9]{8})[-+]?[0-9]{4}(?:[^0-9]|$)"
_PNR_FULL_RE = r"^([0-9]{6}|[0-9]{8})[-+]?[0-9]{4}$"
# The same, for Python's re: look-arounds so a match never uses up the separator before the next.
_PNR_PY_RE = re.compile(r"(?<![0-9])([0-9]{6}|[0-9]{8})[-+]?[0-9]{4}(?![0-9])")


@dataclass(frozen=True)
class Dataset:
    """The four validated contract tables (``placements`` may be empty).

    Columns follow the contract in its order, with these dtypes: ids, text and enums ``String``,
    counts ``Int64``, coordinates ``Float64``, flags ``Boolean``, dates ``Date`` and lists
    ``List(String)`` (never null; empty when the cell is). Optional columns are always present.
    """

    workplaces: pl.DataFrame
    slots: pl.DataFrame
    participants: pl.DataFrame
    placements: pl.DataFrame


def _is_valid_date_prefix(digits: str) -> bool:
    """Do the first 6 (YYMMDD) or 8 (YYYYMMDD) of these digits form a real date?"""
    if len(digits) == 6:
        yy, mm, dd = int(digits[:2]), int(digits[2:4]), int(digits[4:6])
        years: tuple[int, ...] = (1900 + yy, 2000 + yy)
    else:
        years = (int(digits[:4]),)
        mm, dd = int(digits[4:6]), int(digits[6:8])
    for year in years:
        try:
            date(year, mm, dd)
        except ValueError:
            continue
        return True
    return False


def looks_like_personnummer(value: str, *, embedded: bool = True) -> bool:
    """Whether ``value`` holds a Swedish personal identity number (per the data contract).

    Parameters
    ----------
    value : str
        A cell or list item.
    embedded : bool
        Also look inside longer text (free-text fields); otherwise the whole value must be one.
    """
    if not embedded:
        m = re.match(_PNR_FULL_RE, value)
        return m is not None and _is_valid_date_prefix(m.group(1))
    return any(_is_valid_date_prefix(m.group(1)) for m in _PNR_PY_RE.finditer(value))


class _Collector:
    """Gathers problems; stops collecting (not checking) past the limit."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.truncated = 0

    def add(self, file: str, row: int | None, column: str | None, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(file, row, column, message))
        else:
            self.truncated += 1

    def add_rows(self, file: str, rows: pl.Series, column: str, values: pl.Series,
                 message: str) -> None:
        for row, value in zip(rows.to_list()[:MAX_PROBLEMS], values.to_list()[:MAX_PROBLEMS],
                              strict=True):
            self.add(file, int(row), column, message.format(value=show_value(value)))
        extra = rows.len() - MAX_PROBLEMS
        if extra > 0:
            self.truncated += extra

    def raise_if_any(self) -> None:
        if self.problems:
            if self.truncated:
                self.problems.append(
                    Problem("(input)", None, None, f"... and {self.truncated} more problem(s)")
                )
            raise InputError(self.problems)


def show_value(value: object) -> str:
    """A cell for an error message; a personnummer is never echoed."""
    if isinstance(value, str) and looks_like_personnummer(value):
        return "(a value that looks like a personnummer; not shown)"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "...'"


def _find_file(folder: Path, table: Table, bag: _Collector) -> Path | None:
    found = [p for p in (folder / f"{table.name}.csv", folder / f"{table.name}.parquet")
             if p.is_file()]
    if len(found) > 1:
        bag.add(found[0].name, None, None,
                f"both {table.name}.csv and {table.name}.parquet exist; keep one")
        return None
    if not found:
        if table.required:
            bag.add(f"{table.name}.csv", None, None,
                    f"missing: {folder} has no {table.name}.csv or {table.name}.parquet")
        return None
    return found[0]


def _read_raw(path: Path, bag: _Collector) -> pl.DataFrame | None:
    try:
        if path.suffix == ".csv":
            df = pl.read_csv(path, infer_schema=False, encoding="utf8")
        else:
            df = pl.read_parquet(path)
    except Exception as exc:  # polars raises several kinds for unreadable files
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        bag.add(path.name, None, None, f"cannot be read as {path.suffix[1:].upper()}: {first}")
        return None
    # A UTF-8 byte-order mark from Excel ends up in the first header.
    if df.columns and df.columns[0].startswith("\ufeff"):
        df = df.rename({df.columns[0]: df.columns[0].lstrip("\ufeff")})
    return df


def _as_text(s: pl.Series) -> pl.Series:
    """A column as stripped text, empty -> null (lists left as they are)."""
    if s.dtype == pl.String:
        out = s.str.strip_chars()
    elif isinstance(s.dtype, pl.List):
        return s
    else:
        out = s.cast(pl.String)
    return out.replace("", None)


def _parse(col: Column, raw: pl.Series, kinds: tuple[str, ...], file: str,
           rows: pl.Series, bag: _Collector) -> pl.Series:
    """Parse one column to its declared dtype, reporting every bad cell."""
    name = col.name
    is_list = isinstance(raw.dtype, pl.List)
    text = raw if is_list else _as_text(raw)
    missing = text.is_null()

    if col.type == "list":
        if is_list:
            out = raw.cast(pl.List(pl.String)).list.eval(
                pl.element().str.strip_chars().filter(pl.element().str.len_chars() > 0)
            )
        else:
            out = text.str.split(";").list.eval(
                pl.element().str.strip_chars().filter(pl.element().str.len_chars() > 0)
            )
        return out.fill_null(pl.lit([], dtype=pl.List(pl.String))).alias(name)

    if is_list:
        bag.add(file, None, name, "must be a single value, not a list")
        return pl.Series(name, [None] * raw.len())

    if not col.optional:
        bad = missing
        if bad.any():
            bag.add_rows(file, rows.filter(bad), name, raw.filter(bad),
                         "empty cell in a required column")

    if col.type in ("id", "str"):
        out = text
        if col.pattern is not None:
            bad = ~missing & ~out.str.contains(col.pattern).fill_null(False)
            if bad.any():
                bag.add_rows(file, rows.filter(bad), name, out.filter(bad),
                             f"{{value}} is not valid ({col.hint or col.pattern})")
        return out.alias(name)

    if col.type == "enum":
        allowed = kinds if col.values == KINDS else col.values
        bad = ~missing & ~text.is_in(list(allowed))
        if bad.any():
            bag.add_rows(file, rows.filter(bad), name, text.filter(bad),
                         f"{{value}} is not one of {', '.join(allowed)}")
        return text.alias(name)

    if col.type == "bool":
        if raw.dtype == pl.Boolean:
            return raw.alias(name)
        low = text.str.to_lowercase()
        out = low.replace_strict({"true": True, "1": True, "false": False, "0": False},
                                 default=None, return_dtype=pl.Boolean)
        bad = ~missing & out.is_null()
        if bad.any():
            bag.add_rows(file, rows.filter(bad), name, text.filter(bad),
                         "{value} is not a boolean (true/false or 1/0)")
        return out.alias(name)

    if col.type in ("int", "float"):
        target = pl.Int64 if col.type == "int" else pl.Float64
        if raw.dtype.is_numeric() and col.type == "int" and raw.dtype.is_float():
            integral = raw.is_null() | (raw == raw.round(0))
            out = raw.cast(pl.Int64, strict=False).set(~integral, None)
        elif raw.dtype.is_numeric():
            out = raw.cast(target, strict=False)
        else:
            out = text.cast(target, strict=False)
        bad = ~missing & out.is_null()
        if col.type == "float":
            bad = bad | (~out.is_null() & ~out.is_finite().fill_null(True))
        if bad.any():
            bag.add_rows(file, rows.filter(bad), name, raw.filter(bad),
                         f"{{value}} is not {'an integer' if col.type == 'int' else 'a number'}")
        ok = ~bad & ~out.is_null()
        if col.lo is not None or col.hi is not None:
            lo = col.lo if col.lo is not None else float("-inf")
            hi = col.hi if col.hi is not None else float("inf")
            out_of = ok & ((out < lo) | (out > hi))
            if out_of.any():
                rng = (f">= {col.lo:g}" if col.hi is None else
                       f"between {col.lo:g} and {col.hi:g}")
                bag.add_rows(file, rows.filter(out_of), name, out.filter(out_of),
                             f"{{value}} must be {rng}")
        return out.alias(name)

    if col.type == "date":
        if raw.dtype == pl.Date:
            return raw.alias(name)
        if raw.dtype == pl.Datetime:
            return raw.dt.date().alias(name)
        out = text.str.to_date("%Y-%m-%d", strict=False)
        bad = ~missing & out.is_null()
        if bad.any():
            bag.add_rows(file, rows.filter(bad), name, text.filter(bad),
                         "{value} is not a date (YYYY-MM-DD)")
        return out.alias(name)

    msg = f"unknown column type {col.type!r}"
    raise AssertionError(msg)


PERSONNUMMER_MESSAGE = ("holds a value that looks like a personnummer (personal identity "
                        "number); use a pseudonymous id and remove it")


def personnummer_rows(s: pl.Series, *, embedded: bool = True) -> list[int]:
    """0-based positions of the cells of ``s`` that hold a personnummer-like value.

    A regular expression over the whole column finds the few candidates; only those are checked
    for a valid date in Python. List columns count a row when any item holds one; other types
    than text, integers and lists cannot hold one.
    """
    rows = pl.Series("r", range(s.len()), dtype=pl.Int64)
    if isinstance(s.dtype, pl.List):
        flat = pl.DataFrame({"r": rows, "v": s.cast(pl.List(pl.String))}).explode("v")
        r, v = flat["r"], flat["v"]
    elif s.dtype == pl.String:
        r, v = rows, s
    elif s.dtype.is_integer():
        r, v = rows, s.cast(pl.String)
    else:
        return []
    hit = v.str.contains(_PNR_RE if embedded else _PNR_FULL_RE).fill_null(False)
    if not hit.any():
        return []
    found = {int(row) for row, value in zip(r.filter(hit).to_list(), v.filter(hit).to_list(),
                                            strict=True)
             if looks_like_personnummer(value, embedded=embedded)}
    return sorted(found)


def _check_personnummer(df: pl.DataFrame, table: Table, file: str, rows: pl.Series,
                        bag: _Collector) -> None:
    """Refuse any cell (declared or extra column, list items included) holding a personnummer."""
    declared = {c.name: c for c in table.columns}
    for name in df.columns:
        col = declared.get(name)
        embedded = col is None or col.type in ("str", "list", "id")
        for pos in personnummer_rows(df[name], embedded=embedded):
            # Never echo the number itself: it is personal data.
            bag.add(file, int(rows[pos]), name, PERSONNUMMER_MESSAGE)


def _load_table(folder: Path, table: Table, kinds: tuple[str, ...],
                bag: _Collector) -> tuple[pl.DataFrame | None, str]:
    """The parsed table (with its data-row numbers in ``_row``) and its file's name."""
    path = _find_file(folder, table, bag)
    if path is None:
        return None, f"{table.name}.csv"
    file = path.name
    raw = _read_raw(path, bag)
    if raw is None:
        return None, file
    rows = pl.Series("row", range(1, raw.height + 1), dtype=pl.Int64)
    _check_personnummer(raw, table, file, rows, bag)
    missing_cols = [c.name for c in table.columns if not c.optional and c.name not in raw.columns]
    for name in missing_cols:
        bag.add(file, None, name, "required column is missing")
    if missing_cols:
        return None, file
    parsed = []
    for col in table.columns:
        if col.name in raw.columns:
            parsed.append(_parse(col, raw[col.name], kinds, file, rows, bag))
        elif col.type == "list":
            parsed.append(pl.Series(col.name, [[]] * raw.height, dtype=pl.List(pl.String)))
        else:
            parsed.append(pl.Series(col.name, [None] * raw.height, dtype=dtype_of(col)))
    df = pl.DataFrame(parsed)
    key = df[table.key]
    dup = key.is_duplicated() & ~key.is_first_distinct() & key.is_not_null()
    if dup.any():
        first_row = {v: i + 1 for i, v in reversed(list(enumerate(key.to_list())))}
        for row, value in zip(rows.filter(dup).to_list(), key.filter(dup).to_list(), strict=True):
            bag.add(file, int(row), table.key,
                    f"duplicate id {show_value(value)} (first at row {first_row[value]})")
    return df.with_columns(rows.alias("_row")), file


def load_dataset(folder: Path | str, rules: Rules) -> Dataset:
    """Read and validate a data folder (``NAME.csv`` or ``NAME.parquet`` per table).

    Parameters
    ----------
    folder : path-like
        Holds ``workplaces``, ``slots``, ``participants`` and optionally ``placements``.
    rules : Rules
        Supplies the allowed slot kinds.

    Returns
    -------
    Dataset

    Raises
    ------
    InputError
        Lists every problem found: missing file or column, bad value, duplicate id, dangling
        reference, a placement ending before it starts, a personnummer-like value.
    """
    folder = Path(folder)
    bag = _Collector()
    if not folder.is_dir():
        bag.add(str(folder), None, None, "no such data folder")
        bag.raise_if_any()
    kinds = tuple(rules.kind_names)
    loaded = {t.name: _load_table(folder, t, kinds, bag) for t in TABLES}
    frames = {name: df for name, (df, _) in loaded.items()}
    files = {name: file for name, (_, file) in loaded.items()}

    for table, column, target in REFERENCES:
        src, dst = frames.get(table), frames.get(target)
        if src is None or dst is None:
            continue
        key = next(t.key for t in TABLES if t.name == target)
        values = src[column]
        bad = values.is_not_null() & ~values.is_in(dst[key].drop_nulls().implode())
        if bad.any():
            bag.add_rows(files[table], src["_row"].filter(bad), column, values.filter(bad),
                         f"{{value}} does not exist in {files[target]}")

    placements = frames.get("placements")
    if placements is not None:
        bad = (placements["end"] < placements["start"]).fill_null(False)
        if bad.any():
            bag.add_rows(files["placements"], placements["_row"].filter(bad), "end",
                         placements["end"].filter(bad).cast(pl.String),
                         "{value} is before the placement's start")
    bag.raise_if_any()

    def final(name: str) -> pl.DataFrame:
        df = frames[name]
        if df is None:  # only placements may be absent
            table = next(t for t in TABLES if t.name == name)
            return _empty(table)
        return df.drop("_row")

    return Dataset(
        workplaces=final("workplaces"),
        slots=final("slots"),
        participants=final("participants"),
        placements=final("placements"),
    )


def _empty(table: Table) -> pl.DataFrame:
    return pl.DataFrame(schema=polars_schema(table))
