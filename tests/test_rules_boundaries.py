"""Every rule on its boundary, one named case each (from the contract's worked example).

The golden test compares all 374 pairs; these cases name the boundary each pair sits on, so a
failure says which rule moved.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from matching.config import load_rules
from matching.instance import build_instance
from matching.io import load_dataset
from matching.rules import codes_of, failing_mask
from tests.paths import EXAMPLE

pytestmark = pytest.mark.skipif(not EXAMPLE.is_dir(), reason="../shared/contract/example missing")
AS_OF = date(2026, 11, 23)

CASES = [
    # (what, participant, slot, failing rules)
    ("Återbruk: 127 days served + 8 weeks = 183, allowed", "P05", "S12", []),
    ("Återbruk: 128 days served + 8 weeks = 184, refused", "P06", "S12", ["aterbruk_limit"]),
    ("Återbruk booking after the as-of date counts nothing", "P16", "S12", []),
    ("AMA: 545 days + 26 weeks = 727, allowed", "P07", "S06", ["union"]),
    ("AMA: 545 days + 52 weeks = 909, refused", "P07", "S02", ["ama_limit"]),
    ("staff cut exactly 365 days before the start, allowed", "P18", "S02", []),
    ("staff cut 364 days before the start, refused", "P01", "S03", ["union"]),
    ("union approval ends the day before the start, refused", "P10", "S04", ["union"]),
    ("union approval ends on the start day, allowed", "P10", "S05", []),
    ("staff problems, refused", "P08", "S06", ["union"]),
    ("no supervisors, refused", "P01", "S17", ["union"]),
    ("private praktik 13 weeks, not recruiting, allowed", "P01", "S07", []),
    ("private praktik 14 weeks, not recruiting, refused", "P01", "S08", ["private_praktik"]),
    ("praktik 20 weeks at a recruiting employer, allowed", "P01", "S09", []),
    ("feriearbete at 19, allowed", "P02", "S13", []),
    ("feriearbete at 20, refused", "P03", "S13", ["age"]),
    ("15 this year: refused for anything but feriearbete", "P04", "S07", ["age"]),
    ("16 in the feriearbete's year, allowed", "P04", "S13", []),
    ("exited yesterday", "P12", "S07", ["exited"]),
    ("exited today", "P13", "S07", ["exited"]),
    ("exits tomorrow: still active", "P14", "S07", []),
    ("running praktik", "P15", "S07", ["placed"]),
    ("placement ending on the as-of date still runs", "P21", "S07", ["placed"]),
    ("slot filled", "P01", "S16", ["slot_open"]),
    ("physical restrictions vs high load", "P08", "S10", ["physical"]),
    ("driving licence needed", "P09", "S10", ["license"]),
    ("needs adapted supervision", "P10", "S07", ["adapted"]),
    ("commute over 2 km", "P11", "S02", ["commute"]),
    ("newly arrived: extratjänst yes", "P18", "S02", []),
    ("newly arrived: trygghetsanställning no", "P18", "S01", ["kind_eligibility"]),
]


@pytest.fixture(scope="module")
def verdict():
    rules = load_rules()
    inst = build_instance(load_dataset(EXAMPLE, rules), rules, AS_OF)
    p_row = {p: i for i, p in enumerate(inst.p_id.tolist())}
    s_row = {s: i for i, s in enumerate(inst.s_id.tolist())}

    def of(pid: str, sid: str) -> list[str]:
        mask = failing_mask(inst, np.array([p_row[pid]]), np.array([s_row[sid]]))
        return codes_of(int(mask[0]))

    return of, inst


@pytest.mark.parametrize(("what", "pid", "sid", "fails"), CASES, ids=[c[0] for c in CASES])
def test_boundary(verdict, what, pid, sid, fails):
    of, _ = verdict
    assert of(pid, sid) == fails, what


def test_workplace_cap_counts_running_placements_of_anyone(verdict):
    # W09: cap min(3, 1 * 3) = 3; four running supervised placements (one by an exited person).
    _, inst = verdict
    w = int(np.flatnonzero(inst.w_id == "W09")[0])
    assert inst.w_running_supervised[w] == 4
    assert inst.w_cap_left[w] == 0
