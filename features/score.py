"""The pair score: a weighted mean of the feature builders' parts."""

from __future__ import annotations

from typing import Self

import numpy as np

from features.base import FeatureBuilder, FeatureInput
from features.commute import Commute
from features.exceptions import FeatureError
from features.language import LanguageSupport
from features.occupation import OccupationFit
from features.priority import Priority
from features.recruiting import Recruiting
from features.skills import SkillMatch

#: Default weight of each part (normalised to sum 1 at fit).
DEFAULT_WEIGHTS: dict[str, float] = {
    "skills": 0.30,
    "occupation": 0.20,
    "language": 0.10,
    "commute": 0.15,
    "recruiting": 0.10,
    "priority": 0.15,
}


def default_builders() -> list[FeatureBuilder]:
    """One unfitted builder of each kind, with default settings."""
    return [SkillMatch(), OccupationFit(), LanguageSupport(), Commute(), Recruiting(), Priority()]


def _clone(builder: FeatureBuilder) -> FeatureBuilder:
    return type(builder)(**builder.get_params(deep=False))


class ScoreModel(FeatureBuilder):
    """Score of a pair: ``sum(w_k * part_k) / sum(w_k)`` over the builders' parts.

    Parameters
    ----------
    weights : dict, optional
        Weight per part name, merged over :data:`DEFAULT_WEIGHTS` (so ``{"language": 0.2}``
        changes one weight; ``0`` switches a part off). A builder whose name has no default
        needs a weight here. Weights must be finite and >= 0, not all 0.
    builders : list of FeatureBuilder, optional
        The builders (unfitted; ``fit`` fits copies); default one of each kind.

    Attributes
    ----------
    builders_ : list of FeatureBuilder
        Fitted copies of the builders.
    weights_ : dict
        Normalised weight per part name (sums to 1), in builder order.
    """

    name = "score"

    def __init__(
        self,
        weights: dict[str, float] | None = None,
        builders: list[FeatureBuilder] | None = None,
    ) -> None:
        self.weights = weights
        self.builders = builders

    def _resolve_weights(self, names: list[str]) -> dict[str, float]:
        given = dict(self.weights or {})
        unknown = [k for k in given if k not in names]
        if unknown:
            msg = f"unknown score weight(s) {', '.join(map(repr, unknown))}; parts are {names}"
            raise FeatureError(msg)
        merged: dict[str, float] = {}
        for name in names:
            if name in given:
                value = given[name]
            elif name in DEFAULT_WEIGHTS:
                value = DEFAULT_WEIGHTS[name]
            else:
                msg = f"no weight for the part {name!r}: pass weights={{{name!r}: ...}}"
                raise FeatureError(msg)
            try:
                w = float(value)
            except (TypeError, ValueError) as exc:
                msg = f"weight {name!r} is not a number: {value!r}"
                raise FeatureError(msg) from exc
            if not np.isfinite(w) or w < 0:
                msg = f"weight {name!r} must be finite and >= 0, got {value!r}"
                raise FeatureError(msg)
            merged[name] = w
        total = sum(merged.values())
        if total <= 0:
            msg = "the score weights are all 0"
            raise FeatureError(msg)
        return {k: v / total for k, v in merged.items()}

    def fit(self, X: FeatureInput, y: None = None) -> Self:
        """Validate the weights and fit a copy of every builder.

        Parameters
        ----------
        X : FeatureInput
            The tables.
        y : None
            Ignored.

        Returns
        -------
        ScoreModel
            ``self``, fitted.

        Raises
        ------
        FeatureError
            An unknown or invalid weight, or two builders with the same name.
        """
        builders = default_builders() if self.builders is None else list(self.builders)
        names = [b.name for b in builders]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            msg = f"two builders share the name(s) {dupes}"
            raise FeatureError(msg)
        weights = self._resolve_weights(names)
        fitted = [_clone(b).fit(X) for b in builders]
        self.weights_ = weights
        self.builders_ = fitted
        self.fitted_ = True
        return self

    def _score(self, p: np.ndarray, s: np.ndarray) -> np.ndarray:
        shape = np.broadcast_shapes(p.shape, s.shape)
        total: np.ndarray | None = None
        scratch: np.ndarray | None = None
        compact: list[np.ndarray] = []
        for builder in self.builders_:
            w = np.float32(self.weights_[builder.name])
            if w == 0:
                continue
            part = np.asarray(builder._score(p, s))
            if part.shape != shape:  # a per-participant (c, 1) or per-slot (1, m) part
                compact.append((part * w).astype(np.float32))
            elif total is None:
                total = np.multiply(part, w, dtype=np.float32)
            else:
                if scratch is None:
                    scratch = np.empty(shape, dtype=np.float32)
                np.multiply(part, w, out=scratch, casting="unsafe")
                total += scratch
        if total is None:
            total = np.zeros(shape, dtype=np.float32)
        # sum the compact parts by shape first, so each costs one pass over the block
        by_shape: dict[tuple[int, ...], np.ndarray] = {}
        for part in compact:
            by_shape[part.shape] = by_shape[part.shape] + part if part.shape in by_shape else part
        for part in by_shape.values():
            total += part
        np.clip(total, 0.0, 1.0, out=total)
        return total

    def explain_pairs(self, p: np.ndarray, s: np.ndarray) -> dict[str, np.ndarray]:
        """Every part's value for the pairs ``(p[i], s[i])``.

        The pair's score is ``sum(self.weights_[k] * parts[k])`` (up to float32 rounding
        and the final clip to [0, 1]).

        Parameters
        ----------
        p, s : numpy.ndarray
            1-D integer row positions of equal length.

        Returns
        -------
        dict
            Part name -> float32 array of shape ``(len(p),)``, in builder order.
        """
        self._check_fitted()
        return {b.name: b.transform_pairs(p, s) for b in self.builders_}
