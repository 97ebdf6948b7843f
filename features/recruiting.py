"""Recruiting: does the workplace have a real recruitment need?"""

from __future__ import annotations

from typing import Self

import numpy as np

from features._common import bool_array, require_columns
from features.base import FeatureBuilder, FeatureInput


class Recruiting(FeatureBuilder):
    """1 when the slot's workplace is recruiting (``wp_recruiting``), else 0.

    Placements at employers with a real recruitment need lead to jobs; placements where
    there is none lead nowhere (Enköping L4U, see DOMAIN.md). A missing value counts as not
    recruiting.

    Attributes
    ----------
    recruiting_ : numpy.ndarray
        float32 per slot.
    """

    name = "recruiting"

    def __init__(self) -> None:
        pass

    def fit(self, X: FeatureInput, y: None = None) -> Self:
        """Read ``slots.wp_recruiting``.

        Parameters
        ----------
        X : FeatureInput
            The tables.
        y : None
            Ignored.

        Returns
        -------
        Recruiting
            ``self``, fitted.
        """
        require_columns(X.slots, ["wp_recruiting"], "slots")
        self.recruiting_ = bool_array(X.slots["wp_recruiting"]).astype(np.float32)
        self.fitted_ = True
        return self

    def _score(self, p: np.ndarray, s: np.ndarray) -> np.ndarray:
        return self.recruiting_[s]  # broadcast by the caller
