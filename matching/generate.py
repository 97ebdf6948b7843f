"""Synthetic data sets in the contract format (workplaces, slots, participants, placements).

The figures follow the seed documents (Borås 2017, see ``data/generator/figures.toml``, where
every figure names its source or says it is an assumption); the occupations are in
``data/generator/occupations.csv``. The output is pure: the same arguments give identical tables,
and all randomness comes from ``numpy.random.default_rng(seed)``.

Usage::

    python -m matching.generate OUT_DIR --participants 1314 --slots 700 --seed 2017 \
        --as-of 2026-11-23 [--format csv|parquet]
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import shutil
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from matching.schema import TABLES as SCHEMA_TABLES
from matching.schema import polars_schema

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "generator"

SWEDISH = ["none", "sfi_a", "sfi_b", "sfi_c", "sfi_d", "fluent"]
KINDS = [
    "job", "praktik", "extratjanst", "trygghetsanstallning", "utvecklingsanstallning", "osa",
    "bea", "feriearbete", "aterbruk",
]
AMA_KINDS = ["extratjanst", "trygghetsanstallning", "utvecklingsanstallning", "osa", "bea"]
READINESS = ["green", "yellow", "red"]
EDUCATION = ["none", "compulsory", "upper_secondary", "post_secondary"]
MOTHER_TONGUES = ["ar", "so", "ti", "fa", "ps", "ku", "bs", "pl", "uk", "es", "th", "fi"]
# rough shares of mother tongues among the foreign-born in the target group (assumption)
MOTHER_TONGUE_P = [0.30, 0.14, 0.10, 0.10, 0.04, 0.06, 0.06, 0.04, 0.04, 0.04, 0.04, 0.04]

S, INT, F, B, D = pl.String, pl.Int64, pl.Float64, pl.Boolean, pl.Date
L = pl.List(pl.String)

#: The contract's columns and dtypes, from the one declaration in :mod:`matching.schema`.
SCHEMAS: dict[str, dict[str, Any]] = {t.name: polars_schema(t) for t in SCHEMA_TABLES}
TABLES = list(SCHEMAS)


# --------------------------------------------------------------------------- figures
@functools.cache
def load_figures() -> dict[str, Any]:
    with open(DATA_DIR / "figures.toml", "rb") as fh:
        return tomllib.load(fh)


@functools.cache
def load_occupations() -> tuple[dict[str, Any], ...]:
    df = pl.read_csv(DATA_DIR / "occupations.csv", infer_schema=False)
    rows = []
    for r in df.iter_rows(named=True):
        sv = r["skills_sv"].split(";")
        en = r["skills_en"].split(";")
        if len(sv) != len(en):
            raise ValueError(f"occupations.csv: {r['ssyk']}: skills_sv and skills_en differ")
        rows.append({
            "ssyk": r["ssyk"], "title": r["title"], "skills_sv": sv, "skills_en": en,
            "physical_load": r["physical_load"], "license_share": float(r["license_share"]),
            "feriearbete": r["feriearbete"] == "true",
        })
    return tuple(rows)


def _p(x: Any) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    return a / a.sum()


def _pick(rng: np.random.Generator, n: int, p: Any) -> np.ndarray:
    """Indices 0..len(p)-1 drawn with (normalised) probabilities p."""
    return rng.choice(len(p), size=n, p=_p(p))


def _ids(prefix: str, n: int, width: int) -> list[str]:
    w = max(width, len(str(n)))
    return [f"{prefix}{i:0{w}d}" for i in range(1, n + 1)]


def _days(d: dt.date) -> int:
    return (d - dt.date(1970, 1, 1)).days


def _date_col(days: np.ndarray, null: np.ndarray | None = None) -> pl.Series:
    s = pl.Series(np.asarray(days, dtype=np.int32)).cast(pl.Date)
    if null is not None and null.any():
        s = s.scatter(np.flatnonzero(null), None)
    return s


def _opt(values: np.ndarray | list[Any], null: np.ndarray, dtype: Any) -> pl.Series:
    s = pl.Series(values, dtype=dtype)
    if null.any():
        s = s.scatter(np.flatnonzero(null), None)
    return s


def _list_series(lists: list[list[str]]) -> pl.Series:
    """A List(String) series; built via a joined string (much faster than list objects)."""
    sep = "\x1f"
    joined = pl.Series([sep.join(x) for x in lists], dtype=S)
    return (pl.select(pl.when(joined == "").then(pl.lit([], dtype=L))
                      .otherwise(joined.str.split(sep))).to_series())


def _jitter(rng: np.random.Generator, lat: np.ndarray, lon: np.ndarray, km: float
            ) -> tuple[np.ndarray, np.ndarray]:
    dlat = rng.normal(0.0, km, lat.size) / 111.2
    dlon = rng.normal(0.0, km, lat.size) / (111.2 * np.cos(np.radians(lat)))
    return np.round(lat + dlat, 5), np.round(lon + dlon, 5)


# --------------------------------------------------------------------------- workplaces
def _workplaces(rng: np.random.Generator, n_slots: int, as_of: int, fig: dict[str, Any]
                ) -> tuple[pl.DataFrame, np.ndarray]:
    profiles = fig["profiles"]
    wf = fig["workplaces"]
    geo = fig["geo"]
    n_prof = len(profiles)
    n = max(n_prof * 2, round(n_slots / 2.2))
    # every profile gets at least one workplace, the rest by the profiles' workplace shares
    prof = np.concatenate([np.arange(n_prof), _pick(rng, n - n_prof, [p["workplaces"] for p in
                                                                       profiles])])
    prof = np.sort(prof, kind="stable")
    areas = geo["areas"]
    area = _pick(rng, n, [a[3] for a in areas])
    lat0 = np.array([areas[i][1] for i in area])
    lon0 = np.array([areas[i][2] for i in area])
    lat, lon = _jitter(rng, lat0, lon0, geo["spread_km"])
    no_coord = rng.random(n) < fig["participants"]["missing_coords_share"]

    names_raw = []
    employers = []
    sectors = []
    prefix_u = rng.random(n)
    for i in range(n):  # one row per workplace (a few hundred), strings only
        p = profiles[prof[i]]
        nm = p["names"][int(prefix_u[i] * len(p["names"]))]
        a = areas[area[i]][0]
        names_raw.append(f"{nm} {a}")
        sectors.append(p["sector"])
        employers.append(p["employer"] if p["sector"] != "private" else f"{nm} {a} AB")
    names = (pl.DataFrame({"n": names_raw})
             .with_columns(k=pl.int_range(pl.len()).over("n"))
             .select(pl.when(pl.col("k") == 0).then(pl.col("n"))
                     .otherwise(pl.col("n") + " " + (pl.col("k") + 1).cast(pl.String)))
             .to_series())
    sector = np.array(sectors)
    municipal = sector == "municipal"

    staff = np.clip(np.round(rng.lognormal(np.log(10), 0.75, n)), 1, 150).astype(np.int64)
    staff[rng.random(n) < 0.02] = 0
    sup = np.clip(np.round(staff / 8 + rng.random(n)), 1, 6).astype(np.int64)
    sup[rng.random(n) < wf["zero_supervisors"]] = 0

    # union approval (Kommunal, monthly review): most municipal workplaces approved until some
    # date in the next 18 months (so some approvals end before a slot starts), some expired,
    # some never approved; other sectors have no AMA approval.
    u = rng.random(n)
    approved = as_of + rng.integers(0, 540, n)
    expired = as_of - rng.integers(1, 365, n)
    miss_p = wf["union_missing_municipal"]
    union = np.where(u < miss_p + wf["union_expired_municipal"], expired, approved)
    union_null = ~municipal | (u < miss_p)
    problems = rng.random(n) < wf["staff_problems"]
    cut = as_of - rng.integers(-60, 900, n)  # a cut after a slot's start counts too
    cut_null = rng.random(n) >= wf["staff_cut_share"]
    rec_p = np.array([wf["recruiting"][s] for s in sectors])
    recruiting = rng.random(n) < rec_p
    langs = wf["languages"]
    lang_m = rng.random((n, len(langs))) < np.array([0.35] + [0.08] * (len(langs) - 1))
    languages = [["sv", *[langs[j] for j in np.flatnonzero(row)]] for row in lang_m]

    df = pl.DataFrame({
        "workplace_id": _ids("W", n, 4),
        "name": names,
        "employer": employers,
        "sector": sectors,
        "area": [areas[i][0] for i in area],
        "lat": _opt(lat, no_coord, F),
        "lon": _opt(lon, no_coord, F),
        "ordinary_staff": staff,
        "supervisors": sup,
        "union_approved_until": _date_col(union, union_null),
        "staff_problems": problems,
        "last_staff_cut": _date_col(cut, cut_null),
        "recruiting": recruiting,
        "languages": _list_series(languages),
    })
    return df, prof


def _group(kind: str) -> str:
    return "ama" if kind in AMA_KINDS else kind


def _workplace_for(rng: np.random.Generator, kinds: np.ndarray, wp_prof: np.ndarray,
                   fig: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """A workplace (index) and its profile for each kind, by the profiles' kind weights."""
    profiles = fig["profiles"]
    prof = np.zeros(kinds.size, dtype=np.int64)
    for k in np.unique(kinds):  # loop over kinds
        idx = np.flatnonzero(kinds == k)
        w = [p["weights"][_group(str(k))] for p in profiles]
        prof[idx] = _pick(rng, idx.size, w)
    wp = np.zeros(kinds.size, dtype=np.int64)
    for j in range(len(profiles)):  # loop over profiles (departments, company types)
        idx = np.flatnonzero(prof == j)
        if idx.size:
            members = np.flatnonzero(wp_prof == j)
            wp[idx] = members[rng.integers(0, members.size, idx.size)]
    return wp, prof


# --------------------------------------------------------------------------- slots
def _slots(rng: np.random.Generator, n: int, as_of_d: dt.date, wp_prof: np.ndarray,
           fig: dict[str, Any]) -> tuple[pl.DataFrame, dict[str, np.ndarray]]:
    as_of = _days(as_of_d)
    sf = fig["slots"]
    occs = load_occupations()
    occ_index = {o["ssyk"]: i for i, o in enumerate(occs)}
    kind_names = list(sf["kinds"])
    kind = np.array(kind_names)[_pick(rng, n, list(sf["kinds"].values()))]
    wp, prof = _workplace_for(rng, kind, wp_prof, fig)

    # occupation: uniform over the profile's occupations (feriearbete: the suitable ones)
    occ = np.zeros(n, dtype=np.int64)
    for j, p in enumerate(fig["profiles"]):
        codes = [occ_index[c] for c in p["ssyk"]]
        fer = [c for c in codes if occs[c]["feriearbete"]] or codes
        for is_fer, pool in ((False, codes), (True, fer)):
            idx = np.flatnonzero((prof == j) & ((kind == "feriearbete") == is_fer))
            if idx.size:
                occ[idx] = np.array(pool)[rng.integers(0, len(pool), idx.size)]

    status = np.array(list(sf["status"]))[_pick(rng, n, list(sf["status"].values()))]
    lang_praktik = (kind == "praktik") & (rng.random(n) < sf["praktik_language_share"])
    titles = []
    for k, o, lp in zip(kind.tolist(), occ.tolist(), lang_praktik.tolist(), strict=True):
        t = occs[o]["title"]
        if k == "feriearbete":
            t = f"Feriearbete {t.lower()}"
        elif k == "aterbruk":
            t = f"Återbruk – {t.lower()}"
        elif lp:
            t = f"Språkpraktik {t.lower()}"
        titles.append(t)
    ssyk_null = rng.random(n) < 0.05

    # skills: a random order of the occupation's skills, the first r required, next d desired
    n_req = rng.choice(3, n, p=[0.3, 0.45, 0.25])
    n_req[lang_praktik | (kind == "aterbruk") | (kind == "feriearbete")] = 0
    n_des = rng.choice(3, n, p=[0.25, 0.45, 0.30])
    order = np.argsort(rng.random((n, 4)), axis=1)
    required, desired = [], []
    for o, r, d, ordr in zip(occ.tolist(), n_req.tolist(), n_des.tolist(), order, strict=True):
        sk = occs[o]["skills_sv"]
        ordered = [sk[j] for j in ordr if j < len(sk)]
        required.append(ordered[:r])
        desired.append(ordered[r:r + d])

    group = np.array([_group(k) for k in kind.tolist()])
    min_sw = np.zeros(n, dtype=np.int64)
    for g, pr in sf["min_swedish"].items():
        idx = np.flatnonzero(group == g)
        min_sw[idx] = _pick(rng, idx.size, pr)
    min_sw[lang_praktik] = np.minimum(min_sw[lang_praktik], 1)

    seats = np.ones(n, dtype=np.int64)
    seats += np.where(kind == "job", rng.choice(3, n, p=[0.8, 0.15, 0.05]), 0)
    seats += np.where(kind == "praktik", rng.choice(2, n, p=[0.8, 0.2]), 0)
    seats += np.where(group == "ama", rng.choice(2, n, p=[0.9, 0.1]), 0)
    seats += np.where(kind == "feriearbete", rng.integers(0, 4, n), 0)
    seats += np.where(kind == "aterbruk", rng.integers(2, 10, n), 0)

    start = as_of + rng.integers(0, 75, n)
    start = np.where(rng.random(n) < 0.10, as_of - rng.integers(1, 60, n), start)
    start = np.where(kind == "aterbruk", as_of + rng.integers(0, 30, n), start)
    summer = dt.date(as_of_d.year + (1 if as_of_d.month >= 7 else 0), 6, 15)
    start = np.where(kind == "feriearbete", _days(summer) + 7 * rng.integers(0, 6, n), start)
    closed = status != "open"
    start = np.where(closed, as_of - rng.integers(7, 200, n), start)

    weeks = np.zeros(n, dtype=np.int64)
    choose = {
        "job": ([26, 52, 104], [0.3, 0.5, 0.2]),
        "extratjanst": ([52, 104], [0.6, 0.4]),
        "trygghetsanstallning": ([52, 104], [0.5, 0.5]),
        "utvecklingsanstallning": ([52, 104], [0.6, 0.4]),
        "osa": ([26, 52], [0.5, 0.5]),
        "bea": ([26, 52], [0.5, 0.5]),
        "feriearbete": ([3, 4], [0.5, 0.5]),
        "aterbruk": ([8, 12, 13, 16, 26], [0.3, 0.3, 0.15, 0.15, 0.1]),
    }
    for k, (vals, pr) in choose.items():
        idx = np.flatnonzero(kind == k)
        weeks[idx] = np.array(vals)[_pick(rng, idx.size, pr)]
    # praktik: at private employers / municipal companies at most 3 months (13 weeks) unless
    # a job is in prospect (DOMAIN); some ask for longer so that the rule bites.
    pvals = np.array([4, 6, 8, 12, 13, 14, 16, 20, 26])
    idx = np.flatnonzero(kind == "praktik")
    weeks[idx] = pvals[_pick(rng, idx.size, [10, 10, 16, 16, 14, 8, 8, 9, 9])]

    cap_levels = np.array([0, 25, 50, 75, 100])
    cap_p = {
        "job": [0, 0, 0, 0.3, 0.7], "praktik": [0, 0.3, 0.5, 0.2, 0],
        "extratjanst": [0, 0, 0.25, 0.45, 0.3], "trygghetsanstallning": [0, 0.4, 0.6, 0, 0],
        "utvecklingsanstallning": [0, 0.3, 0.5, 0.2, 0], "osa": [0, 0.6, 0.4, 0, 0],
        "bea": [0, 0, 0.6, 0.4, 0], "feriearbete": [0, 0, 0.6, 0.4, 0],
        "aterbruk": [0.7, 0.3, 0, 0, 0],
    }
    min_cap = np.zeros(n, dtype=np.int64)
    for k, pr in cap_p.items():
        idx = np.flatnonzero(kind == k)
        min_cap[idx] = cap_levels[_pick(rng, idx.size, pr)]

    loads = np.array(["low", "medium", "high"])
    base = np.array([{"low": 0, "medium": 1, "high": 2}[occs[o]["physical_load"]]
                     for o in range(len(occs))])[occ]
    shift = rng.choice([-1, 0, 1], n, p=[0.12, 0.76, 0.12])
    load_i = np.clip(base + shift, 0, 2)
    load_i[(kind == "feriearbete") | lang_praktik] = np.minimum(load_i[(kind == "feriearbete")
                                                                      | lang_praktik], 1)
    lic_p = np.array([o["license_share"] for o in occs])[occ]
    license_ = rng.random(n) < lic_p
    adapted_p = np.where(np.isin(kind, ["trygghetsanstallning", "utvecklingsanstallning", "osa"]),
                         0.8, np.where(kind == "aterbruk", 0.9, 0.12))
    adapted = rng.random(n) < adapted_p
    status_null = (status == "open") & (rng.random(n) < 0.5)  # missing = open

    df = pl.DataFrame({
        "slot_id": _ids("S", n, 5),
        "workplace_id": pl.Series(wp).cast(pl.String),  # replaced by the caller
        "kind": kind.tolist(),
        "title": titles,
        "ssyk": _opt([occs[o]["ssyk"] for o in occ.tolist()], ssyk_null, S),
        "required_skills": _list_series(required),
        "desired_skills": _list_series(desired),
        "min_swedish": np.array(SWEDISH)[min_sw].tolist(),
        "seats": seats,
        "start": _date_col(start),
        "weeks": weeks,
        "min_capacity_pct": min_cap,
        "physical_load": loads[load_i].tolist(),
        "driving_license": license_,
        "adapted": adapted,
        "status": _opt(status.tolist(), status_null, S),
    })
    return df, {"wp": wp, "kind": kind, "start": start, "weeks": weeks, "status": status}


# --------------------------------------------------------------------------- participants
def _typo(word: str, u: float, v: float) -> str:
    """A small deterministic misspelling: swap two letters, drop one, or double one."""
    if len(word) < 4:
        return word
    i = 1 + int(v * (len(word) - 2))
    if u < 1 / 3:
        return word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]
    if u < 2 / 3:
        return word[:i] + word[i + 1:]
    return word[:i] + word[i] + word[i:]


def _participants(rng: np.random.Generator, n: int, as_of_d: dt.date, fig: dict[str, Any]
                  ) -> tuple[pl.DataFrame, dict[str, np.ndarray]]:
    as_of = _days(as_of_d)
    pf = fig["participants"]
    geo = fig["geo"]
    occs = load_occupations()

    # referrer x band x gender jointly from seeds/001 Tabell 5 (936 new referrals in 2017)
    cells = []
    for ref, band, women, men in pf["referrals"]:
        cells.append((ref, band, "F", women))
        cells.append((ref, band, "M", men))
    cell = _pick(rng, n, [c[3] for c in cells])
    referrer = np.array([c[0] for c in cells])[cell]
    unga = np.array([c[1] == "unga" for c in cells])[cell]
    gender = np.array([c[2] for c in cells], dtype=object)[cell]
    gu = rng.random(n)
    gender[gu < pf["gender_x_share"]] = "X"
    gender_null = (gu >= pf["gender_x_share"]) & (gu < pf["gender_x_share"]
                                                  + pf["gender_missing_share"])

    # age: Unga 16-29, Vuxna 30-64 (seeds/001); some teenagers 15-19 (feriearbete applicants)
    teen = unga & (rng.random(n) < pf["unga_teen_share"])
    age = np.where(unga, rng.integers(20, 30, n), 30 + np.floor(rng.beta(1.3, 1.8, n) * 35))
    age = np.where(teen, rng.integers(15, 20, n), age).astype(np.int64)
    birth_year = as_of_d.year - age

    ref_names = ["arbetsformedlingen", "forsorjningsenheten", "forsakringskassan", "egen", "annan"]

    def by_ref(table: dict[str, float]) -> np.ndarray:
        out = np.zeros(n)
        for r in ref_names:  # loop over referrers
            out[referrer == r] = table[r]
        return out

    born_abroad = rng.random(n) < by_ref(pf["born_abroad"])
    newly = born_abroad & (rng.random(n) < pf["newly_arrived_of_born_abroad"])

    readiness = np.zeros(n, dtype=np.int64)
    for r in ref_names:
        idx = np.flatnonzero(referrer == r)
        readiness[idx] = _pick(rng, idx.size, pf["readiness"][r])
    capacity = np.zeros(n, dtype=np.int64)
    for ri, rname in enumerate(READINESS):
        idx = np.flatnonzero(readiness == ri)
        capacity[idx] = np.array(pf["capacity_levels"])[_pick(rng, idx.size,
                                                              pf["capacity"][rname])]
    disability = rng.random(n) < by_ref(pf["disability"])
    needs_adapted = disability & (rng.random(n) < pf["needs_adapted_of_disabled"])
    phys = np.where(disability, rng.random(n) < pf["physical_restrictions_of_disabled"],
                    rng.random(n) < pf["physical_restrictions_other"])

    swedish = np.full(n, 5, dtype=np.int64)
    for mask, pr in ((newly, pf["swedish_newly_arrived"]),
                     (born_abroad & ~newly, pf["swedish_born_abroad"])):
        idx = np.flatnonzero(mask)
        swedish[idx] = _pick(rng, idx.size, pr)
    education = _pick(rng, n, pf["education"])
    idx = np.flatnonzero(newly)
    education[idx] = _pick(rng, idx.size, pf["education_newly_arrived"])
    education[teen] = np.minimum(education[teen], 1)

    # social assistance: all Försörjningsenheten referrals, 76.3 % of them > 9 months (seeds/000)
    fe = referrer == "forsorjningsenheten"
    long_sa = rng.random(n) < pf["sa_long_share_fe"]
    sa = np.where(long_sa, rng.integers(10, 61, n), rng.integers(1, 10, n))
    sa = np.where(fe | (rng.random(n) < pf["sa_share_other"]), sa, 0)
    sa[teen] = 0
    ltu_p = np.array([pf["long_term_unemployed"][r] for r in READINESS])[readiness]
    ltu = (rng.random(n) < ltu_p) & ~teen
    lic = rng.random(n) < np.where(newly, pf["driving_license_newly_arrived"],
                                   pf["driving_license"])
    lic &= age >= 18

    enrolled = as_of - np.minimum(np.round(rng.exponential(420, n)), 6 * 365).astype(np.int64)
    eu = rng.random(n)
    exited_null = eu >= pf["exited_share"] + pf["future_exit_share"]
    span = np.maximum(as_of - enrolled, 1)
    exited = np.where(eu < pf["exited_share"], as_of - rng.integers(0, 365, n) % span,
                      as_of + rng.integers(1, 31, n))
    exited_active = exited > as_of

    # geography: home district around Borås; some far-flung, some without coordinates
    areas = geo["areas"]
    far = geo["far"]
    area_i = _pick(rng, n, [a[3] for a in areas])
    is_far = rng.random(n) < pf["far_flung_share"]
    far_i = rng.integers(0, len(far), n)
    area_name = np.where(is_far, np.array([f[0] for f in far])[far_i],
                         np.array([a[0] for a in areas])[area_i])
    lat0 = np.where(is_far, np.array([f[1] for f in far])[far_i],
                    np.array([a[1] for a in areas])[area_i])
    lon0 = np.where(is_far, np.array([f[2] for f in far])[far_i],
                    np.array([a[2] for a in areas])[area_i])
    lat, lon = _jitter(rng, lat0, lon0, geo["spread_km"])
    no_coord = rng.random(n) < pf["missing_coords_share"]
    commute = np.round(np.clip(rng.lognormal(np.log(6), 0.6, n), 1, 40), 1)
    commute_null = rng.random(n) >= pf["max_commute_share"]

    # languages: mother tongue for the foreign-born, sv from SFI C, English for some
    mt = rng.choice(len(MOTHER_TONGUES), n, p=_p(MOTHER_TONGUE_P))
    has_en = rng.random(n) < pf["english"]
    languages = [
        ([MOTHER_TONGUES[m]] if ba else []) + (["sv"] if sw >= 3 else []) + (["en"] if e else [])
        for m, ba, sw, e in zip(mt.tolist(), born_abroad.tolist(), swedish.tolist(),
                                has_en.tolist(), strict=True)
    ]

    # interests & skills from 1-3 occupations; occupations weighted by how many employer
    # profiles offer them. Skills get English variants, case changes and typos.
    occ_w = np.ones(len(occs))
    code_i = {o["ssyk"]: i for i, o in enumerate(occs)}
    for p in fig["profiles"]:
        for c in p["ssyk"]:
            occ_w[code_i[c]] += 1
    n_occ = rng.choice([1, 2, 3], n, p=[0.45, 0.4, 0.15])
    occ_pick = rng.choice(len(occs), (n, 3), p=_p(occ_w))
    as_title = rng.random((n, 3)) < 0.3
    lower_title = rng.random((n, 3)) < 0.3
    n_sk = rng.choice(5, n, p=[0.05, 0.25, 0.35, 0.25, 0.10])
    sk_pick = rng.random((n, 4))
    sk_var = rng.random((n, 4))
    sk_u = rng.random((n, 4))
    sk_v = rng.random((n, 4))
    interests, skills = [], []
    for i in range(n):  # builds each person's lists (no loop over slots)
        chosen = list(dict.fromkeys(occ_pick[i, : n_occ[i]].tolist()))
        its = []
        for j, o in enumerate(chosen):
            if as_title[i, j]:
                t = occs[o]["title"]
                its.append(t.lower() if lower_title[i, j] else t)
            else:
                its.append(occs[o]["ssyk"])
        interests.append(its)
        pool = [(o, k) for o in chosen for k in range(len(occs[o]["skills_sv"]))]
        out: list[str] = []
        for j in range(min(n_sk[i], len(pool))):
            o, k = pool[int(sk_pick[i, j] * len(pool))]
            v = sk_var[i, j]
            word = occs[o]["skills_en"][k] if v < 0.12 else occs[o]["skills_sv"][k]
            if 0.12 <= v < 0.20:
                word = word.capitalize() if sk_u[i, j] < 0.7 else word.upper()
            elif 0.20 <= v < 0.26:
                word = _typo(word, sk_u[i, j], sk_v[i, j])
            if word not in out:
                out.append(word)
        skills.append(out)

    df = pl.DataFrame({
        "participant_id": _ids("P", n, 6),
        "birth_year": birth_year,
        "gender": _opt(gender.tolist(), gender_null, S),
        "referrer": referrer.tolist(),
        "enrolled": _date_col(enrolled),
        "readiness": np.array(READINESS)[readiness].tolist(),
        "work_capacity_pct": capacity,
        "swedish": np.array(SWEDISH)[swedish].tolist(),
        "languages": _list_series(languages),
        "education": np.array(EDUCATION)[education].tolist(),
        "skills": _list_series(skills),
        "interests": _list_series(interests),
        "area": area_name.tolist(),
        "lat": _opt(lat, no_coord, F),
        "lon": _opt(lon, no_coord, F),
        "max_commute_km": _opt(commute, commute_null, F),
        "driving_license": lic,
        "physical_restrictions": phys,
        "needs_adapted": needs_adapted,
        "social_assistance_months": sa.astype(np.int64),
        "newly_arrived": newly,
        "long_term_unemployed": ltu,
        "disability": disability,
        "born_abroad": born_abroad,
        "exited": _date_col(exited, exited_null),
    })
    gone = ~exited_null & ~exited_active
    return df, {"referrer": referrer, "enrolled": enrolled, "disability": disability,
                "eligible_extra": ltu | newly, "gone": gone, "age": age, "fe": fe}


# --------------------------------------------------------------------------- placements
def _ama_kind(rng: np.random.Generator, disability: np.ndarray, eligible_extra: np.ndarray
              ) -> np.ndarray:
    """An AMA kind the person may hold: disability -> trygghet/utveckling/OSA, else
    extratjänst if long-term unemployed or newly arrived, else BEA."""
    n = disability.size
    dis_k = np.array(["trygghetsanstallning", "utvecklingsanstallning", "osa"])[
        rng.choice(3, n, p=[0.45, 0.2, 0.35])]
    oth_k = np.where(eligible_extra & (rng.random(n) < 0.7), "extratjanst", "bea")
    return np.where(disability, dis_k, oth_k)


def _placements(rng: np.random.Generator, as_of: int, part: dict[str, np.ndarray],
                slots: dict[str, np.ndarray], wp_prof: np.ndarray, fig: dict[str, Any]
                ) -> dict[str, np.ndarray]:
    pf = fig["participants"]
    n = part["enrolled"].size
    gone = part["gone"]
    fe = part["fe"]

    # ---- running placements (the `placed` rule, the workplace caps, Återbruk follow-up)
    u = rng.random(n)
    scale = np.where(gone, 0.1, 1.0)  # a few who have exited still have one running
    a = pf["running_ama_share"] * scale
    b = a + pf["running_other_share"] * scale
    c = b + np.where(fe, pf["running_aterbruk_share_fe"], 0.02) * scale
    r_ama = (u < a) & (part["age"] >= 16)
    r_oth = (u >= a) & (u < b) & (part["age"] >= 16)
    r_atb = (u >= b) & (u < c) & (part["age"] >= 16)
    booking = ~gone & ~r_ama & ~r_oth & (rng.random(n) < 0.02)

    who_parts, kind_parts, start_parts, end_parts, endnull_parts = [], [], [], [], []

    idx = np.flatnonzero(r_ama)
    k = _ama_kind(rng, part["disability"][idx], part["eligible_extra"][idx])
    st = as_of - rng.integers(0, 690, idx.size)
    one_year = (as_of - st < 330) & (rng.random(idx.size) < 0.5)
    en = st + np.where(one_year, 364, 729)  # 1 + 1 years (seeds/001)
    who_parts.append(idx)
    kind_parts.append(k)
    start_parts.append(st)
    end_parts.append(en)
    endnull_parts.append(np.zeros(idx.size, bool))

    idx = np.flatnonzero(r_oth)
    k = np.where(rng.random(idx.size) < 0.75, "praktik", "job")
    st = as_of - rng.integers(0, 150, idx.size)
    en = np.maximum(st + 7 * rng.choice([8, 12, 13, 26], idx.size) - 1, as_of)
    who_parts.append(idx)
    kind_parts.append(k)
    start_parts.append(st)
    end_parts.append(en)
    endnull_parts.append(rng.random(idx.size) < 0.2)

    # Återbruk stays: nobody tracks them (seeds/001), so often no end; some past six months
    idx = np.flatnonzero(r_atb)
    st = as_of - rng.integers(0, 330, idx.size)
    who_parts.append(idx)
    kind_parts.append(np.full(idx.size, "aterbruk"))
    start_parts.append(st)
    end_parts.append(st + 181)
    endnull_parts.append((rng.random(idx.size) < 0.6) | (st + 181 < as_of))

    # bookings: start after the as-of date, not running, count nothing
    idx = np.flatnonzero(booking)
    st = as_of + rng.integers(1, 30, idx.size)
    who_parts.append(idx)
    kind_parts.append(np.where(fe[idx], "aterbruk", "praktik"))
    start_parts.append(st)
    end_parts.append(st + 7 * 8 - 1)
    endnull_parts.append(np.zeros(idx.size, bool))

    run_who = np.concatenate(who_parts)
    run_kind = np.concatenate(kind_parts)
    run_start = np.maximum(np.concatenate(start_parts), part["enrolled"][run_who])
    run_end = np.concatenate(end_parts)
    run_endnull = np.concatenate(endnull_parts)
    run_wp, _ = _workplace_for(rng, run_kind, wp_prof, fig)
    run_slot = np.full(run_who.size, -1, dtype=np.int64)
    run_outcome = np.full(run_who.size, "", dtype=object)

    # filled slots: a running placement of the same kind took the seat
    filled = np.flatnonzero(slots["status"] == "filled")
    for kk in np.unique(slots["kind"][filled]):  # loop over kinds
        fs = filled[slots["kind"][filled] == kk]
        cand = np.flatnonzero((run_kind == kk) & (run_start <= as_of) & (run_slot < 0))
        m = min(fs.size, cand.size)
        if m:
            tgt = cand[:m]
            run_slot[tgt] = fs[:m]
            run_wp[tgt] = slots["wp"][fs[:m]]
            run_start[tgt] = slots["start"][fs[:m]]
            run_end[tgt] = np.maximum(run_start[tgt] + 7 * slots["weeks"][fs[:m]] - 1, as_of)

    # ---- closed history: outcomes from seeds/001 "Avslutsorsaker Jobb Borås 2017"
    n_hist = rng.poisson(pf["history_per_participant"], n)
    n_hist[(part["age"] < 16) | (as_of - part["enrolled"] < 30)] = 0
    h_who = np.repeat(np.arange(n), n_hist)
    m = h_who.size
    hu = rng.random(m)
    h_fe = fe[h_who]
    young = part["age"][h_who] < 25
    # kinds: Försörjningsenheten referrals start at Återbruk (seeds/001); others mostly praktik
    p_atb = np.where(h_fe, 0.45, 0.04)
    p_ama = np.full(m, 0.25)
    p_job = np.full(m, 0.10)
    p_fer = np.where(young, 0.10, 0.0)
    cum = np.cumsum([p_atb, p_ama, p_job, p_fer], axis=0)
    h_kind = np.select([hu < cum[0], hu < cum[1], hu < cum[2], hu < cum[3]],
                       ["aterbruk", "ama", "job", "feriearbete"], default="praktik"
                       ).astype("<U24")
    ama_i = np.flatnonzero(h_kind == "ama")
    h_kind[ama_i] = _ama_kind(rng, part["disability"][h_who[ama_i]],
                              part["eligible_extra"][h_who[ama_i]])
    dur = np.select(
        [h_kind == "aterbruk", np.isin(h_kind, AMA_KINDS), h_kind == "job",
         h_kind == "feriearbete"],
        [rng.integers(30, 300, m), rng.integers(150, 730, m), rng.integers(30, 365, m),
         np.full(m, 27)],
        default=7 * rng.choice([4, 8, 12, 13, 26], m),
    )
    span = np.maximum(as_of - part["enrolled"][h_who], 30)
    h_end = as_of - 1 - (rng.integers(0, 1 << 30, m) % span)
    h_start = np.maximum(h_end - dur + 1, part["enrolled"][h_who])
    h_wp, _ = _workplace_for(rng, h_kind, wp_prof, fig)
    rows = fig["outcomes"]["rows"]
    h_outcome = np.array([r[1] for r in rows], dtype=object)[_pick(rng, m, [r[2] for r in rows])]
    h_outcome[rng.random(m) < fig["outcomes"]["missing_share"]] = ""

    who = np.concatenate([run_who, h_who])
    order = np.lexsort((np.concatenate([run_start, h_start]), who))
    return {
        "who": who[order],
        "wp": np.concatenate([run_wp, h_wp])[order],
        "slot": np.concatenate([run_slot, np.full(m, -1)])[order],
        "kind": np.concatenate([run_kind, h_kind])[order],
        "start": np.concatenate([run_start, h_start])[order],
        "end": np.concatenate([run_end, h_end])[order],
        "end_null": np.concatenate([run_endnull, np.zeros(m, bool)])[order],
        "outcome": np.concatenate([run_outcome, h_outcome])[order],
    }


# --------------------------------------------------------------------------- public API
def generate(n_participants: int, n_slots: int, seed: int, as_of: dt.date
             ) -> dict[str, pl.DataFrame]:
    """A synthetic data set of the contract's four tables (dict keyed by table name)."""
    if n_participants < 1 or n_slots < 1:
        raise ValueError("n_participants and n_slots must be >= 1")
    fig = load_figures()
    rng = np.random.default_rng(seed)
    d0 = _days(as_of)

    workplaces, wp_prof = _workplaces(rng, n_slots, d0, fig)
    wp_ids = workplaces["workplace_id"].to_numpy()
    slots, s_info = _slots(rng, n_slots, as_of, wp_prof, fig)
    slots = slots.with_columns(workplace_id=pl.Series(wp_ids[s_info["wp"]]))
    participants, p_info = _participants(rng, n_participants, as_of, fig)
    pl_info = _placements(rng, d0, p_info, s_info, wp_prof, fig)

    p_ids = participants["participant_id"].to_numpy()
    s_ids = slots["slot_id"].to_numpy()
    slot_i = pl_info["slot"]
    outcome = pl_info["outcome"]
    placements = pl.DataFrame({
        "placement_id": _ids("H", slot_i.size, 6),
        "participant_id": pl.Series(p_ids[pl_info["who"]], dtype=S),
        "workplace_id": pl.Series(wp_ids[pl_info["wp"]], dtype=S),
        "slot_id": _opt(s_ids[np.maximum(slot_i, 0)], slot_i < 0, S),
        "kind": pl.Series(pl_info["kind"].astype(str), dtype=S),
        "start": _date_col(pl_info["start"]),
        "end": _date_col(pl_info["end"], pl_info["end_null"]),
        "outcome": _opt(outcome.astype(str), outcome == "", S),
    })
    out = {"workplaces": workplaces, "slots": slots, "participants": participants,
           "placements": placements}
    return {name: out[name].select(list(SCHEMAS[name])).cast(pl.Schema(SCHEMAS[name]))
            for name in TABLES}


def to_csv_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Every column as text in the contract's CSV form (lists `;`-joined, `true`/`false`,
    ISO dates, empty cell for a missing value)."""
    exprs = []
    for name, dtype in df.schema.items():
        col = pl.col(name)
        if isinstance(dtype, pl.List):
            e = col.list.join(";")
        elif dtype == pl.Boolean:
            e = pl.when(col).then(pl.lit("true")).otherwise(pl.lit("false"))
            e = pl.when(col.is_null()).then(pl.lit("")).otherwise(e)
        elif dtype == pl.Date:
            e = col.dt.strftime("%Y-%m-%d")
        else:
            e = col.cast(pl.String)
        exprs.append(e.fill_null("").alias(name))
    return df.select(exprs)


def write_dataset(tables: dict[str, pl.DataFrame], out_dir: str | Path, fmt: str = "csv"
                  ) -> list[Path]:
    """Write NAME.csv or NAME.parquet for each table into out_dir.

    The files are written into a temporary folder beside out_dir first and moved in only when
    all are written, so an error leaves nothing half-written.
    """
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', not {fmt!r}")
    out = Path(out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        for name, df in tables.items():
            if fmt == "csv":
                to_csv_frame(df).write_csv(tmp / f"{name}.csv")
            else:
                df.write_parquet(tmp / f"{name}.parquet")
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for f in sorted(tmp.iterdir()):
            target = out / f.name
            f.replace(target)
            written.append(target)
        return written
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def read_csv_dataset(folder: str | Path) -> dict[str, pl.DataFrame]:
    """Read back a folder written by ``write_dataset(fmt="csv")`` into the generator's dtypes.

    A helper for tests and notebooks, not the contract's validating loader (``matching.io``).
    """
    folder = Path(folder)
    out = {}
    for name, schema in SCHEMAS.items():
        raw = pl.read_csv(folder / f"{name}.csv", infer_schema=False)
        exprs = []
        for col, dtype in schema.items():
            c = pl.col(col)
            blank = c.is_null() | (c == "")
            if dtype == L:
                e = pl.when(blank).then(pl.lit([], dtype=L)).otherwise(c.str.split(";"))
            elif dtype == pl.Boolean:
                e = pl.when(blank).then(None).otherwise(c.is_in(["true", "1"]))
            elif dtype == pl.Date:
                e = pl.when(blank).then(None).otherwise(c).str.to_date("%Y-%m-%d")
            else:
                e = pl.when(blank).then(None).otherwise(c).cast(dtype)
            exprs.append(e.alias(col))
        out[name] = raw.select(exprs)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Generate a synthetic Placera data set.")
    ap.add_argument("out_dir")
    ap.add_argument("--participants", type=int, default=1314)
    ap.add_argument("--slots", type=int, default=700)
    ap.add_argument("--seed", type=int, default=2017)
    ap.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 11, 23))
    ap.add_argument("--format", choices=["csv", "parquet"], default="csv")
    args = ap.parse_args(argv)
    tables = generate(args.participants, args.slots, args.seed, args.as_of)
    for path in write_dataset(tables, args.out_dir, args.format):
        print(path)


if __name__ == "__main__":
    main()
