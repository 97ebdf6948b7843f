"""The feature-builder contract shared by every builder.

A builder follows scikit-learn's estimator conventions: ``__init__`` only stores its settings,
``fit`` learns from the tables (learned attributes end in ``_``) and returns ``self``, and the
transforms are pure. Every score is a float32 in [0, 1], higher is a better fit.

Indices are row positions in ``FeatureInput.participants`` and ``FeatureInput.slots``.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from datetime import date
from typing import Any, Self

import numpy as np
import polars as pl

from features.exceptions import NotFittedError


@dataclass(frozen=True)
class FeatureInput:
    """What the feature builders see: validated tables plus the few run-wide facts they need.

    Attributes
    ----------
    participants : polars.DataFrame
        The validated participants table, one row per participant, columns as in the data
        contract (lists as ``List(String)``, dates as ``Date``; optional columns present, null
        when missing). ``gender`` and ``born_abroad`` are present but must never be read.
    slots : polars.DataFrame
        The validated slots table joined with its workplace: every workplace column is present
        with the prefix ``wp_`` (``wp_lat``, ``wp_lon``, ``wp_recruiting``, ``wp_languages``,
        ``wp_sector`` ...).
    as_of : datetime.date
        The run's date.
    days_aterbruk : numpy.ndarray
        int64, one per participant: days already served at Återbruk up to ``as_of``.
    aterbruk_max_days : int
        The Återbruk limit from the rules config.
    """

    participants: pl.DataFrame
    slots: pl.DataFrame
    as_of: date
    days_aterbruk: np.ndarray
    aterbruk_max_days: int


class FeatureBuilder:
    """Base class: parameter introspection (scikit-learn compatible) and the block/pair API.

    Subclasses set the class attribute ``name`` (the part's name in a score breakdown) and
    implement ``fit`` and ``_score``. ``_score(p, s)`` receives two integer index arrays that
    broadcast against each other (``(c, 1)`` and ``(1, m)`` for a block, ``(k,)`` and ``(k,)``
    for pairs) and returns float scores of the broadcast shape.
    """

    name: str = "feature"

    # -- scikit-learn parameter protocol (so sklearn.base.clone works) ---------------------
    @classmethod
    def _get_param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return [p for p in sig.parameters if p != "self"]

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Return the builder's settings, as scikit-learn's ``get_params``."""
        return {k: getattr(self, k) for k in self._get_param_names()}

    def set_params(self, **params: Any) -> Self:
        """Set settings, as scikit-learn's ``set_params``."""
        valid = set(self._get_param_names())
        for key, value in params.items():
            if key not in valid:
                msg = f"{type(self).__name__} has no parameter {key!r}"
                raise ValueError(msg)
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    # -- the API ---------------------------------------------------------------------------
    def fit(self, X: FeatureInput, y: None = None) -> Self:  # sklearn naming
        """Learn what the transforms need from the tables; return ``self``."""
        raise NotImplementedError

    def _score(self, p: np.ndarray, s: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _check_fitted(self) -> None:
        if not getattr(self, "fitted_", False):
            msg = f"{type(self).__name__} is not fitted: call fit() first"
            raise NotFittedError(msg)

    def transform(self, p: np.ndarray, s: np.ndarray) -> np.ndarray:
        """Scores of every participant in ``p`` against every slot in ``s``.

        Parameters
        ----------
        p, s : numpy.ndarray
            1-D integer row positions of participants and slots.

        Returns
        -------
        numpy.ndarray
            float32 array of shape ``(len(p), len(s))`` with values in [0, 1].
        """
        self._check_fitted()
        p = np.asarray(p, dtype=np.int64)
        s = np.asarray(s, dtype=np.int64)
        out = np.asarray(self._score(p[:, None], s[None, :]))
        shape = (p.size, s.size)
        if out.shape == shape and out.dtype == np.float32 and out.flags.owndata:
            return out  # already a fresh block: no copy on the hot path
        return np.broadcast_to(out, shape).astype(np.float32, copy=True)

    def transform_pairs(self, p: np.ndarray, s: np.ndarray) -> np.ndarray:
        """Scores of the pairs ``(p[i], s[i])``: float32 array of shape ``(len(p),)``."""
        self._check_fitted()
        p = np.asarray(p, dtype=np.int64)
        s = np.asarray(s, dtype=np.int64)
        if p.shape != s.shape:
            msg = f"pair arrays differ in shape: {p.shape} vs {s.shape}"
            raise ValueError(msg)
        out = self._score(p, s)
        return np.broadcast_to(out, p.shape).astype(np.float32, copy=True)
