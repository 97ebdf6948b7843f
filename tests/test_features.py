"""Tests of the feature builders and the ScoreModel (features/)."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from features import (
    DEFAULT_WEIGHTS,
    PRIORITY_PARTS,
    Commute,
    FeatureBuilder,
    FeatureError,
    FeatureInput,
    LanguageSupport,
    NotFittedError,
    OccupationFit,
    Priority,
    Recruiting,
    ScoreModel,
    SkillMatch,
    TaxonomyError,
    haversine_km,
)

AS_OF = date(2026, 11, 23)

P_SCHEMA: dict[str, Any] = {
    "participant_id": pl.Utf8,
    "birth_year": pl.Int64,
    "gender": pl.Utf8,
    "referrer": pl.Utf8,
    "enrolled": pl.Date,
    "readiness": pl.Utf8,
    "work_capacity_pct": pl.Int64,
    "swedish": pl.Utf8,
    "languages": pl.List(pl.Utf8),
    "education": pl.Utf8,
    "skills": pl.List(pl.Utf8),
    "interests": pl.List(pl.Utf8),
    "area": pl.Utf8,
    "lat": pl.Float64,
    "lon": pl.Float64,
    "max_commute_km": pl.Float64,
    "driving_license": pl.Boolean,
    "physical_restrictions": pl.Boolean,
    "needs_adapted": pl.Boolean,
    "newly_arrived": pl.Boolean,
    "long_term_unemployed": pl.Boolean,
    "disability": pl.Boolean,
    "social_assistance_months": pl.Int64,
    "born_abroad": pl.Boolean,
    "exited": pl.Date,
}
P_DEFAULTS: dict[str, Any] = {
    "birth_year": 1990,
    "gender": "F",
    "referrer": "arbetsformedlingen",
    "enrolled": date(2026, 1, 1),
    "readiness": "green",
    "work_capacity_pct": 100,
    "swedish": "fluent",
    "languages": [],
    "education": "upper_secondary",
    "skills": [],
    "interests": [],
    "area": "Norrby",
    "lat": 57.72,
    "lon": 12.94,
    "max_commute_km": None,
    "driving_license": False,
    "physical_restrictions": False,
    "needs_adapted": False,
    "newly_arrived": False,
    "long_term_unemployed": False,
    "disability": False,
    "social_assistance_months": 0,
    "born_abroad": False,
    "exited": None,
}
S_SCHEMA: dict[str, Any] = {
    "slot_id": pl.Utf8,
    "workplace_id": pl.Utf8,
    "kind": pl.Utf8,
    "title": pl.Utf8,
    "ssyk": pl.Utf8,
    "required_skills": pl.List(pl.Utf8),
    "desired_skills": pl.List(pl.Utf8),
    "min_swedish": pl.Utf8,
    "seats": pl.Int64,
    "start": pl.Date,
    "weeks": pl.Int64,
    "min_capacity_pct": pl.Int64,
    "physical_load": pl.Utf8,
    "driving_license": pl.Boolean,
    "adapted": pl.Boolean,
    "status": pl.Utf8,
    "wp_name": pl.Utf8,
    "wp_employer": pl.Utf8,
    "wp_sector": pl.Utf8,
    "wp_area": pl.Utf8,
    "wp_lat": pl.Float64,
    "wp_lon": pl.Float64,
    "wp_ordinary_staff": pl.Int64,
    "wp_supervisors": pl.Int64,
    "wp_union_approved_until": pl.Date,
    "wp_staff_problems": pl.Boolean,
    "wp_last_staff_cut": pl.Date,
    "wp_recruiting": pl.Boolean,
    "wp_languages": pl.List(pl.Utf8),
}
S_DEFAULTS: dict[str, Any] = {
    "workplace_id": "W1",
    "kind": "job",
    "title": "Medarbetare",
    "ssyk": None,
    "required_skills": [],
    "desired_skills": [],
    "min_swedish": "none",
    "seats": 1,
    "start": date(2026, 12, 1),
    "weeks": 12,
    "min_capacity_pct": 0,
    "physical_load": "low",
    "driving_license": False,
    "adapted": False,
    "status": None,
    "wp_name": "Arbetsplats",
    "wp_employer": "Förvaltningen",
    "wp_sector": "municipal",
    "wp_area": "Norrby",
    "wp_lat": 57.72,
    "wp_lon": 12.94,
    "wp_ordinary_staff": 10,
    "wp_supervisors": 2,
    "wp_union_approved_until": None,
    "wp_staff_problems": False,
    "wp_last_staff_cut": None,
    "wp_recruiting": False,
    "wp_languages": ["sv"],
}


def make_input(
    participants: list[dict[str, Any]],
    slots: list[dict[str, Any]],
    days_aterbruk: list[int] | None = None,
    aterbruk_max_days: int = 183,
) -> FeatureInput:
    """A FeatureInput with the contract's dtypes; unspecified columns take defaults."""
    prows = [
        {"participant_id": f"P{i:03d}", **P_DEFAULTS, **row} for i, row in enumerate(participants)
    ]
    srows = [{"slot_id": f"S{i:03d}", **S_DEFAULTS, **row} for i, row in enumerate(slots)]
    p = pl.DataFrame(prows, schema=P_SCHEMA)
    s = pl.DataFrame(srows, schema=S_SCHEMA)
    days = np.asarray(days_aterbruk if days_aterbruk is not None else [0] * p.height, np.int64)
    return FeatureInput(p, s, AS_OF, days, aterbruk_max_days)


SKILLS = [
    "städning",
    "Cleaning",
    "städnig",
    "kundservice",
    "customer service",
    "truckkort",
    "forklift licence",
    "lagerhantering",
    "warehouse",
    "matlagning",
    "barnomsorg",
    "omvårdnad",
    "svetsning",
    "programmering",
]
INTERESTS = ["5330", "5223", "Butikssäljare", "Undersköterska", "9111", "53", "Kock", "xyzzy"]
LEVELS = ["none", "sfi_a", "sfi_b", "sfi_c", "sfi_d", "fluent"]
LANGS = ["sv", "ar", "so", "en", "ti", "fa"]
SSYKS = [None, "5330", "5223", "533", "5", "9111", "2512", "5120"]


def random_input(seed: int, n: int = 23, m: int = 17) -> FeatureInput:
    """A seeded random FeatureInput with missing values, empty lists and edge values."""
    rng = np.random.default_rng(seed)

    def pick(pool: list[Any], lo: int, hi: int) -> list[Any]:
        k = int(rng.integers(lo, hi + 1))
        return [pool[i] for i in rng.choice(len(pool), size=k, replace=False)]

    participants = [
        {
            "gender": [None, "F", "M", "X"][int(rng.integers(4))],
            "enrolled": AS_OF - timedelta(days=int(rng.integers(0, 800))),
            "swedish": LEVELS[int(rng.integers(6))],
            "languages": pick(LANGS, 0, 3),
            "skills": pick(SKILLS, 0, 4),
            "interests": pick(INTERESTS, 0, 3),
            "lat": None if rng.random() < 0.15 else 57.7 + rng.normal(0, 0.05),
            "lon": 12.9 + rng.normal(0, 0.1),
            "max_commute_km": None if rng.random() < 0.5 else float(rng.uniform(0, 20)),
            "social_assistance_months": int(rng.integers(0, 60)),
            "born_abroad": [None, True, False][int(rng.integers(3))],
        }
        for _ in range(n)
    ]
    slots = [
        {
            "ssyk": SSYKS[int(rng.integers(len(SSYKS)))],
            "required_skills": pick(SKILLS, 0, 3),
            "desired_skills": pick(SKILLS, 0, 2),
            "min_swedish": LEVELS[int(rng.integers(6))],
            "wp_lat": None if rng.random() < 0.15 else 57.7 + rng.normal(0, 0.05),
            "wp_lon": 12.9 + rng.normal(0, 0.1),
            "wp_recruiting": bool(rng.random() < 0.5),
            "wp_languages": pick(LANGS, 0, 3),
        }
        for _ in range(m)
    ]
    return make_input(participants, slots, [int(d) for d in rng.integers(0, 300, n)])


BUILDERS: list[Callable[[], FeatureBuilder]] = [
    SkillMatch,
    OccupationFit,
    LanguageSupport,
    Commute,
    Recruiting,
    Priority,
    ScoreModel,
    lambda: ScoreModel(weights={"skills": 1.0, "priority": 0.0}),
    lambda: ScoreModel(
        weights={"commute": 2.0, "recruiting": 1.0},
        builders=[Commute(default_max_km=10.0), Recruiting()],
    ),
]
IDS = [
    "skills",
    "occupation",
    "language",
    "commute",
    "recruiting",
    "priority",
    "score",
    "score-weights",
    "score-builders",
]


def snapshot(X: FeatureInput) -> tuple[pl.DataFrame, pl.DataFrame, np.ndarray]:
    return X.participants.clone(), X.slots.clone(), X.days_aterbruk.copy()


# -- the common check suite ------------------------------------------------------------------
@pytest.mark.parametrize("make", BUILDERS, ids=IDS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_common_contract(make: Callable[[], FeatureBuilder], seed: int) -> None:
    X = random_input(seed)
    before = snapshot(X)
    builder = make()
    with pytest.raises(NotFittedError):
        builder.transform(np.arange(2), np.arange(2))
    with pytest.raises(NotFittedError):
        builder.transform_pairs(np.arange(2), np.arange(2))
    assert builder.fit(X) is builder
    n, m = X.participants.height, X.slots.height
    p = np.arange(n)
    s = np.arange(m)
    block = builder.transform(p, s)
    assert block.shape == (n, m)
    assert block.dtype == np.float32
    assert np.isfinite(block).all()
    assert block.min() >= 0.0
    assert block.max() <= 1.0
    np.testing.assert_array_equal(block, builder.transform(p, s))
    # a sub-block with repeats and reordering equals the slice of the full block
    rng = np.random.default_rng(seed)
    ps, ss = rng.integers(0, n, 7), rng.integers(0, m, 5)
    np.testing.assert_allclose(builder.transform(ps, ss), block[np.ix_(ps, ss)], atol=1e-6)
    # pairs equal the block on the same pairs
    pp, sp_ = np.meshgrid(p, s, indexing="ij")
    pairs = builder.transform_pairs(pp.ravel(), sp_.ravel())
    assert pairs.dtype == np.float32
    assert pairs.shape == (n * m,)
    np.testing.assert_allclose(pairs, block.ravel(), atol=1e-6)
    assert builder.transform(p[:0], s).shape == (0, m)
    assert builder.transform_pairs(p[:0], p[:0]).shape == (0,)
    # inputs untouched
    after = snapshot(X)
    assert after[0].equals(before[0])
    assert after[1].equals(before[1])
    np.testing.assert_array_equal(after[2], before[2])


@pytest.mark.parametrize("make", BUILDERS, ids=IDS)
def test_clone_and_params(make: Callable[[], FeatureBuilder]) -> None:
    from sklearn.base import clone

    builder = make()
    copy = clone(builder)
    assert type(copy) is type(builder)
    assert repr(copy) == repr(builder)
    assert not hasattr(copy, "fitted_")
    X = random_input(5)
    fitted = clone(builder).fit(X)
    refit = clone(fitted)
    assert not hasattr(refit, "fitted_")
    np.testing.assert_array_equal(
        fitted.transform(np.arange(5), np.arange(4)),
        refit.fit(X).transform(np.arange(5), np.arange(4)),
    )
    with pytest.raises(ValueError, match="no parameter"):
        builder.set_params(no_such_param=1)


@pytest.mark.parametrize("make", BUILDERS, ids=IDS)
def test_empty_tables(make: Callable[[], FeatureBuilder]) -> None:
    X = make_input([], [])
    builder = make().fit(X)
    assert builder.transform(np.arange(0), np.arange(0)).shape == (0, 0)


def test_pairs_shape_mismatch() -> None:
    builder = Recruiting().fit(random_input(0))
    with pytest.raises(ValueError, match="differ in shape"):
        builder.transform_pairs(np.arange(3), np.arange(2))


# -- fairness ---------------------------------------------------------------------------------
@pytest.mark.parametrize("make", BUILDERS, ids=IDS)
@pytest.mark.parametrize("seed", [0, 7])
def test_gender_and_birth_country_never_change_a_score(
    make: Callable[[], FeatureBuilder], seed: int
) -> None:
    X = random_input(seed)
    rng = np.random.default_rng(seed + 100)
    part = X.participants
    variants = [
        part.with_columns(
            part["gender"].shuffle(seed=int(rng.integers(1000))),
            part["born_abroad"].shuffle(seed=int(rng.integers(1000))),
        ),
        part.with_columns(
            pl.lit(None, dtype=pl.Utf8).alias("gender"),
            pl.lit(None, dtype=pl.Boolean).alias("born_abroad"),
        ),
        part.with_columns(
            pl.lit("X", dtype=pl.Utf8).alias("gender"),
            pl.lit(True, dtype=pl.Boolean).alias("born_abroad"),
        ),
    ]
    # the strongest check: without the columns at all, nothing changes
    variants.append(part.drop("gender", "born_abroad"))
    p, s = np.arange(part.height), np.arange(X.slots.height)
    base = make().fit(X).transform(p, s)
    for changed in variants:
        X2 = FeatureInput(changed, X.slots, X.as_of, X.days_aterbruk, X.aterbruk_max_days)
        np.testing.assert_array_equal(make().fit(X2).transform(p, s), base)


# -- skills -----------------------------------------------------------------------------------
def skill_score(p_skills: list[str], required: list[str], desired: tuple[str, ...] = ()) -> float:
    X = make_input(
        [{"skills": p_skills}],
        [{"required_skills": required, "desired_skills": list(desired)}],
    )
    return float(SkillMatch().fit(X).transform(np.arange(1), np.arange(1))[0, 0])


@pytest.mark.parametrize(
    ("have", "want"),
    [
        ("städnig", "städning"),
        ("STÄDNING", "städning"),
        ("  Städning. ", "städning"),
        ("cleaning", "städning"),
        ("customer service", "kundservice"),
        ("Customer Service", "kundservice"),
        ("forklift licence", "truckkort"),
        ("forklift license", "truckkort"),
        ("warehouse", "lagerhantering"),
        ("childcare", "barnomsorg"),
        ("elderly care", "äldreomsorg"),
        ("cooking", "matlagning"),
        ("property maintenance", "fastighetsskötsel"),
        ("driving licence", "körkort"),
        ("cleanig", "städning"),
    ],
)
def test_skill_variants_match(have: str, want: str) -> None:
    assert skill_score([have], [want]) >= 0.7 * 0.9 + 0.3
    assert skill_score([want], [have]) >= 0.7 * 0.9 + 0.3


@pytest.mark.parametrize(
    ("have", "want"),
    [("svetsning", "städning"), ("programmering", "kundservice"), ("cooking", "cleaning")],
)
def test_unrelated_skill_does_not_match(have: str, want: str) -> None:
    assert skill_score([have], [want]) == pytest.approx(0.3)  # only the empty desired part


def test_skill_score_formula() -> None:
    # required: 1 of 2 met, desired: 1 of 1 met
    got = skill_score(["städning", "matlagning"], ["städning", "svetsning"], ["matlagning"])
    assert got == pytest.approx(0.7 * 0.5 + 0.3 * 1.0)
    assert skill_score([], []) == pytest.approx(1.0)
    assert skill_score([], ["städning"]) == pytest.approx(0.3)
    assert skill_score(["städning"], ["städning", "Städning"]) == pytest.approx(1.0)
    X = make_input([{"skills": ["a"]}], [{"required_skills": ["a"], "desired_skills": ["b"]}])
    b = SkillMatch(required_weight=1.0, desired_weight=0.0).fit(X)
    assert b.transform(np.arange(1), np.arange(1))[0, 0] == pytest.approx(1.0)
    with pytest.raises(FeatureError):
        SkillMatch(required_weight=0.0, desired_weight=0.0).fit(X)


def test_skill_synonyms_missing_file(tmp_path: Any) -> None:
    X = make_input([{}], [{}])
    with pytest.raises(TaxonomyError):
        SkillMatch(synonyms_path=tmp_path / "nope.csv").fit(X)


# -- occupation -------------------------------------------------------------------------------
def occ_score(interests: list[str], ssyk: str | None) -> float:
    X = make_input([{"interests": interests}], [{"ssyk": ssyk}])
    return float(OccupationFit().fit(X).transform(np.arange(1), np.arange(1))[0, 0])


@pytest.mark.parametrize(
    ("interests", "ssyk", "expected"),
    [
        (["5330"], "5330", 1.0),
        (["5331"], "5330", 0.75),
        (["5311"], "5330", 0.5),
        (["5120"], "5330", 0.25),
        (["2512"], "5330", 0.0),
        (["Butikssäljare"], "5223", 1.0),
        (["butikssäljare"], "5223", 1.0),
        (["Butikssäljare, fackhandel"], "5223", 1.0),
        (["undersköterska, hemtjänst och äldreboende"], "5321", 1.0),
        (["Butikssäljre"], "5223", 1.0),  # typo, fuzzy
        (["5330"], "533", 0.75),  # a 3-digit slot code compares at 3 digits
        (["5330"], "53", 0.5),
        (["5330"], "5", 0.25),
        (["5330"], "6", 0.0),
        (["5330"], None, 0.0),
        ([], "5330", 0.0),
        (["xyzzy plugh"], "5330", 0.0),
        (["2512", "5331", "5120"], "5330", 0.75),  # the best interest counts
    ],
)
def test_occupation_levels(interests: list[str], ssyk: str | None, expected: float) -> None:
    assert occ_score(interests, ssyk) == pytest.approx(expected)


def test_occupation_field_level() -> None:
    # 5223 (Butikssäljare, fackhandel) and 5241 (Eventsäljare ...) share the 2-digit major
    # group only (0.5) - use two groups of one field with different major groups instead:
    # 3339 (Övriga förmedlare) is in field 5 "Försäljning, inköp, marknadsföring" with 5223.
    assert occ_score(["3339"], "5223") == pytest.approx(0.4)
    assert occ_score(["Butikskonsulent"], "5223") == pytest.approx(0.4)
    assert OccupationFit(field_score=0.3).fit(
        make_input([{"interests": ["3339"]}], [{"ssyk": "5223"}])
    ).transform(np.arange(1), np.arange(1))[0, 0] == pytest.approx(0.3)


def test_occupation_bad_taxonomy(tmp_path: Any) -> None:
    X = make_input([{}], [{}])
    with pytest.raises(TaxonomyError):
        OccupationFit(taxonomy_path=tmp_path / "missing.csv").fit(X)
    bad = tmp_path / "bad.csv"
    bad.write_text("name,ssyk4\nx,12\n", encoding="utf-8")
    with pytest.raises(TaxonomyError):
        OccupationFit(taxonomy_path=bad).fit(X)


# -- language ---------------------------------------------------------------------------------
def lang_score(swedish: str, langs: list[str], min_swedish: str, wp_langs: list[str]) -> float:
    X = make_input(
        [{"swedish": swedish, "languages": langs}],
        [{"min_swedish": min_swedish, "wp_languages": wp_langs}],
    )
    return float(LanguageSupport().fit(X).transform(np.arange(1), np.arange(1))[0, 0])


@pytest.mark.parametrize(
    ("swedish", "langs", "min_swedish", "wp_langs", "expected"),
    [
        ("fluent", [], "fluent", [], 0.5 * 0 + 0.5 * 1),
        ("fluent", [], "sfi_c", [], 0.5 * 1 + 0.5 * 1),
        ("sfi_d", [], "sfi_c", ["sv"], 0.5 * 0.5 + 0.5 * 0.5),
        ("sfi_b", ["ar"], "none", ["sv", "ar"], 0.5 * 1 + 0.5 * 1),
        ("sfi_b", ["ar"], "none", ["ar"], 0.5 * 1 + 0.5 * 0.5),  # no Swedish spoken
        ("sfi_b", ["AR"], "none", ["sv", "so"], 0.5 * 1 + 0.5 * 0.5),
        ("sfi_b", ["ar"], "sfi_b", ["sv", "so"], 0.5 * 0 + 0.5 * 0.5),
        ("none", ["so", "sv"], "none", [], 0.0),
        ("sfi_a", ["so"], "sfi_c", ["sv", "so"], 0.5 * 0 + 0.5 * 1),  # below the minimum
    ],
)
def test_language_cases(
    swedish: str, langs: list[str], min_swedish: str, wp_langs: list[str], expected: float
) -> None:
    assert lang_score(swedish, langs, min_swedish, wp_langs) == pytest.approx(expected)


def test_language_swedish_spoken_beats_not() -> None:
    assert lang_score("sfi_b", ["ar"], "none", ["sv"]) > lang_score("sfi_b", ["ar"], "none", [])


def test_language_many_languages() -> None:
    # more than 64 shared languages: several bitmask words
    codes = [f"{a}{b}" for a in "abcdefghij" for b in "abcdefghij"]
    X = make_input(
        [{"swedish": "none", "languages": [c]} for c in codes[:80]],
        [{"wp_languages": [c]} for c in codes[:80]],
    )
    b = LanguageSupport().fit(X)
    block = b.transform(np.arange(80), np.arange(80))
    np.testing.assert_allclose(np.diag(block), 0.25)
    assert (block[~np.eye(80, dtype=bool)] == 0).all()


def test_language_unknown_level() -> None:
    X = make_input([{"swedish": "excellent"}], [{}])
    with pytest.raises(FeatureError, match="swedish"):
        LanguageSupport().fit(X)


# -- commute ----------------------------------------------------------------------------------
def km_north(km: float, lat: float = 57.72) -> float:
    return lat + math.degrees(km / 6371.0)


def commute_score(p: dict[str, Any], s: dict[str, Any], **params: Any) -> float:
    X = make_input([p], [s])
    return float(Commute(**params).fit(X).transform(np.arange(1), np.arange(1))[0, 0])


def test_commute_levels() -> None:
    here = {"lat": 57.72, "lon": 12.94, "max_commute_km": 10.0}
    assert commute_score(here, {"wp_lat": 57.72, "wp_lon": 12.94}) == pytest.approx(1.0)
    at_5 = {"wp_lat": km_north(5.0), "wp_lon": 12.94}
    assert commute_score(here, at_5) == pytest.approx(0.5, abs=1e-4)
    at_max = {"wp_lat": km_north(10.0), "wp_lon": 12.94}
    assert commute_score(here, at_max) == pytest.approx(0.0, abs=1e-4)
    beyond = {"wp_lat": km_north(25.0), "wp_lon": 12.94}
    assert commute_score(here, beyond) == 0.0
    # default reach 30 km
    no_max = {"lat": 57.72, "lon": 12.94, "max_commute_km": None}
    assert commute_score(no_max, at_5) == pytest.approx(1 - 5 / 30, abs=1e-4)
    assert commute_score(no_max, at_5, default_max_km=10.0) == pytest.approx(0.5, abs=1e-4)


def test_commute_missing_coordinates_neutral() -> None:
    s = {"wp_lat": 57.8, "wp_lon": 12.9}
    assert commute_score({"lat": None, "lon": None}, s) == pytest.approx(0.5)
    assert commute_score({}, {"wp_lat": None, "wp_lon": None}) == pytest.approx(0.5)
    assert commute_score({"lat": None}, s, missing_score=0.2) == pytest.approx(0.2)


def test_commute_distance_matches_haversine() -> None:
    X = random_input(3)
    b = Commute().fit(X)
    p, s = np.meshgrid(np.arange(X.participants.height), np.arange(X.slots.height))
    got = b.distance_km(p.ravel(), s.ravel())
    lat1 = X.participants["lat"].to_numpy()[p.ravel()]
    lon1 = X.participants["lon"].to_numpy()[p.ravel()]
    lat2 = X.slots["wp_lat"].to_numpy()[s.ravel()]
    lon2 = X.slots["wp_lon"].to_numpy()[s.ravel()]
    want = haversine_km(lat1, lon1, lat2, lon2)
    np.testing.assert_allclose(got, want, atol=2e-3, equal_nan=True)
    # an independent check: Borås to Göteborg is about 58 km as the crow flies
    assert haversine_km(57.721, 12.940, 57.707, 11.967) == pytest.approx(58.1, abs=0.5)


# -- recruiting -------------------------------------------------------------------------------
def test_recruiting() -> None:
    X = make_input([{}, {}], [{"wp_recruiting": True}, {"wp_recruiting": False}])
    block = Recruiting().fit(X).transform(np.arange(2), np.arange(2))
    np.testing.assert_array_equal(block, [[1, 0], [1, 0]])


# -- priority ---------------------------------------------------------------------------------
def test_priority_parts_and_monotone() -> None:
    months = [0, 6, 18, 36, 72]
    X = make_input(
        [{"social_assistance_months": mo, "enrolled": AS_OF} for mo in months],
        [{}],
        days_aterbruk=[0] * len(months),
    )
    b = Priority().fit(X)
    scores = b.transform(np.arange(5), np.zeros(1, np.int64))[:, 0]
    assert (np.diff(scores) >= 0).all()
    assert scores[3] == scores[4]
    np.testing.assert_allclose(scores, [0, 6 / 36 / 3, 18 / 36 / 3, 1 / 3, 1 / 3], atol=1e-6)

    days = [0, 30, 90, 183, 400]
    X = make_input([{"enrolled": AS_OF}] * 5, [{}], days_aterbruk=days)
    scores = Priority().fit(X).transform(np.arange(5), np.zeros(1, np.int64))[:, 0]
    assert (np.diff(scores) >= 0).all()
    assert scores[3] == pytest.approx(1 / 3)

    waits = [0, 100, 365, 700]
    X = make_input([{"enrolled": AS_OF - timedelta(days=d)} for d in waits], [{}])
    pr = Priority(social_assistance_weight=0, aterbruk_weight=0).fit(X)
    scores = pr.transform(np.arange(4), np.zeros(1, np.int64))[:, 0]
    np.testing.assert_allclose(scores, [0, 100 / 365, 1, 1], atol=1e-6)

    parts = pr.transform_parts_pairs(np.arange(4), np.zeros(4, np.int64))
    assert list(parts) == list(PRIORITY_PARTS)
    np.testing.assert_allclose(parts["waiting"], [0, 100 / 365, 1, 1], atol=1e-6)
    assert all(v.dtype == np.float32 and v.shape == (4,) for v in parts.values())


def test_priority_bad_params() -> None:
    X = make_input([{}], [{}])
    with pytest.raises(FeatureError):
        Priority(social_assistance_weight=0, aterbruk_weight=0, waiting_weight=0).fit(X)
    with pytest.raises(FeatureError, match="days_aterbruk"):
        Priority().fit(make_input([{}], [{}], days_aterbruk=[1, 2]))


# -- ScoreModel -------------------------------------------------------------------------------
def test_score_is_weighted_mean_of_parts() -> None:
    X = random_input(11)
    model = ScoreModel().fit(X)
    assert sum(model.weights_.values()) == pytest.approx(1.0)
    assert set(model.weights_) == set(DEFAULT_WEIGHTS)
    p = np.repeat(np.arange(X.participants.height), X.slots.height)
    s = np.tile(np.arange(X.slots.height), X.participants.height)
    parts = model.explain_pairs(p, s)
    assert list(parts) == list(model.weights_)
    recombined = sum(model.weights_[k] * v.astype(np.float64) for k, v in parts.items())
    np.testing.assert_allclose(model.transform_pairs(p, s), recombined, atol=1e-5)
    # each part equals its builder fitted alone
    np.testing.assert_allclose(parts["skills"], SkillMatch().fit(X).transform_pairs(p, s))


def test_score_weights() -> None:
    X = random_input(12)
    only = ScoreModel(weights=dict.fromkeys(DEFAULT_WEIGHTS, 0.0) | {"commute": 2.0}).fit(X)
    assert only.weights_["commute"] == 1.0
    p, s = np.arange(5), np.arange(6)
    np.testing.assert_allclose(only.transform(p, s), Commute().fit(X).transform(p, s))
    with pytest.raises(FeatureError, match="'skill'"):
        ScoreModel(weights={"skill": 1.0}).fit(X)
    with pytest.raises(FeatureError, match="all 0"):
        ScoreModel(weights=dict.fromkeys(DEFAULT_WEIGHTS, 0.0)).fit(X)
    with pytest.raises(FeatureError, match="commute"):
        ScoreModel(weights={"commute": -1.0}).fit(X)
    with pytest.raises(FeatureError, match="commute"):
        ScoreModel(weights={"commute": float("nan")}).fit(X)
    with pytest.raises(FeatureError, match="share the name"):
        ScoreModel(builders=[Commute(), Commute()]).fit(X)
    two = ScoreModel(builders=[Commute(), Recruiting()]).fit(X)
    assert set(two.weights_) == {"commute", "recruiting"}
    assert two.weights_["commute"] == pytest.approx(0.6)


def test_score_model_does_not_fit_the_given_builders() -> None:
    builder = Commute()
    ScoreModel(builders=[builder]).fit(random_input(0))
    assert not hasattr(builder, "fitted_")


EXAMPLE = Path("/work/shared/contract/example")


def test_example_dataset_if_available() -> None:
    """The contract's worked example through the lead's loader (skipped when absent)."""
    io = pytest.importorskip("matching.io")
    config = pytest.importorskip("matching.config")
    if not (hasattr(io, "load_dataset") and hasattr(config, "load_rules") and EXAMPLE.is_dir()):
        pytest.skip("matching.io.load_dataset or the example folder is not there")
    rules = config.load_rules()
    data = io.load_dataset(EXAMPLE, rules)
    wp = data.workplaces.rename({c: f"wp_{c}" for c in data.workplaces.columns})
    slots = data.slots.join(
        wp, left_on="workplace_id", right_on="wp_workplace_id", how="left", maintain_order="left"
    )
    n = data.participants.height
    X = FeatureInput(data.participants, slots, AS_OF, np.zeros(n, np.int64), 183)
    model = ScoreModel().fit(X)
    block = model.transform(np.arange(n), np.arange(slots.height))
    assert block.shape == (n, slots.height)
    assert np.isfinite(block).all()
    assert 0.0 <= block.min() <= block.max() <= 1.0
    # P01 (omvårdnad, städning; interest 5330) against S01 (Vårdbiträde 5330: required
    # omvårdnad, desired städning and matlagning)
    p01 = data.participants["participant_id"].to_list().index("P01")
    s01 = slots["slot_id"].to_list().index("S01")
    parts = model.explain_pairs(np.array([p01]), np.array([s01]))
    assert parts["skills"][0] == pytest.approx(0.7 * 1.0 + 0.3 * 0.5)
    assert parts["occupation"][0] == pytest.approx(1.0)


# -- the vectorised builders against naive per-pair implementations --------------------------
def _naive_skills(X: FeatureInput, cutoff: float = 85.0) -> np.ndarray:
    from rapidfuzz import fuzz

    from features._common import normalise_text
    from features.skills import load_synonyms

    syn = load_synonyms()
    keys = list(syn)

    def canon(text: str) -> str:
        norm = normalise_text(text)
        if norm in syn:
            return syn[norm]
        best = max(keys, key=lambda k: fuzz.ratio(norm, k))
        return syn[best] if fuzz.ratio(norm, best) >= 90 else norm

    def cover(have: set[str], term: str) -> float:
        sims = [fuzz.ratio(h, term) for h in have]
        best = max(sims, default=0.0)
        return best / 100 if best >= cutoff else 0.0

    out = np.zeros((X.participants.height, X.slots.height))
    for i, skills in enumerate(X.participants["skills"].to_list()):
        have = {canon(x) for x in skills}
        for j, (req, des) in enumerate(
            zip(
                X.slots["required_skills"].to_list(),
                X.slots["desired_skills"].to_list(),
                strict=True,
            )
        ):
            parts = []
            for terms in (req, des):
                uniq = {canon(x) for x in terms}
                parts.append(np.mean([cover(have, t) for t in uniq]) if uniq else 1.0)
            out[i, j] = 0.7 * parts[0] + 0.3 * parts[1]
    return out


def _naive_occupation(X: FeatureInput) -> np.ndarray:
    from features._common import normalise_text
    from features.occupation import load_taxonomy

    tax = load_taxonomy()

    def code(text: str) -> str | None:
        norm = normalise_text(text)
        if norm.isdigit():
            return norm
        return tax.names.get(norm)

    out = np.zeros((X.participants.height, X.slots.height))
    for i, interests in enumerate(X.participants["interests"].to_list()):
        codes = [c for c in (code(x) for x in interests) if c is not None]
        for j, ssyk in enumerate(X.slots["ssyk"].to_list()):
            best = 0.0
            for c in codes:
                if ssyk is None:
                    continue
                k = 0
                while k < min(len(c), len(ssyk)) and c[k] == ssyk[k]:
                    k += 1
                level = [0.0, 0.25, 0.5, 0.75, 1.0][k]
                fc, fs = tax.fields.get(c), tax.fields.get(ssyk)
                if len(c) == 4 and len(ssyk) == 4 and fc is not None and fc == fs:
                    level = max(level, 0.4)
                best = max(best, level)
            out[i, j] = best
    return out


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_skills_against_naive(seed: int) -> None:
    X = random_input(seed, n=15, m=12)
    got = SkillMatch().fit(X).transform(np.arange(15), np.arange(12))
    np.testing.assert_allclose(got, _naive_skills(X), atol=1e-5)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_occupation_against_naive(seed: int) -> None:
    # interests without fuzzy names, so the naive lookup is exact
    X = random_input(seed, n=15, m=12)
    X = FeatureInput(
        X.participants.with_columns(
            pl.col("interests").list.eval(pl.element().filter(pl.element() != "xyzzy"))
        ),
        X.slots,
        X.as_of,
        X.days_aterbruk,
        X.aterbruk_max_days,
    )
    got = OccupationFit().fit(X).transform(np.arange(15), np.arange(12))
    np.testing.assert_allclose(got, _naive_occupation(X), atol=1e-6)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 12), m=st.integers(0, 12))
def test_score_model_property(seed: int, n: int, m: int) -> None:
    X = random_input(seed, n=n, m=m)
    model = ScoreModel().fit(X)
    block = model.transform(np.arange(n), np.arange(m))
    assert block.shape == (n, m)
    assert block.dtype == np.float32
    assert np.isfinite(block).all()
    assert ((block >= 0) & (block <= 1)).all()
    pp, ss = np.meshgrid(np.arange(n), np.arange(m), indexing="ij")
    np.testing.assert_allclose(
        model.transform_pairs(pp.ravel(), ss.ravel()), block.ravel(), atol=1e-6
    )
