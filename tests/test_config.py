"""``rules.toml`` (``matching.config.load_rules``): defaults, overrides, new kinds, bad files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from matching.config import ELIGIBILITY_FLAGS, Rules, load_rules
from matching.exceptions import ConfigError, InputError
from matching.instance import build_instance
from matching.io import load_dataset
from matching.rules import codes_of, failing_mask
from tests.paths import EXAMPLE
from tests.test_io import add_row, set_cell

AS_OF = date(2026, 11, 23)
AMA_KINDS = {"extratjanst", "trygghetsanstallning", "utvecklingsanstallning", "osa", "bea"}
ALL_KINDS = ["job", "praktik", "extratjanst", "trygghetsanstallning", "utvecklingsanstallning",
             "osa", "bea", "feriearbete", "aterbruk"]


def write_rules(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def verdicts(folder: Path, rules: Rules) -> dict[tuple[str, str], list[str]]:
    """Every pair's failing rule codes at the example's as-of date."""
    inst = build_instance(load_dataset(folder, rules), rules, AS_OF)
    mask = failing_mask(inst, np.arange(inst.n_participants)[:, None],
                        np.arange(inst.n_slots)[None, :])
    return {
        (p, s): codes_of(int(mask[i, j]))
        for i, p in enumerate(inst.p_id.tolist())
        for j, s in enumerate(inst.s_id.tolist())
    }


@pytest.fixture(scope="module")
def expected_pairs() -> dict[tuple[str, str], list[str]]:
    if not EXAMPLE.is_dir():
        pytest.skip("../shared/contract/example missing")
    df = pl.read_csv(EXAMPLE / "expected_pairs.csv", infer_schema=False)
    return {
        (r["participant_id"], r["slot_id"]): (r["failing_rules"] or "").split(";")
        if r["failing_rules"] else []
        for r in df.iter_rows(named=True)
    }


def changed(got: dict[tuple[str, str], list[str]],
            base: dict[tuple[str, str], list[str]]) -> dict[tuple[str, str], list[str]]:
    return {k: v for k, v in got.items() if base.get(k) != v}


# -- defaults -----------------------------------------------------------------------------------
def test_defaults_are_the_contract() -> None:
    rules = load_rules()
    assert rules.aterbruk_max_days == 183
    assert rules.ama_max_days == 730
    assert rules.staff_cut_quarantine_days == 365
    assert rules.max_per_supervisor == 3
    assert rules.private_praktik_max_weeks == 13
    assert sorted(rules.kind_names) == sorted(ALL_KINDS)
    assert {k for k, v in rules.kinds.items() if v.ama} == AMA_KINDS
    assert {k for k, v in rules.kinds.items() if not v.supervised} == {"job", "aterbruk"}
    assert {k for k, v in rules.kinds.items() if not v.blocks_new} == {"aterbruk"}
    assert {k for k, v in rules.kinds.items() if v.aterbruk} == {"aterbruk"}
    assert {k for k, v in rules.kinds.items() if v.time_limited_praktik} == {"praktik"}
    assert set(rules.kinds["extratjanst"].requires_any) == {"long_term_unemployed",
                                                            "newly_arrived"}
    for kind in ("trygghetsanstallning", "utvecklingsanstallning", "osa"):
        assert rules.kinds[kind].requires_any == ("disability",)
    for kind in ("job", "praktik", "bea", "feriearbete", "aterbruk"):
        assert rules.kinds[kind].requires_any == ()
    fa = rules.kinds["feriearbete"]
    assert (fa.min_age, fa.max_age) == (15, 19)
    for kind in set(ALL_KINDS) - {"feriearbete"}:
        assert (rules.kinds[kind].min_age, rules.kinds[kind].max_age) == (16, 64)
    assert rules.weights
    assert all(w >= 0 for w in rules.weights.values())
    assert "gender" not in rules.weights and "born_abroad" not in rules.weights


def test_empty_rules_file_means_defaults(tmp_path: Path) -> None:
    assert load_rules(write_rules(tmp_path, "")) == load_rules()


def test_loading_is_repeatable() -> None:
    assert load_rules() == load_rules()


# -- overrides ----------------------------------------------------------------------------------
def test_override_keeps_other_defaults(tmp_path: Path) -> None:
    rules = load_rules(write_rules(tmp_path, "aterbruk_max_days = 200\n"))
    default = load_rules()
    assert rules.aterbruk_max_days == 200
    assert rules.ama_max_days == default.ama_max_days
    assert rules.staff_cut_quarantine_days == default.staff_cut_quarantine_days
    assert rules.kinds == default.kinds
    assert rules.weights == default.weights
    assert rules.run == default.run


def test_default_verdicts_are_the_example(example: Path,
                                          expected_pairs: dict[tuple[str, str], list[str]]) -> None:
    assert verdicts(example, load_rules()) == expected_pairs


@pytest.mark.parametrize(
    ("toml", "now_allowed", "now_refused"),
    [
        # P06 has served 128 days at Återbruk: 128 + 56 = 184 > 183, but <= 200
        ("aterbruk_max_days = 200", [("P06", "S12")], []),
        # P05 has served 127: 127 + 56 = 183 is allowed by default, refused at 182
        ("aterbruk_max_days = 182", [], [("P05", "S12", "aterbruk_limit")]),
        # P07: 545 AMA days + 26 weeks = 727
        ("ama_max_days = 727", [], []),
        ("ama_max_days = 726", [], [("P07", "S06", "ama_limit")]),
        # W02's staff cut was exactly 365 days before S02's start
        ("staff_cut_quarantine_days = 366", [], [("P18", "S02", "union")]),
        # W03's was 364 days before S03's start
        ("staff_cut_quarantine_days = 364", [("P01", "S03"), ("P08", "S03")], []),
        # S08 runs 14 weeks at a private workplace that is not recruiting
        ("private_praktik_max_weeks = 14", [("P01", "S08"), ("P18", "S08")], []),
        ("private_praktik_max_weeks = 12", [], [("P01", "S07", "private_praktik")]),
    ],
)
def test_overrides_move_boundary_verdicts(
    example: Path, tmp_path: Path, expected_pairs: dict[tuple[str, str], list[str]], toml: str,
    now_allowed: list[tuple[str, str]], now_refused: list[tuple[str, str, str]],
) -> None:
    got = verdicts(example, load_rules(write_rules(tmp_path, toml + "\n")))
    for pair in now_allowed:
        assert expected_pairs[pair], pair  # refused by default
        assert got[pair] == [], pair
    for p, s, code in now_refused:
        assert code in got[(p, s)], (p, s)
    if toml == "ama_max_days = 727":
        assert got == expected_pairs


def test_aterbruk_override_changes_only_p06_s12(
    example: Path, tmp_path: Path, expected_pairs: dict[tuple[str, str], list[str]],
) -> None:
    got = verdicts(example, load_rules(write_rules(tmp_path, "aterbruk_max_days = 200\n")))
    assert expected_pairs[("P06", "S12")] == ["aterbruk_limit"]
    assert changed(got, expected_pairs) == {("P06", "S12"): []}


def test_max_per_supervisor_changes_the_cap(example: Path, tmp_path: Path) -> None:
    rules = load_rules(write_rules(tmp_path, "max_per_supervisor = 1\n"))
    inst = build_instance(load_dataset(example, rules), rules, AS_OF)
    caps = dict(zip(inst.w_id.tolist(), inst.w_cap_left.tolist(), strict=True))
    # W01: min(12 staff, 2 supervisors * 1) = 2; W10: min(10, 3) = 3; W09 stays used up
    assert caps["W01"] == 2
    assert caps["W10"] == 3
    assert caps["W09"] == 0


def test_kind_override_merges_with_its_defaults(tmp_path: Path) -> None:
    rules = load_rules(write_rules(tmp_path, "[kinds.feriearbete]\nmax_age = 20\n"))
    assert (rules.kinds["feriearbete"].min_age, rules.kinds["feriearbete"].max_age) == (15, 20)
    assert rules.kind_names[: len(ALL_KINDS)] == load_rules().kind_names


def test_kind_override_changes_verdicts(
    example: Path, tmp_path: Path, expected_pairs: dict[tuple[str, str], list[str]],
) -> None:
    # P03 turns 20 in the feriearbete's year: refused by default, allowed when 20 is allowed
    got = verdicts(example, load_rules(write_rules(tmp_path, "[kinds.feriearbete]\n"
                                                              "max_age = 20\n")))
    assert expected_pairs[("P03", "S13")] == ["age"]
    assert changed(got, expected_pairs) == {("P03", "S13"): []}


def test_weights_override(tmp_path: Path) -> None:
    rules = load_rules(write_rules(tmp_path, "[weights]\nskills = 0.5\n"))
    assert rules.weights["skills"] == 0.5
    assert rules.weights["occupation"] == load_rules().weights["occupation"]


def test_run_settings_override(tmp_path: Path) -> None:
    rules = load_rules(write_rules(tmp_path, "[run]\ntop_k_per_participant = 5\n"
                                             "maximize_placements = false\n"))
    assert rules.run.top_k_per_participant == 5
    assert rules.run.maximize_placements is False
    assert rules.run.top_k_per_slot_extra == load_rules().run.top_k_per_slot_extra


# -- a new kind: introduktionsjobb ---------------------------------------------------------------
INTRO = """
[kinds.introduktionsjobb]
ama = true
requires_any = ["long_term_unemployed"]
"""


def _add_intro_slot(folder: Path, slot_id: str = "S18", workplace: str = "W01",
                    weeks: str = "26") -> int:
    return add_row(folder, "slots", "S01", slot_id=slot_id, workplace_id=workplace,
                   kind="introduktionsjobb", title="Introduktionsjobb", weeks=weeks,
                   min_swedish="none", min_capacity_pct="0", status="")


def test_new_kind_is_configured(tmp_path: Path) -> None:
    rules = load_rules(write_rules(tmp_path, INTRO))
    kind = rules.kinds["introduktionsjobb"]
    assert kind.ama is True
    assert kind.requires_any == ("long_term_unemployed",)
    assert kind.supervised is True  # the default for a kind
    assert "introduktionsjobb" in rules.kind_names
    assert set(ALL_KINDS) < set(rules.kind_names)


def test_new_kind_slot_is_refused_without_the_rule(example: Path) -> None:
    row = _add_intro_slot(example)
    with pytest.raises(InputError) as info:
        load_dataset(example, load_rules())
    assert {(p.file, p.row, p.column) for p in info.value.problems} == {("slots.csv", row,
                                                                          "kind")}


def test_new_kind_slot_loads_and_is_judged(
    example: Path, tmp_path: Path, expected_pairs: dict[tuple[str, str], list[str]],
) -> None:
    _add_intro_slot(example, "S18", "W01", "26")  # W01: union approved, no cut, 2 supervisors
    _add_intro_slot(example, "S19", "W04", "26")  # W04: approval ends before the start
    _add_intro_slot(example, "S20", "W01", "27")  # P07: 545 + 189 = 734 AMA days > 730
    rules = load_rules(write_rules(tmp_path, INTRO))
    data = load_dataset(example, rules)
    assert data.slots["kind"].to_list()[-3:] == ["introduktionsjobb"] * 3
    got = verdicts(example, rules)

    # the 17 old slots are judged as before
    assert {k: v for k, v in got.items() if k[1] not in ("S18", "S19", "S20")} == expected_pairs

    assert got[("P01", "S18")] == []  # long-term unemployed
    assert got[("P08", "S18")] == []
    assert got[("P07", "S18")] == []  # 545 + 182 = 727 AMA days
    assert got[("P02", "S18")] == ["kind_eligibility"]  # not long-term unemployed
    assert got[("P18", "S18")] == ["kind_eligibility"]  # newly arrived is not enough here
    assert got[("P04", "S18")] == ["age", "kind_eligibility"]
    assert got[("P12", "S18")] == ["exited", "kind_eligibility"]
    assert got[("P01", "S19")] == ["union"]  # an AMA kind: the union rule applies
    assert got[("P07", "S20")] == ["ama_limit"]  # ... and so does the AMA limit
    assert got[("P01", "S20")] == []

    inst = build_instance(data, rules, AS_OF)
    s18 = inst.s_id.tolist().index("S18")
    assert bool(inst.s_supervised[s18]) is True


def test_placements_of_new_kind_count_as_ama_days(example: Path, tmp_path: Path) -> None:
    _add_intro_slot(example, "S18", "W01", "52")
    # P01 served 2025-01-01 .. 2026-06-30 in an introduktionsjobb: 545 days
    add_row(example, "placements", "H10", placement_id="H13", participant_id="P01",
            workplace_id="W01", kind="introduktionsjobb", start="2025-01-01",
            end="2026-06-30", outcome="completed", slot_id="")
    rules = load_rules(write_rules(tmp_path, INTRO))
    got = verdicts(example, rules)
    assert got[("P01", "S18")] == ["ama_limit"]  # 545 + 364 > 730
    assert got[("P01", "S01")] == ["ama_limit"]  # and it counts against other AMA kinds too


def test_new_kind_with_own_age_band(example: Path, tmp_path: Path) -> None:
    _add_intro_slot(example, "S18", "W01", "4")
    rules = load_rules(write_rules(tmp_path, """
[kinds.sommarjobb]
ama = false
supervised = true
min_age = 16
max_age = 18
"""))
    set_cell(example, "slots", "S18", "kind", "sommarjobb")
    set_cell(example, "slots", "S18", "start", "2027-06-15")
    got = verdicts(example, rules)
    assert got[("P04", "S18")] == []  # 16 in 2027
    assert got[("P02", "S18")] == ["age"]  # 19 in 2027
    assert got[("P03", "S18")] == ["age"]  # 20 in 2027


# -- bad rules files ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("toml", "must_name"),
    [
        ("aterbruk_max_dagar = 200\n", "aterbruk_max_dagar"),
        ("aterbruk_max_days = \"200\"\n", "aterbruk_max_days"),
        ("aterbruk_max_days = 183.5\n", "aterbruk_max_days"),
        ("aterbruk_max_days = true\n", "aterbruk_max_days"),
        ("aterbruk_max_days = -1\n", "aterbruk_max_days"),
        ("ama_max_days = [730]\n", "ama_max_days"),
        ("max_per_supervisor = \"3\"\n", "max_per_supervisor"),
        ("private_praktik_max_weeks = 13.0\n", "private_praktik_max_weeks"),
        ("staff_cut_quarantine_days = 365.0\n", "staff_cut_quarantine_days"),
        ("[kinds.introduktionsjobb]\nama = true\nrequires = [\"disability\"]\n", "requires"),
        ("[kinds.introduktionsjobb]\nama = \"yes\"\n", "ama"),
        ("[kinds.praktik]\nsupervised = 1\n", "supervised"),
        ("[kinds.praktik]\nmin_age = \"16\"\n", "min_age"),
        ("[kinds.praktik]\nmin_age = true\n", "min_age"),
        ("[kinds.praktik]\nrequires_any = \"disability\"\n", "requires_any"),
        ("[kinds.introduktionsjobb]\nrequires_any = [\"unemployed\"]\n", "unemployed"),
        ("[kinds.introduktionsjobb]\nrequires_any = [\"gender\"]\n", "gender"),
        ("[kinds.introduktionsjobb]\nmin_age = 30\nmax_age = 20\n", "introduktionsjobb"),
        ("[kinds]\nintroduktionsjobb = 1\n", "introduktionsjobb"),
        ("[weights]\nskills = -0.1\n", "skills"),
        ("[weights]\nskills = \"a lot\"\n", "skills"),
        ("[weights]\nskills = true\n", "skills"),
        ("[run]\ntop_k = 3\n", "top_k"),
        ("[run]\ntop_k_per_participant = 0\n", "top_k_per_participant"),
        ("[run]\nmaximize_placements = \"yes\"\n", "maximize_placements"),
        # not a table where a table belongs
        ("kinds = \"job\"\n", "kinds"),
        ("weights = 3\n", "weights"),
        ("run = 1\n", "run"),
    ],
)
def test_bad_rules_raise_config_error_naming_key_and_file(tmp_path: Path, toml: str,
                                                          must_name: str) -> None:
    path = write_rules(tmp_path, toml)
    with pytest.raises(ConfigError) as info:
        load_rules(path)
    text = str(info.value)
    assert must_name in text
    assert str(path) in text


def test_all_weights_zero_is_an_error(tmp_path: Path) -> None:
    names = load_rules().weights
    path = write_rules(tmp_path, "[weights]\n" + "".join(f"{k} = 0\n" for k in names))
    with pytest.raises(ConfigError, match="weights"):
        load_rules(path)


@pytest.mark.parametrize(
    "text",
    [
        "aterbruk_max_days = \n",
        "aterbruk_max_days = 183\naterbruk_max_days = 200\n",  # a key given twice
        "[kinds.praktik\nama = true\n",
        "this is not toml\n",
    ],
)
def test_bad_toml_raises_config_error_naming_file(tmp_path: Path, text: str) -> None:
    path = write_rules(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_rules(path)
    assert str(path) in str(info.value)
    assert "TOML" in str(info.value)


def test_missing_rules_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_rules(tmp_path / "nope.toml")
    assert "nope.toml" in str(info.value)


def test_flags_are_the_contract() -> None:
    assert {"long_term_unemployed", "newly_arrived", "disability"} == ELIGIBILITY_FLAGS
