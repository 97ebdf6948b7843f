"""Commute: great-circle distance between the participant's home and the workplace."""

from __future__ import annotations

from typing import Self

import numpy as np

from features._common import float_array, is_block, require_columns
from features.base import FeatureBuilder, FeatureInput
from features.exceptions import FeatureError

EARTH_RADIUS_KM = 6371.0


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points on the unit sphere, (n, 3) float64, from degrees (NaN stays NaN)."""
    la, lo = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)


def haversine_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Great-circle distance in km (haversine, earth radius 6371 km), broadcasting."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


class Commute(FeatureBuilder):
    """Closeness of the workplace to the participant's home.

    ``d`` is the great-circle distance in km (earth radius 6371 km, computed through the
    chord between unit vectors: ``d = 2 R asin(|u_p - u_w| / 2)``, the haversine distance).
    The score is ``clip(1 - d / max_km, 0, 1)``: 1 at 0 km, 0 at and beyond ``max_km``, the
    participant's ``max_commute_km`` or ``default_max_km`` when missing. When either side
    lacks coordinates the score is ``missing_score``.

    Parameters
    ----------
    default_max_km : float, default 30.0
        Reach for participants without ``max_commute_km``.
    missing_score : float, default 0.5
        Neutral score for pairs without coordinates.

    Attributes
    ----------
    p_xyz_, loc_xyz_ : numpy.ndarray
        float64 (n, 3) unit vectors of participants and of the distinct workplace locations;
        rows without coordinates are zero.
    p_known_, loc_known_ : numpy.ndarray
        bool, which rows have coordinates.
    s_location_ : numpy.ndarray
        int64 per slot: its row in ``loc_xyz_``.
    p_reach_ : numpy.ndarray
        float32 per participant: ``6371 / max_km``, the score lost per radian of distance.
    """

    name = "commute"

    def __init__(self, default_max_km: float = 30.0, missing_score: float = 0.5) -> None:
        self.default_max_km = default_max_km
        self.missing_score = missing_score

    def fit(self, X: FeatureInput, y: None = None) -> Self:
        """Convert coordinates to unit vectors and commute limits to per-participant scales.

        Parameters
        ----------
        X : FeatureInput
            Reads ``participants.lat/lon/max_commute_km`` and ``slots.wp_lat/wp_lon``.
        y : None
            Ignored.

        Returns
        -------
        Commute
            ``self``, fitted.
        """
        if not float(self.default_max_km) > 0 or not 0 <= float(self.missing_score) <= 1:
            msg = "Commute needs default_max_km > 0 and missing_score in [0, 1]"
            raise FeatureError(msg)
        require_columns(X.participants, ["lat", "lon", "max_commute_km"], "participants")
        require_columns(X.slots, ["wp_lat", "wp_lon"], "slots")
        part, slots = X.participants, X.slots
        plat, plon = float_array(part["lat"]), float_array(part["lon"])
        slat, slon = float_array(slots["wp_lat"]), float_array(slots["wp_lon"])
        self.p_known_ = np.isfinite(plat) & np.isfinite(plon)
        self.p_xyz_ = np.where(self.p_known_[:, None], unit_vectors(plat, plon), 0.0)
        # slots share workplaces: score each distinct location once, then gather
        s_known = np.isfinite(slat) & np.isfinite(slon)
        coords = np.where(s_known[:, None], np.stack([slat, slon], axis=1), 999.0)
        locs, inverse = np.unique(coords.reshape(-1, 2), axis=0, return_inverse=True)
        self.s_location_ = inverse.reshape(-1).astype(np.int64)
        self.loc_known_ = locs[:, 0] != 999.0
        self.loc_xyz_ = np.where(
            self.loc_known_[:, None], unit_vectors(locs[:, 0], locs[:, 1]), 0.0
        )
        reach = float_array(part["max_commute_km"])
        reach = np.where(np.isfinite(reach), reach, float(self.default_max_km))
        # score lost per radian; a zero reach means only the very spot (a metre) scores
        self.p_reach_ = (EARTH_RADIUS_KM / np.maximum(reach, 1e-3)).astype(np.float32)
        self.fitted_ = True
        return self

    def _angle(self, p: np.ndarray, loc: np.ndarray) -> np.ndarray:
        """Central angle in radians (float32) to locations ``loc``; NaN without coordinates."""
        a, b = self.p_xyz_, self.loc_xyz_
        block = is_block(p, loc)
        if block:
            # three outer products rather than a k=3 BLAS matmul, which is slow when its
            # threads compete with other work
            pa, lb = a[p[:, 0]], b[loc[0, :]]
            dot = np.multiply.outer(pa[:, 0], lb[:, 0])
            dot += np.multiply.outer(pa[:, 1], lb[:, 1])
            dot += np.multiply.outer(pa[:, 2], lb[:, 2])
        else:
            dot = np.einsum("...k,...k->...", a[p], b[loc])
        # (chord / 2)^2 = (1 - cos) / 2 in float64 to avoid cancellation; the rest in float32
        np.subtract(1.0, dot, out=dot)
        half_chord = dot.astype(np.float32)
        half_chord *= np.float32(0.5)
        np.clip(half_chord, 0.0, 1.0, out=half_chord)
        np.sqrt(half_chord, out=half_chord)
        angle = np.arcsin(half_chord, out=half_chord)
        angle *= np.float32(2.0)
        if block:
            angle[~self.p_known_[p[:, 0]], :] = np.nan
            angle[:, ~self.loc_known_[loc[0, :]]] = np.nan
        else:
            known = self.p_known_[p] & self.loc_known_[loc]
            if not known.all():
                angle = np.where(known, angle, np.float32(np.nan))
        return angle

    def distance_km(self, p: np.ndarray, s: np.ndarray) -> np.ndarray:
        """Great-circle km between participants ``p`` and slots' workplaces ``s``.

        ``p`` and ``s`` are integer arrays that broadcast against each other; the result is
        float32, NaN where coordinates are missing.
        """
        self._check_fitted()
        p = np.asarray(p, dtype=np.int64)
        s = np.asarray(s, dtype=np.int64)
        return self._angle(p, self.s_location_[s]) * np.float32(EARTH_RADIUS_KM)

    def _score(self, p: np.ndarray, s: np.ndarray) -> np.ndarray:
        if is_block(p, s):
            # distinct locations of the block's slots, scored once each
            used, inverse = np.unique(self.s_location_[s[0, :]], return_inverse=True)
            out = self._location_score(p, used[None, :])
            return np.take(out, inverse.reshape(-1), axis=1)
        return self._location_score(p, self.s_location_[s])

    def _location_score(self, p: np.ndarray, loc: np.ndarray) -> np.ndarray:
        angle = self._angle(p, loc)
        missing = np.isnan(angle)
        score = np.float32(1.0) - angle * self.p_reach_[p]
        np.clip(score, 0.0, 1.0, out=score)
        score[missing] = np.float32(self.missing_score)
        return score
