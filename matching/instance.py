"""The validated tables turned into numpy arrays at one as-of date: what rules and runs read.

Everything that depends on the history (days served, running placements, the workplace cap left)
is computed here once, over whole columns, so the rules are plain array comparisons.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from matching.config import ELIGIBILITY_FLAGS, Rules
from matching.io import Dataset
from matching.schema import SWEDISH_LEVELS

_FLAG_ORDER = tuple(sorted(ELIGIBILITY_FLAGS))
_LEVEL = {name: i for i, name in enumerate(SWEDISH_LEVELS)}


@dataclass(frozen=True)
class Instance:
    """Arrays for participants (``p_*``, length n), slots (``s_*``, m) and workplaces (``w_*``).

    Build with :func:`build_instance`. Row order is the tables' order.
    """

    as_of: date
    rules: Rules
    data: Dataset
    # participants
    p_id: np.ndarray
    p_birth_year: np.ndarray
    p_swedish: np.ndarray
    p_capacity: np.ndarray
    p_flags: np.ndarray  # bit f set when flag _FLAG_ORDER[f] is true
    p_exited: np.ndarray  # exited on or before the as-of date
    p_placed: np.ndarray  # has a running placement of a kind that blocks new ones
    p_days_aterbruk: np.ndarray
    p_days_ama: np.ndarray
    p_physical_restrictions: np.ndarray
    p_license: np.ndarray
    p_needs_adapted: np.ndarray
    p_lat: np.ndarray  # radians, nan when missing
    p_lon: np.ndarray
    p_max_commute: np.ndarray  # km, nan when missing
    # slots
    s_id: np.ndarray
    s_workplace: np.ndarray  # row index into workplaces
    s_kind: np.ndarray  # index into rules.kind_names
    s_open: np.ndarray
    s_min_swedish: np.ndarray
    s_min_capacity: np.ndarray
    s_start_year: np.ndarray
    s_weeks: np.ndarray
    s_seats: np.ndarray
    s_license: np.ndarray
    s_adapted: np.ndarray
    s_high_load: np.ndarray
    s_union_fail: np.ndarray
    s_private_praktik_fail: np.ndarray
    s_supervised: np.ndarray
    s_lat: np.ndarray  # the workplace's, radians
    s_lon: np.ndarray
    # kinds (indexed by s_kind)
    k_min_age: np.ndarray
    k_max_age: np.ndarray
    k_requires: np.ndarray  # flag bits, 0 = no requirement
    k_ama: np.ndarray
    k_aterbruk: np.ndarray
    # workplaces
    w_id: np.ndarray
    w_cap: np.ndarray
    w_running_supervised: np.ndarray
    w_cap_left: np.ndarray

    @property
    def n_participants(self) -> int:
        """Number of participants (rows of the participants table)."""
        return int(self.p_id.size)

    @property
    def n_slots(self) -> int:
        """Number of slots (rows of the slots table)."""
        return int(self.s_id.size)

    @property
    def active(self) -> np.ndarray:
        """Participants who wait for a proposal: neither exited nor placed."""
        return ~self.p_exited & ~self.p_placed


def _bool(s: pl.Series) -> np.ndarray:
    return s.fill_null(False).to_numpy().astype(bool)


def _rad(s: pl.Series) -> np.ndarray:
    return np.radians(s.cast(pl.Float64).fill_null(np.nan).to_numpy().astype(np.float64))


def days_in_kinds(data: Dataset, kinds: list[str], as_of: date) -> np.ndarray:
    """Days each participant has served in ``kinds`` up to (not including) the as-of date.

    Per placement: ``max(0, min(end, as_of) - start)`` when ``end`` is given, else
    ``max(0, as_of - start)``; bookings that start after the as-of date count nothing.

    Returns
    -------
    numpy.ndarray
        int64, one per participant row.
    """
    pl_ = data.placements.filter(pl.col("kind").is_in(kinds))
    d = pl.lit(as_of)
    per = (
        pl_.select(
            "participant_id",
            pl.max_horizontal(
                pl.lit(0),
                (pl.min_horizontal(pl.col("end").fill_null(d), d) - pl.col("start"))
                .dt.total_days(),
            ).alias("days"),
        )
        .group_by("participant_id")
        .agg(pl.col("days").sum())
    )
    joined = data.participants.select("participant_id").join(
        per, on="participant_id", how="left", maintain_order="left"
    )
    return joined["days"].fill_null(0).to_numpy().astype(np.int64)


def running_placements(data: Dataset, as_of: date) -> pl.DataFrame:
    """Placements running at the as-of date: ``start <= as_of`` and (no end or ``end >= as_of``)."""
    return data.placements.filter(
        (pl.col("start") <= as_of) & (pl.col("end").is_null() | (pl.col("end") >= as_of))
    )


def build_instance(data: Dataset, rules: Rules, as_of: date) -> Instance:
    """Derive every array the rules need from the validated tables.

    Parameters
    ----------
    data : Dataset
        Validated tables (see :func:`matching.io.load_dataset`).
    rules : Rules
        The run's rules and kinds.
    as_of : datetime.date
        The run's date.
    """
    P, S, W = data.participants, data.slots, data.workplaces
    kinds = rules.kind_names
    kind_index = {k: i for i, k in enumerate(kinds)}
    kr = [rules.kinds[k] for k in kinds]

    running = running_placements(data, as_of)
    blocking = [k for k in kinds if rules.kinds[k].blocks_new]
    placed_ids = running.filter(pl.col("kind").is_in(blocking))["participant_id"].unique()
    p_placed = P["participant_id"].is_in(placed_ids.implode()).to_numpy()

    flags = np.zeros(P.height, dtype=np.int64)
    for bit, flag in enumerate(_FLAG_ORDER):
        flags |= _bool(P[flag]).astype(np.int64) << bit
    k_requires = np.array(
        [sum(1 << _FLAG_ORDER.index(f) for f in k.requires_any) for k in kr], dtype=np.int64
    )

    w_index = {w: i for i, w in enumerate(W["workplace_id"].to_list())}
    s_workplace = np.array([w_index[w] for w in S["workplace_id"].to_list()], dtype=np.int64)
    s_kind = np.array([kind_index[k] for k in S["kind"].to_list()], dtype=np.int64)
    k_ama = np.array([k.ama for k in kr], dtype=bool)
    k_supervised = np.array([k.supervised for k in kr], dtype=bool)
    k_praktik = np.array([k.time_limited_praktik for k in kr], dtype=bool)

    # Slot-level union check, at the slot's start, for AMA kinds.
    start = S["start"]
    wp = S.select("workplace_id").join(W, on="workplace_id", how="left", maintain_order="left")
    approved = (wp["union_approved_until"] >= start).fill_null(False).to_numpy()
    cut_days = (start - wp["last_staff_cut"]).dt.total_days()
    recent_cut = (cut_days < rules.staff_cut_quarantine_days).fill_null(False).to_numpy()
    union_ok = (
        approved
        & ~_bool(wp["staff_problems"])
        & ~recent_cut
        & (wp["supervisors"].to_numpy() >= 1)
    )
    s_union_fail = k_ama[s_kind] & ~union_ok
    short_sector = wp["sector"].is_in(["private", "municipal_company"]).to_numpy()
    s_private_fail = (
        k_praktik[s_kind]
        & short_sector
        & ~_bool(wp["recruiting"])
        & (S["weeks"].to_numpy() > rules.private_praktik_max_weeks)
    )

    # Workplace cap: min(staff, supervisors * max_per_supervisor) less running supervised ones.
    supervised_kinds = [k for k in kinds if rules.kinds[k].supervised]
    run_sup = (
        running.filter(pl.col("kind").is_in(supervised_kinds))
        .group_by("workplace_id")
        .len()
    )
    w_running = (
        W.select("workplace_id")
        .join(run_sup, on="workplace_id", how="left", maintain_order="left")["len"]
        .fill_null(0)
        .to_numpy()
        .astype(np.int64)
    )
    w_cap = np.minimum(
        W["ordinary_staff"].to_numpy(), W["supervisors"].to_numpy() * rules.max_per_supervisor
    ).astype(np.int64)

    status = S["status"].fill_null("open")
    return Instance(
        as_of=as_of,
        rules=rules,
        data=data,
        p_id=P["participant_id"].to_numpy(),
        p_birth_year=P["birth_year"].to_numpy().astype(np.int64),
        p_swedish=P["swedish"].replace_strict(_LEVEL, return_dtype=pl.Int8).to_numpy(),
        p_capacity=P["work_capacity_pct"].to_numpy().astype(np.int64),
        p_flags=flags,
        p_exited=(P["exited"] <= as_of).fill_null(False).to_numpy(),
        p_placed=p_placed,
        p_days_aterbruk=days_in_kinds(data, [k for k in kinds if rules.kinds[k].aterbruk], as_of),
        p_days_ama=days_in_kinds(data, [k for k in kinds if rules.kinds[k].ama], as_of),
        p_physical_restrictions=_bool(P["physical_restrictions"]),
        p_license=_bool(P["driving_license"]),
        p_needs_adapted=_bool(P["needs_adapted"]),
        p_lat=_rad(P["lat"]),
        p_lon=_rad(P["lon"]),
        p_max_commute=P["max_commute_km"].cast(pl.Float64).fill_null(np.nan).to_numpy(),
        s_id=S["slot_id"].to_numpy(),
        s_workplace=s_workplace,
        s_kind=s_kind,
        s_open=(status == "open").to_numpy(),
        s_min_swedish=S["min_swedish"].replace_strict(_LEVEL, return_dtype=pl.Int8).to_numpy(),
        s_min_capacity=S["min_capacity_pct"].to_numpy().astype(np.int64),
        s_start_year=start.dt.year().to_numpy().astype(np.int64),
        s_weeks=S["weeks"].to_numpy().astype(np.int64),
        s_seats=S["seats"].to_numpy().astype(np.int64),
        s_license=_bool(S["driving_license"]),
        s_adapted=_bool(S["adapted"]),
        s_high_load=(S["physical_load"] == "high").to_numpy(),
        s_union_fail=s_union_fail,
        s_private_praktik_fail=s_private_fail,
        s_supervised=k_supervised[s_kind],
        s_lat=_rad(wp["lat"]),
        s_lon=_rad(wp["lon"]),
        k_min_age=np.array([k.min_age for k in kr], dtype=np.int64),
        k_max_age=np.array([k.max_age for k in kr], dtype=np.int64),
        k_requires=k_requires,
        k_ama=k_ama,
        k_aterbruk=np.array([k.aterbruk for k in kr], dtype=bool),
        w_id=W["workplace_id"].to_numpy(),
        w_cap=w_cap,
        w_running_supervised=w_running,
        w_cap_left=np.maximum(0, w_cap - w_running),
    )
