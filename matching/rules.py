"""The contract's hard rules, vectorised over participant × slot index arrays.

:func:`failing_mask` returns, for every pair, a bit mask with bit ``i`` set when rule
``RULE_CODES[i]`` fails; a pair is allowed when its mask is 0. ``p`` and ``s`` broadcast
against each other: ``(c, 1)`` and ``(1, m)`` give a block, two ``(k,)`` arrays give pairs.
"""

from __future__ import annotations

import numpy as np

from matching.instance import Instance

#: Every hard rule, in the contract's order (the order failing rules are listed in).
RULE_CODES: tuple[str, ...] = (
    "slot_open",
    "exited",
    "placed",
    "age",
    "swedish",
    "capacity",
    "kind_eligibility",
    "union",
    "aterbruk_limit",
    "ama_limit",
    "private_praktik",
    "physical",
    "license",
    "adapted",
    "commute",
)
BIT = {code: np.uint16(1 << i) for i, code in enumerate(RULE_CODES)}
EARTH_RADIUS_KM = 6371.0
COMMUTE_TOLERANCE_KM = 0.001

# Lowest set bit of every possible mask: the first failing rule (-1 for an allowed pair).
_FIRST = np.full(1 << len(RULE_CODES), -1, dtype=np.int8)
for _m in range(1, 1 << len(RULE_CODES)):
    _FIRST[_m] = (_m & -_m).bit_length() - 1


def haversine_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray,
                 lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance in km between points given in radians (arrays broadcast)."""
    a = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _set(mask: np.ndarray, code: str, cond: np.ndarray | np.bool_) -> None:
    np.bitwise_or(mask, BIT[code], out=mask, where=np.broadcast_to(cond, mask.shape))


def failing_mask(inst: Instance, p: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Bit mask of failing rules for every pair of the broadcast of ``p`` and ``s``.

    Parameters
    ----------
    inst : Instance
    p, s : numpy.ndarray
        Integer participant and slot row indices that broadcast together.

    Returns
    -------
    numpy.ndarray
        uint16 of the broadcast shape; bit ``i`` means ``RULE_CODES[i]`` fails.
    """
    p = np.asarray(p, dtype=np.int64)
    s = np.asarray(s, dtype=np.int64)
    mask = np.zeros(np.broadcast_shapes(p.shape, s.shape), dtype=np.uint16)
    r = inst.rules
    kind = inst.s_kind[s]

    _set(mask, "slot_open", ~inst.s_open[s])
    _set(mask, "exited", inst.p_exited[p])
    _set(mask, "placed", inst.p_placed[p])
    age = inst.s_start_year[s] - inst.p_birth_year[p]
    _set(mask, "age", (age < inst.k_min_age[kind]) | (age > inst.k_max_age[kind]))
    _set(mask, "swedish", inst.p_swedish[p] < inst.s_min_swedish[s])
    _set(mask, "capacity", inst.p_capacity[p] < inst.s_min_capacity[s])
    req = inst.k_requires[kind]
    _set(mask, "kind_eligibility", (req != 0) & ((inst.p_flags[p] & req) == 0))
    _set(mask, "union", inst.s_union_fail[s])
    weeks_days = 7 * inst.s_weeks[s]
    _set(mask, "aterbruk_limit",
         inst.k_aterbruk[kind] & (inst.p_days_aterbruk[p] + weeks_days > r.aterbruk_max_days))
    _set(mask, "ama_limit",
         inst.k_ama[kind] & (inst.p_days_ama[p] + weeks_days > r.ama_max_days))
    _set(mask, "private_praktik", inst.s_private_praktik_fail[s])
    _set(mask, "physical", inst.p_physical_restrictions[p] & inst.s_high_load[s])
    _set(mask, "license", inst.s_license[s] & ~inst.p_license[p])
    _set(mask, "adapted", inst.p_needs_adapted[p] & ~inst.s_adapted[s])
    _set(mask, "commute", _commute_fails(inst, p, s, mask.shape))
    return mask


def _commute_fails(inst: Instance, p: np.ndarray, s: np.ndarray,
                   shape: tuple[int, ...]) -> np.ndarray:
    # Distances only for participants with a limit and coordinates: most have none.
    limit = inst.p_max_commute[p]
    has = ~np.isnan(limit) & ~np.isnan(inst.p_lat[p]) & ~np.isnan(inst.p_lon[p])
    out = np.zeros(shape, dtype=bool)
    if not has.any():
        return out
    if p.ndim == 2 and p.shape[1] == 1:  # a block: compute the rows that need it
        rows = np.flatnonzero(has[:, 0])
        pr = p[rows]
        d = haversine_km(inst.p_lat[pr], inst.p_lon[pr], inst.s_lat[s], inst.s_lon[s])
        out[rows] = d > inst.p_max_commute[pr] + COMMUTE_TOLERANCE_KM  # nan compares False
        return out
    pb, sb = np.broadcast_arrays(p, s)
    hb = np.broadcast_to(has, shape)
    pi, si = pb[hb], sb[hb]
    d = haversine_km(inst.p_lat[pi], inst.p_lon[pi], inst.s_lat[si], inst.s_lon[si])
    out[hb] = d > inst.p_max_commute[pi] + COMMUTE_TOLERANCE_KM
    return out


def first_failing(mask: np.ndarray) -> np.ndarray:
    """Index into ``RULE_CODES`` of each pair's first failing rule, -1 when allowed."""
    return _FIRST[mask]


def codes_of(mask: int) -> list[str]:
    """The failing rule codes of one mask, in the contract's order."""
    return [code for i, code in enumerate(RULE_CODES) if mask & (1 << i)]
