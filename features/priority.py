"""Priority: who should be helped first, independent of the slot."""

from __future__ import annotations

from typing import Self

import numpy as np
import polars as pl

from features._common import require_columns
from features.base import FeatureBuilder, FeatureInput
from features.exceptions import FeatureError

#: The names of the sub-parts, in the order of the weights.
PRIORITY_PARTS = ("social_assistance", "aterbruk", "waiting")


class Priority(FeatureBuilder):
    """Participant-level priority, the same for every slot.

    A weighted mean of three parts, each in [0, 1]::

        social_assistance = min(social_assistance_months / social_assistance_full_months, 1)
        aterbruk          = clip(days_aterbruk / aterbruk_max_days, 0, 1)
        waiting           = clip((as_of - enrolled).days / waiting_full_days, 0, 1)
        score = (w_sa * social_assistance + w_ab * aterbruk + w_wait * waiting)
                / (w_sa + w_ab + w_wait)

    So people long on social assistance, close to the Återbruk limit (they need a next step
    before it runs out) or long waiting come first: a counterweight to *creaming*.

    Parameters
    ----------
    social_assistance_weight : float, default 1.0
    aterbruk_weight : float, default 1.0
    waiting_weight : float, default 1.0
    social_assistance_full_months : float, default 36.0
    waiting_full_days : float, default 365.0

    Attributes
    ----------
    parts_ : numpy.ndarray
        float32 (participants x 3): the parts in the order of ``PRIORITY_PARTS``.
    priority_ : numpy.ndarray
        float32 per participant: the weighted mean.
    """

    name = "priority"

    def __init__(
        self,
        social_assistance_weight: float = 1.0,
        aterbruk_weight: float = 1.0,
        waiting_weight: float = 1.0,
        social_assistance_full_months: float = 36.0,
        waiting_full_days: float = 365.0,
    ) -> None:
        self.social_assistance_weight = social_assistance_weight
        self.aterbruk_weight = aterbruk_weight
        self.waiting_weight = waiting_weight
        self.social_assistance_full_months = social_assistance_full_months
        self.waiting_full_days = waiting_full_days

    def fit(self, X: FeatureInput, y: None = None) -> Self:
        """Compute the parts per participant.

        Parameters
        ----------
        X : FeatureInput
            Reads ``participants.social_assistance_months``, ``participants.enrolled``,
            ``X.days_aterbruk``, ``X.aterbruk_max_days`` and ``X.as_of``.
        y : None
            Ignored.

        Returns
        -------
        Priority
            ``self``, fitted.
        """
        weights = np.array(
            [self.social_assistance_weight, self.aterbruk_weight, self.waiting_weight],
            dtype=np.float64,
        )
        if (weights < 0).any() or weights.sum() <= 0:
            msg = f"Priority weights must be >= 0 and not all 0, got {weights.tolist()}"
            raise FeatureError(msg)
        if self.social_assistance_full_months <= 0 or self.waiting_full_days <= 0:
            msg = "social_assistance_full_months and waiting_full_days must be > 0"
            raise FeatureError(msg)
        part = X.participants
        require_columns(part, ["social_assistance_months", "enrolled"], "participants")
        n = part.height
        days_ab = np.asarray(X.days_aterbruk, dtype=np.float64).reshape(-1)
        if days_ab.shape != (n,):
            msg = f"days_aterbruk has {days_ab.size} values for {n} participants"
            raise FeatureError(msg)
        months = part["social_assistance_months"].cast(pl.Float64).fill_null(0.0).to_numpy()
        waited = (
            part.select((pl.lit(X.as_of) - pl.col("enrolled")).dt.total_days().alias("d"))["d"]
            .cast(pl.Float64)
            .fill_null(0.0)
            .to_numpy()
        )
        limit = float(X.aterbruk_max_days)
        parts = np.stack(
            [
                np.clip(months / float(self.social_assistance_full_months), 0.0, 1.0),
                np.clip(days_ab / limit, 0.0, 1.0) if limit > 0 else np.zeros(n),
                np.clip(waited / float(self.waiting_full_days), 0.0, 1.0),
            ],
            axis=1,
        )
        self.parts_ = parts.astype(np.float32)
        self.priority_ = (parts @ (weights / weights.sum())).astype(np.float32)
        self.fitted_ = True
        return self

    def _score(self, p: np.ndarray, s: np.ndarray) -> np.ndarray:
        return self.priority_[p]  # broadcast by the caller

    def transform_parts_pairs(self, p: np.ndarray, s: np.ndarray) -> dict[str, np.ndarray]:
        """The three sub-parts for the pairs ``(p[i], s[i])``.

        Returns
        -------
        dict
            ``{"social_assistance": ..., "aterbruk": ..., "waiting": ...}``, each float32 of
            shape ``(len(p),)``; the score is their weighted mean.
        """
        self._check_fitted()
        p = np.asarray(p, dtype=np.int64)
        s = np.asarray(s, dtype=np.int64)
        if p.shape != s.shape:
            msg = f"pair arrays differ in shape: {p.shape} vs {s.shape}"
            raise ValueError(msg)
        return {name: self.parts_[p, i].copy() for i, name in enumerate(PRIORITY_PARTS)}
