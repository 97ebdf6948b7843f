"""Helpers shared by the feature builders: text normalisation, index handling, column access."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import polars as pl

from features.exceptions import FeatureError

#: Folder of the committed taxonomy files (occupations, skill synonyms).
TAXONOMY_DIR = Path(__file__).resolve().parent.parent / "data" / "taxonomy"

#: The Swedish scale of the data contract, as ordered levels 0..5.
SWEDISH_LEVELS: dict[str, int] = {
    "none": 0,
    "sfi_a": 1,
    "sfi_b": 2,
    "sfi_c": 3,
    "sfi_d": 4,
    "fluent": 5,
}

_NON_WORD = re.compile(r"[\W_]+")


def normalise_text(text: str) -> str:
    """Normalise free text for matching: NFC, case-folded, punctuation to single spaces.

    Parameters
    ----------
    text : str
        Any text, e.g. a skill or an occupation name.

    Returns
    -------
    str
        The normalised text (``"Truck-kort  A"`` -> ``"truck kort a"``).
    """
    folded = unicodedata.normalize("NFC", text).casefold()
    return " ".join(_NON_WORD.sub(" ", folded).split())


def require_columns(df: pl.DataFrame, columns: Iterable[str], table: str) -> None:
    """Raise :class:`FeatureError` naming the columns of ``columns`` missing from ``df``."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        msg = f"{table} lacks column(s) {', '.join(missing)}"
        raise FeatureError(msg)


def explode_list(df: pl.DataFrame, column: str) -> tuple[np.ndarray, list[str]]:
    """Flatten a ``List(String)`` column into (row positions, values).

    Null and empty-after-strip values are dropped.

    Returns
    -------
    rows : numpy.ndarray
        int64 row position of each value.
    values : list of str
        The values, in row order.
    """
    flat = (
        df.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"), pl.col(column))
        .explode(column)
        .drop_nulls(column)
        .filter(pl.col(column).str.strip_chars() != "")
    )
    return flat["_row"].to_numpy(), flat[column].to_list()


def is_block(p: np.ndarray, s: np.ndarray) -> bool:
    """True when ``(p, s)`` are the ``(c, 1)`` and ``(1, m)`` index arrays of a block."""
    return p.ndim == 2 and s.ndim == 2 and p.shape[1] == 1 and s.shape[0] == 1


def bool_array(series: pl.Series) -> np.ndarray:
    """A Boolean column as a numpy bool array, nulls as False."""
    return series.fill_null(False).to_numpy().astype(bool)


def float_array(series: pl.Series) -> np.ndarray:
    """A numeric column as float64 with nulls as NaN."""
    return series.cast(pl.Float64).fill_null(np.nan).to_numpy().astype(np.float64)
