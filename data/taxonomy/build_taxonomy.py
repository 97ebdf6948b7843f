"""Build ``occupations.csv`` from the JobTech taxonomy export (2021 snapshot).

Reads the JobTech ``values.json`` (a list of concepts) and writes one row per occupation name
and one per occupation group (the 400 SSYK-4 groups' own labels are names too)::

    name,ssyk4,group_label,field_id,field_label,source

``source`` is ``group`` for an occupation group's own label and ``name`` for an occupation
name. The taxonomy is © JobTech / Arbetsförmedlingen, Apache-2.0 (see ``NOTICE``).

Usage::

    python data/taxonomy/build_taxonomy.py [VALUES_JSON] [OUT_CSV]
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = Path("/work/shared/taxonomy/jobtech-2021/values.json")
DEFAULT_OUT = HERE / "occupations.csv"
FIELDS = ["name", "ssyk4", "group_label", "field_id", "field_label", "source"]


def _group_row(group: dict[str, Any], name: str, source: str) -> dict[str, str]:
    field = group.get("parent") or {}
    return {
        "name": name.strip(),
        "ssyk4": str(group["legacy_ams_taxonomy_id"]).strip(),
        "group_label": group["label"].strip(),
        "field_id": str(field.get("legacy_ams_taxonomy_id", "")).strip(),
        "field_label": str(field.get("label", "")).strip(),
        "source": source,
    }


def source_rank(row: dict[str, str]) -> int:
    """Order of preference when a name is both a group label and an occupation name."""
    return 0 if row["source"] == "group" else 1


def build(source: Path = DEFAULT_SOURCE, out: Path = DEFAULT_OUT) -> int:
    """Write the compact occupation table; return the number of rows written."""
    concepts = json.loads(source.read_text(encoding="utf-8"))
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for concept in concepts:
        kind = concept.get("type")
        if kind == "occupation-group":
            row = _group_row(concept, concept["label"], "group")
        elif kind == "occupation-name" and concept.get("parent", {}).get("type") == (
            "occupation-group"
        ):
            row = _group_row(concept["parent"], concept["label"], "name")
        else:
            continue
        if not (row["ssyk4"].isdigit() and len(row["ssyk4"]) == 4):
            msg = f"occupation group without an SSYK-4 code: {row['group_label']!r}"
            raise ValueError(msg)
        key = (row["name"], row["ssyk4"])
        if key not in rows or source_rank(row) < source_rank(rows[key]):
            rows[key] = row
    ordered = sorted(rows.values(), key=lambda r: (r["ssyk4"], r["source"] != "group", r["name"]))
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(ordered)
    return len(ordered)


if __name__ == "__main__":
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE
    dst = Path(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_OUT
    n = build(src, dst)
    print(f"wrote {n} rows to {dst}")
