"""The contract's tables as declared schemas: one ``Column`` per column, checked before any run."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

SWEDISH_LEVELS = ("none", "sfi_a", "sfi_b", "sfi_c", "sfi_d", "fluent")
SECTORS = ("municipal", "municipal_company", "private", "nonprofit")
REFERRERS = ("arbetsformedlingen", "forsorjningsenheten", "forsakringskassan", "egen", "annan")
READINESS = ("green", "yellow", "red")
EDUCATION = ("none", "compulsory", "upper_secondary", "post_secondary")
GENDERS = ("F", "M", "X")
PHYSICAL_LOAD = ("low", "medium", "high")
SLOT_STATUS = ("open", "filled", "withdrawn")
OUTCOMES = ("work", "studies", "completed", "broken_off", "back_to_referrer", "moved", "other")

#: Marks an enum whose values come from the rules config (the slot kinds).
KINDS = ("<kinds from rules>",)


@dataclass(frozen=True)
class Column:
    """One declared column.

    Attributes
    ----------
    name : the column's name in the file.
    type : ``id`` | ``str`` | ``int`` | ``float`` | ``bool`` | ``date`` | ``list`` | ``enum``.
    optional : the column may be absent, and its cells empty.
    values : for ``enum``, the allowed values.
    lo, hi : inclusive bounds for ``int`` and ``float``.
    pattern : for ``str``, a regular expression the whole value must match.
    """

    name: str
    type: str
    optional: bool = False
    values: tuple[str, ...] = ()
    lo: float | None = None
    hi: float | None = None
    pattern: str | None = None
    hint: str = ""


@dataclass(frozen=True)
class Table:
    """A declared table: its file stem, key column and columns."""

    name: str
    key: str
    columns: tuple[Column, ...]
    required: bool = True


WORKPLACES = Table(
    "workplaces",
    "workplace_id",
    (
        Column("workplace_id", "id"),
        Column("name", "str"),
        Column("employer", "str"),
        Column("sector", "enum", values=SECTORS),
        Column("area", "str"),
        Column("lat", "float", optional=True, lo=-90, hi=90),
        Column("lon", "float", optional=True, lo=-180, hi=180),
        Column("ordinary_staff", "int", lo=0),
        Column("supervisors", "int", lo=0),
        Column("union_approved_until", "date", optional=True),
        Column("staff_problems", "bool"),
        Column("last_staff_cut", "date", optional=True),
        Column("recruiting", "bool"),
        Column("languages", "list"),
    ),
)

SLOTS = Table(
    "slots",
    "slot_id",
    (
        Column("slot_id", "id"),
        Column("workplace_id", "id"),
        Column("kind", "enum", values=KINDS),
        Column("title", "str"),
        Column("ssyk", "str", optional=True, pattern=r"^\d{1,4}$", hint="1 to 4 digits"),
        Column("required_skills", "list"),
        Column("desired_skills", "list"),
        Column("min_swedish", "enum", values=SWEDISH_LEVELS),
        Column("seats", "int", lo=1),
        Column("start", "date"),
        Column("weeks", "int", lo=1),
        Column("min_capacity_pct", "int", lo=0, hi=100),
        Column("physical_load", "enum", values=PHYSICAL_LOAD),
        Column("driving_license", "bool"),
        Column("adapted", "bool"),
        Column("status", "enum", optional=True, values=SLOT_STATUS),
    ),
)

PARTICIPANTS = Table(
    "participants",
    "participant_id",
    (
        Column("participant_id", "id"),
        Column("birth_year", "int", lo=1900, hi=2100),
        Column("gender", "enum", optional=True, values=GENDERS),
        Column("referrer", "enum", values=REFERRERS),
        Column("enrolled", "date"),
        Column("readiness", "enum", values=READINESS),
        Column("work_capacity_pct", "int", lo=0, hi=100),
        Column("swedish", "enum", values=SWEDISH_LEVELS),
        Column("languages", "list"),
        Column("education", "enum", values=EDUCATION),
        Column("skills", "list"),
        Column("interests", "list"),
        Column("area", "str"),
        Column("lat", "float", optional=True, lo=-90, hi=90),
        Column("lon", "float", optional=True, lo=-180, hi=180),
        Column("max_commute_km", "float", optional=True, lo=0),
        Column("driving_license", "bool"),
        Column("physical_restrictions", "bool"),
        Column("needs_adapted", "bool"),
        Column("social_assistance_months", "int", lo=0),
        Column("newly_arrived", "bool"),
        Column("long_term_unemployed", "bool"),
        Column("disability", "bool"),
        Column("born_abroad", "bool", optional=True),
        Column("exited", "date", optional=True),
    ),
)

PLACEMENTS = Table(
    "placements",
    "placement_id",
    (
        Column("placement_id", "id"),
        Column("participant_id", "id"),
        Column("workplace_id", "id"),
        Column("slot_id", "id", optional=True),
        Column("kind", "enum", values=KINDS),
        Column("start", "date"),
        Column("end", "date", optional=True),
        Column("outcome", "enum", optional=True, values=OUTCOMES),
    ),
    required=False,
)

TABLES = (WORKPLACES, SLOTS, PARTICIPANTS, PLACEMENTS)

#: (table, column, referenced table): every reference that must resolve.
REFERENCES = (
    ("slots", "workplace_id", "workplaces"),
    ("placements", "participant_id", "participants"),
    ("placements", "workplace_id", "workplaces"),
    ("placements", "slot_id", "slots"),
)

_DTYPES = {"int": pl.Int64, "float": pl.Float64, "bool": pl.Boolean, "date": pl.Date}


def dtype_of(column: Column) -> pl.DataType:
    """The polars dtype a validated column has."""
    if column.type == "list":
        return pl.List(pl.String)
    return _DTYPES.get(column.type, pl.String)()


def polars_schema(table: Table) -> dict[str, pl.DataType]:
    """The validated table's columns and dtypes, in the contract's order."""
    return {c.name: dtype_of(c) for c in table.columns}


TABLE_BY_NAME = {t.name: t for t in TABLES}
