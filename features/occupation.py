"""Occupation fit: a participant's occupational interests against the slot's SSYK code."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process

from features._common import (
    TAXONOMY_DIR,
    explode_list,
    is_block,
    normalise_text,
    require_columns,
)
from features.base import FeatureBuilder, FeatureInput
from features.exceptions import FeatureError, TaxonomyError

_COLUMNS = ["name", "ssyk4", "group_label", "field_id", "field_label"]


@dataclass(frozen=True)
class Taxonomy:
    """The occupation lookup built from ``occupations.csv``.

    Attributes
    ----------
    names : dict
        Normalised occupation name (or group label, or the head of a name before ``,``/``/``)
        -> SSYK-4 code.
    fields : dict
        SSYK-4 code -> occupation-field id.
    """

    names: dict[str, str]
    fields: dict[str, str]


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Read the occupation table and build the name and field lookups.

    Full names win over heads; a head shared by several groups (``"Butikssäljare"`` heads
    both ``"Butikssäljare, dagligvaror"`` and ``"Butikssäljare, fackhandel"``) goes to the
    group with the most occupation names, then the lowest code.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        Default ``data/taxonomy/occupations.csv`` of this repository.

    Raises
    ------
    TaxonomyError
        The file is missing, lacks a column or has a code that is not 4 digits.
    """
    file = Path(path) if path is not None else TAXONOMY_DIR / "occupations.csv"
    try:
        table = pl.read_csv(file, schema_overrides=dict.fromkeys(_COLUMNS, pl.Utf8))
    except (OSError, pl.exceptions.PolarsError) as exc:
        msg = f"cannot read the occupation taxonomy {file}: {exc}"
        raise TaxonomyError(msg) from exc
    missing = [c for c in _COLUMNS if c not in table.columns]
    if missing:
        msg = f"occupation taxonomy {file} lacks column(s) {', '.join(missing)}"
        raise TaxonomyError(msg)
    codes = table["ssyk4"].to_list()
    bad = [c for c in codes if c is None or not (c.isdigit() and len(c) == 4)]
    if bad:
        msg = f"occupation taxonomy {file} has SSYK codes that are not 4 digits: {bad[:3]}"
        raise TaxonomyError(msg)
    size = Counter(codes)
    names: dict[str, str] = {}
    for name, code in zip(table["name"], codes, strict=True):
        if name:
            names.setdefault(normalise_text(name), code)
    for label, code in zip(table["group_label"], codes, strict=True):
        if label:
            names.setdefault(normalise_text(label), code)
    heads: dict[str, set[str]] = {}
    for name, code in zip(table["name"], codes, strict=True):
        for part in str(name or "").replace("/", ",").split(","):
            head = normalise_text(part)
            if head and head not in names:
                heads.setdefault(head, set()).add(code)
    for head, options in heads.items():
        names[head] = min(options, key=lambda c: (-size[c], c))
    fields = {
        code: str(field)
        for code, field in zip(codes, table["field_id"], strict=True)
        if field is not None
    }
    return Taxonomy(names=names, fields=fields)


def _digits(codes: list[str], pad: int) -> np.ndarray:
    """Codes as an int8 matrix of their 4 digits, missing digits as ``pad``."""
    out = np.full((len(codes), 4), pad, dtype=np.int8)
    for i, code in enumerate(codes):
        out[i, : len(code)] = [int(ch) for ch in code]
    return out


class OccupationFit(FeatureBuilder):
    """Closeness of the participant's occupational interests to the slot's SSYK code.

    Interests are SSYK codes (1-4 digits) or occupation names. A name is looked up in the
    JobTech taxonomy (``data/taxonomy/occupations.csv``): exact normalised match on an
    occupation name, group label or the head of a name (``"Butikssäljare"`` -> 5223), else
    the closest name by :func:`rapidfuzz.fuzz.ratio` of at least ``name_cutoff``; names
    found nowhere are ignored.

    For an interest code ``i`` and slot code ``c``, ``k`` = number of leading digits they
    share (at most ``len(c)``, so a shorter slot code compares at the digits it has). The
    closeness is ``levels[k - 1]`` (default 0.25, 0.5, 0.75, 1.0 for the major group, 2, 3
    and 4 digits), and at least ``field_score`` when both are 4-digit groups in the same
    JobTech occupation field. The score is the maximum over the participant's interests;
    0 with no interests or no slot code.

    Parameters
    ----------
    taxonomy_path : str or pathlib.Path, optional
        The occupation CSV; default ``data/taxonomy/occupations.csv`` of this repository.
    name_cutoff : float, default 85.0
        Lowest rapidfuzz ratio for a fuzzy name match.
    levels : tuple of 4 floats, default (0.25, 0.5, 0.75, 1.0)
        Closeness for 1, 2, 3 and 4 shared leading digits.
    field_score : float, default 0.4
        Least closeness of two groups in the same occupation field.

    Attributes
    ----------
    interest_codes_ : list of str
        Unique SSYK codes of the participants' interests.
    slot_codes_ : list of str
        Unique slot SSYK codes.
    closeness_ : numpy.ndarray
        float32 (interest codes x slot codes).
    participant_set_ : numpy.ndarray
        int64 per participant: the row of ``best_`` for the participant's set of interest
        codes (row 0: no interests).
    best_ : numpy.ndarray
        float32 (interest sets x slot codes + 1): best closeness per set of interest codes;
        the last column (slots without a code) is 0.
    slot_code_index_ : numpy.ndarray
        int64 per slot: its column in ``best_``.
    """

    name = "occupation"

    def __init__(
        self,
        taxonomy_path: str | Path | None = None,
        name_cutoff: float = 85.0,
        levels: tuple[float, float, float, float] = (0.25, 0.5, 0.75, 1.0),
        field_score: float = 0.4,
    ) -> None:
        self.taxonomy_path = taxonomy_path
        self.name_cutoff = name_cutoff
        self.levels = levels
        self.field_score = field_score

    def _resolve(self, raw: list[str], taxonomy: Taxonomy) -> dict[str, str | None]:
        """Map each unique interest to an SSYK code (1-4 digits) or None."""
        out: dict[str, str | None] = {}
        fuzzy: list[tuple[str, str]] = []
        for text in set(raw):
            norm = normalise_text(text)
            compact = norm.replace(" ", "")
            if compact.isdigit() and 1 <= len(compact) <= 4:
                out[text] = compact
            elif norm in taxonomy.names:
                out[text] = taxonomy.names[norm]
            else:
                out[text] = None
                if norm:
                    fuzzy.append((text, norm))
        if fuzzy and taxonomy.names:
            keys = list(taxonomy.names)
            for text, norm in fuzzy:
                hit = process.extractOne(
                    norm, keys, scorer=fuzz.ratio, score_cutoff=self.name_cutoff
                )
                if hit is not None:
                    out[text] = taxonomy.names[hit[0]]
        return out

    def _closeness(
        self, icodes: list[str], scodes: list[str], fields: dict[str, str]
    ) -> np.ndarray:
        """Closeness table between interest codes and slot codes."""
        levels = np.asarray((0.0, *self.levels), dtype=np.float32)
        if levels.shape != (5,) or levels.min() < 0 or levels.max() > 1:
            msg = f"levels must be 4 values in [0, 1], got {self.levels!r}"
            raise FeatureError(msg)
        a = _digits(icodes, -1)[:, None, :]
        b = _digits(scodes, -2)[None, :, :]
        shared = np.cumprod(a == b, axis=2).sum(axis=2)
        table = levels[shared]
        ifield = np.array([fields.get(c, "") if len(c) == 4 else "" for c in icodes], dtype=object)
        sfield = np.array([fields.get(c, "") if len(c) == 4 else "" for c in scodes], dtype=object)
        same = (ifield[:, None] == sfield[None, :]) & (sfield[None, :] != "")
        table = np.where(same, np.maximum(table, np.float32(self.field_score)), table)
        return table.astype(np.float32)

    def fit(self, X: FeatureInput, y: None = None) -> Self:
        """Resolve interests to codes and tabulate each participant's best closeness.

        Parameters
        ----------
        X : FeatureInput
            Reads ``participants.interests`` and ``slots.ssyk``.
        y : None
            Ignored.

        Returns
        -------
        OccupationFit
            ``self``, fitted.
        """
        require_columns(X.participants, ["interests"], "participants")
        require_columns(X.slots, ["ssyk"], "slots")
        if not 0 <= float(self.field_score) <= 1:
            msg = f"field_score must be in [0, 1], got {self.field_score!r}"
            raise FeatureError(msg)
        taxonomy = load_taxonomy(self.taxonomy_path)
        n = X.participants.height

        rows, raw = explode_list(X.participants, "interests")
        resolved = self._resolve(raw, taxonomy)
        codes = [resolved[t] for t in raw]
        keep = np.fromiter((c is not None for c in codes), bool, len(codes))
        rows = rows[keep]
        kept = [c for c in codes if c is not None]
        icodes = sorted(set(kept))
        iindex = {c: i for i, c in enumerate(icodes)}
        icol = np.fromiter((iindex[c] for c in kept), np.int64, len(kept))

        slot_raw = [
            normalise_text(c).replace(" ", "") if c is not None else ""
            for c in X.slots["ssyk"].to_list()
        ]
        valid = [c if c.isdigit() and 1 <= len(c) <= 4 else "" for c in slot_raw]
        scodes = sorted({c for c in valid if c})
        sindex = {c: i for i, c in enumerate(scodes)}
        self.slot_code_index_ = np.fromiter(
            (sindex.get(c, len(scodes)) for c in valid), np.int64, len(valid)
        )

        table = self._closeness(icodes, scodes, taxonomy.fields)
        # participants with the same set of interest codes share one row of best_
        members: list[set[int]] = [set() for _ in range(n)]
        for r, c in zip(rows.tolist(), icol.tolist(), strict=True):
            members[r].add(c)
        set_index: dict[tuple[int, ...], int] = {(): 0}
        p_set = np.fromiter(
            (set_index.setdefault(tuple(sorted(ms)), len(set_index)) for ms in members),
            np.int64,
            n,
        )
        best = np.zeros((len(set_index), len(scodes) + 1), dtype=np.float32)
        for key, row in set_index.items():
            if key:
                best[row, : len(scodes)] = table[list(key)].max(axis=0)
        self.participant_set_ = p_set
        self.interest_codes_ = icodes
        self.slot_codes_ = scodes
        self.closeness_ = table
        self.best_ = best
        self.fitted_ = True
        return self

    def _score(self, p: np.ndarray, s: np.ndarray) -> np.ndarray:
        if is_block(p, s):
            rows = self.best_[self.participant_set_[p[:, 0]]]
            return np.take(rows, self.slot_code_index_[s[0, :]], axis=1)
        return self.best_[self.participant_set_[p], self.slot_code_index_[s]]
