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


def _bits(conds: dict[str, np.ndarray]) -> np.ndarray:
    out = np.zeros(np.asarray(next(iter(conds.values()))).shape, dtype=np.uint16)
    for code, cond in conds.items():
        out |= np.where(cond, BIT[code], np.uint16(0)).astype(np.uint16)
    return out


def _or_where(mask: np.ndarray, code: str, cond: np.ndarray) -> None:
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
    shape = np.broadcast_shapes(p.shape, s.shape)
    r = inst.rules
    kind = inst.s_kind[s]

    # Rules of one side only, and rules of the form "p has X and s has Y": with X and Y at the
    # same bit, one AND of the two sides' words gives the failing bit.
    p_only = _bits({"exited": inst.p_exited[p], "placed": inst.p_placed[p]})
    s_only = _bits({"slot_open": ~inst.s_open[s], "union": inst.s_union_fail[s],
                    "private_praktik": inst.s_private_praktik_fail[s]})
    p_and = _bits({"physical": inst.p_physical_restrictions[p], "license": ~inst.p_license[p],
                   "adapted": inst.p_needs_adapted[p]})
    s_and = _bits({"physical": inst.s_high_load[s], "license": inst.s_license[s],
                   "adapted": ~inst.s_adapted[s]})
    mask = np.bitwise_or(p_only, s_only, dtype=np.uint16)
    mask = np.broadcast_to(mask, shape).copy() if mask.shape != shape else mask
    mask |= p_and & s_and

    # Age: birth_year within [start_year - max_age, start_year - min_age] of the slot's kind.
    birth = inst.p_birth_year[p]
    _or_where(mask, "age", (birth < inst.s_start_year[s] - inst.k_max_age[kind])
              | (birth > inst.s_start_year[s] - inst.k_min_age[kind]))
    _or_where(mask, "swedish", inst.p_swedish[p] < inst.s_min_swedish[s])
    _or_where(mask, "capacity", inst.p_capacity[p] < inst.s_min_capacity[s])
    req = inst.k_requires[kind]
    _or_where(mask, "kind_eligibility", (req != 0) & ((inst.p_flags[p] & req) == 0))
    # Time limits as one threshold per slot: fail when days served > limit - 7 * weeks.
    big = np.iinfo(np.int64).max
    weeks_days = 7 * inst.s_weeks[s]
    t_ater = np.where(inst.k_aterbruk[kind], r.aterbruk_max_days - weeks_days, big)
    _or_where(mask, "aterbruk_limit", inst.p_days_aterbruk[p] > t_ater)
    t_ama = np.where(inst.k_ama[kind], r.ama_max_days - weeks_days, big)
    _or_where(mask, "ama_limit", inst.p_days_ama[p] > t_ama)
    _or_where(mask, "commute", _commute_fails(inst, p, s, shape))
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
