"""Language support: Swedish margin over the slot's requirement and supervisors' languages."""

from __future__ import annotations

from typing import Self

import numpy as np

from features._common import SWEDISH_LEVELS, explode_list, normalise_text, require_columns
from features.base import FeatureBuilder, FeatureInput
from features.exceptions import FeatureError


def _levels(values: list[str | None], column: str) -> np.ndarray:
    """Swedish levels 0..5 from the contract's codes."""
    out = np.empty(len(values), dtype=np.float32)
    for i, v in enumerate(values):
        key = (v or "").strip().lower()
        if key not in SWEDISH_LEVELS:
            msg = f"{column} has an unknown Swedish level {v!r} (row {i})"
            raise FeatureError(msg)
        out[i] = SWEDISH_LEVELS[key]
    return out


def _bitmasks(rows: np.ndarray, ids: np.ndarray, n: int, words: int) -> np.ndarray:
    """Language sets as (n, words) uint64 bitmasks."""
    out = np.zeros((n, max(words, 1)), dtype=np.uint64)
    bits = np.left_shift(np.uint64(1), (ids % 64).astype(np.uint64))
    np.bitwise_or.at(out, (rows, ids // 64), bits)
    return out


class LanguageSupport(FeatureBuilder):
    """How well the workplace supports the participant's language.

    With ``lp`` and ``ls`` the participant's Swedish level and the slot's ``min_swedish``
    on the scale none=0, sfi_a=1, ..., sfi_d=4, fluent=5::

        A = clip((lp - ls) / margin_levels, 0, 1)           # Swedish margin
        B = 1                                                 if the participant is fluent
          = swedish_share * [sv in wp_languages]
            + (1 - swedish_share) * [a supervisor speaks one of the participant's other
                                     languages]              otherwise
        score = (margin_weight * A + support_weight * B) / (margin_weight + support_weight)

    ``B`` rewards a workplace where someone speaks Swedish with the participant (without it
    the placement does not build the language, seed 003) and where a supervisor shares
    another of the participant's languages, so instructions can be explained. Language codes
    are compared case-insensitively; ``sv`` among the participant's languages is ignored
    for the second term.

    Parameters
    ----------
    margin_weight : float, default 0.5
    support_weight : float, default 0.5
    margin_levels : float, default 2.0
        Levels of margin that give a full ``A``.
    swedish_share : float, default 0.5
        Share of ``B`` for a Swedish-speaking workplace.

    Attributes
    ----------
    languages_ : list of str
        Languages both some participant and some workplace speak (other than ``sv``).
    table_ : numpy.ndarray
        float32 (144,): the score for every combination of participant level, slot level,
        Swedish at the workplace and a shared language.
    """

    name = "language"

    def __init__(
        self,
        margin_weight: float = 0.5,
        support_weight: float = 0.5,
        margin_levels: float = 2.0,
        swedish_share: float = 0.5,
    ) -> None:
        self.margin_weight = margin_weight
        self.support_weight = support_weight
        self.margin_levels = margin_levels
        self.swedish_share = swedish_share

    def fit(self, X: FeatureInput, y: None = None) -> Self:
        """Encode Swedish levels and language sets.

        Parameters
        ----------
        X : FeatureInput
            Reads ``participants.swedish``, ``participants.languages``,
            ``slots.min_swedish`` and ``slots.wp_languages``.
        y : None
            Ignored.

        Returns
        -------
        LanguageSupport
            ``self``, fitted.
        """
        wa, wb = float(self.margin_weight), float(self.support_weight)
        if wa < 0 or wb < 0 or wa + wb <= 0 or float(self.margin_levels) <= 0:
            msg = "LanguageSupport weights must be >= 0, not both 0, and margin_levels > 0"
            raise FeatureError(msg)
        if not 0 <= float(self.swedish_share) <= 1:
            msg = f"swedish_share must be in [0, 1], got {self.swedish_share!r}"
            raise FeatureError(msg)
        require_columns(X.participants, ["swedish", "languages"], "participants")
        require_columns(X.slots, ["min_swedish", "wp_languages"], "slots")
        n, m = X.participants.height, X.slots.height
        self.p_level_ = _levels(X.participants["swedish"].to_list(), "participants.swedish")
        self.s_level_ = _levels(X.slots["min_swedish"].to_list(), "slots.min_swedish")

        p_rows, p_raw = explode_list(X.participants, "languages")
        w_rows, w_raw = explode_list(X.slots, "wp_languages")
        p_codes = [normalise_text(c) for c in p_raw]
        w_codes = [normalise_text(c) for c in w_raw]
        sv = np.zeros(m, dtype=bool)
        sv[w_rows[np.array([c == "sv" for c in w_codes], dtype=bool)]] = True
        shared = sorted((set(p_codes) & set(w_codes)) - {"sv"})
        index = {c: i for i, c in enumerate(shared)}
        words = (len(shared) + 63) // 64

        def masks(rows: np.ndarray, codes: list[str], size: int) -> np.ndarray:
            ids = np.fromiter((index.get(c, -1) for c in codes), np.int64, len(codes))
            keep = ids >= 0
            return _bitmasks(rows[keep], ids[keep], size, words)

        self.languages_ = shared
        self.p_masks_ = masks(p_rows, p_codes, n)
        self.s_masks_ = masks(w_rows, w_codes, m)
        # score as a lookup: key = 24 * lp + 4 * ls + 2 * [sv at workplace] + [shared language]
        lp, ls, sv_s, common = np.meshgrid(
            np.arange(6), np.arange(6), np.arange(2), np.arange(2), indexing="ij"
        )
        share = float(self.swedish_share)
        margin = np.clip((lp - ls) / float(self.margin_levels), 0.0, 1.0)
        support = np.where(lp >= SWEDISH_LEVELS["fluent"], 1.0, share * sv_s + (1 - share) * common)
        self.table_ = ((wa * margin + wb * support) / (wa + wb)).astype(np.float32).ravel()
        self.p_key_ = (24 * self.p_level_).astype(np.uint8)
        self.s_key_ = (4 * self.s_level_ + 2 * sv).astype(np.uint8)
        self.fitted_ = True
        return self

    def _score(self, p: np.ndarray, s: np.ndarray) -> np.ndarray:
        common = (self.p_masks_[p, 0] & self.s_masks_[s, 0]) != 0
        for w in range(1, self.p_masks_.shape[1]):
            common |= (self.p_masks_[p, w] & self.s_masks_[s, w]) != 0
        key = self.p_key_[p] + self.s_key_[s] + common.view(np.uint8)
        return self.table_[key]
