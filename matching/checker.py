"""An independent check of a proposal run: written row by row from the contract's text.

It shares no code with the vectorised rules (``matching.rules``, ``matching.instance``) or with the
solver: it reads the validated tables as plain Python rows and re-derives every fact itself. Every
run is checked before anything is written; tests use :func:`pair_failures` as an oracle for the
vectorised rules.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from matching.config import Rules
from matching.io import Dataset

_LEVELS = ["none", "sfi_a", "sfi_b", "sfi_c", "sfi_d", "fluent"]


@dataclass
class CheckReport:
    """What the checker found. ``ok`` when there are no violations."""

    violations: list[tuple[str, str]] = field(default_factory=list)
    n_checked_pairs: int = 0
    objective_recomputed: float = 0.0

    @property
    def ok(self) -> bool:
        """True when the run breaks no rule."""
        return not self.violations


class RunChecker:
    """Re-derives the contract's facts from the tables and checks proposals against them.

    Parameters
    ----------
    data : Dataset
        The validated tables.
    rules : Rules
        The run's rules and kinds.
    as_of : datetime.date
        The run's date.
    """

    def __init__(self, data: Dataset, rules: Rules, as_of: date) -> None:
        self.rules = rules
        self.as_of = as_of
        self.people = {r["participant_id"]: r for r in data.participants.iter_rows(named=True)}
        self.slots = {r["slot_id"]: r for r in data.slots.iter_rows(named=True)}
        self.workplaces = {r["workplace_id"]: r for r in data.workplaces.iter_rows(named=True)}
        self.history: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in data.placements.iter_rows(named=True):
            self.history[r["participant_id"]].append(r)
        self.running_supervised: Counter[str] = Counter()
        for r in data.placements.iter_rows(named=True):
            if self._running(r) and self.rules.kinds[r["kind"]].supervised:
                self.running_supervised[r["workplace_id"]] += 1

    # -- facts -----------------------------------------------------------------------------
    def _running(self, placement: dict[str, Any]) -> bool:
        end = placement["end"]
        return placement["start"] <= self.as_of and (end is None or end >= self.as_of)

    def _days(self, pid: str, want: str) -> int:
        total = 0
        for pl_ in self.history.get(pid, []):
            spec = self.rules.kinds[pl_["kind"]]
            if not getattr(spec, want):
                continue
            stop = self.as_of if pl_["end"] is None else min(pl_["end"], self.as_of)
            total += max(0, (stop - pl_["start"]).days)
        return total

    def is_active(self, pid: str) -> bool:
        """Neither exited on or before the as-of date nor in a running blocking placement."""
        person = self.people[pid]
        if person["exited"] is not None and person["exited"] <= self.as_of:
            return False
        return not any(self._running(x) and self.rules.kinds[x["kind"]].blocks_new
                       for x in self.history.get(pid, []))

    def cap_left(self, wid: str) -> int:
        """The workplace's cap for supervised kinds, less its running supervised placements."""
        w = self.workplaces[wid]
        cap = min(w["ordinary_staff"], w["supervisors"] * self.rules.max_per_supervisor)
        return max(0, cap - self.running_supervised[wid])

    def pair_failures(self, pid: str, sid: str) -> list[str]:
        """Every rule code the pair breaks, in the contract's order."""
        p, s = self.people[pid], self.slots[sid]
        w = self.workplaces[s["workplace_id"]]
        kind = self.rules.kinds[s["kind"]]
        fails = []
        if s["status"] not in (None, "open"):
            fails.append("slot_open")
        if p["exited"] is not None and p["exited"] <= self.as_of:
            fails.append("exited")
        if any(self._running(x) and self.rules.kinds[x["kind"]].blocks_new
               for x in self.history.get(pid, [])):
            fails.append("placed")
        age = s["start"].year - p["birth_year"]
        if not kind.min_age <= age <= kind.max_age:
            fails.append("age")
        if _LEVELS.index(p["swedish"]) < _LEVELS.index(s["min_swedish"]):
            fails.append("swedish")
        if p["work_capacity_pct"] < s["min_capacity_pct"]:
            fails.append("capacity")
        if kind.requires_any and not any(p[f] for f in kind.requires_any):
            fails.append("kind_eligibility")
        if kind.ama:
            cut = w["last_staff_cut"]
            ok = (
                w["union_approved_until"] is not None
                and w["union_approved_until"] >= s["start"]
                and not w["staff_problems"]
                and not (cut is not None
                         and (s["start"] - cut).days < self.rules.staff_cut_quarantine_days)
                and w["supervisors"] >= 1
            )
            if not ok:
                fails.append("union")
        if kind.aterbruk and self._days(pid, "aterbruk") + 7 * s["weeks"] > \
                self.rules.aterbruk_max_days:
            fails.append("aterbruk_limit")
        if kind.ama and self._days(pid, "ama") + 7 * s["weeks"] > self.rules.ama_max_days:
            fails.append("ama_limit")
        if (kind.time_limited_praktik and w["sector"] in ("private", "municipal_company")
                and not w["recruiting"] and s["weeks"] > self.rules.private_praktik_max_weeks):
            fails.append("private_praktik")
        if p["physical_restrictions"] and s["physical_load"] == "high":
            fails.append("physical")
        if s["driving_license"] and not p["driving_license"]:
            fails.append("license")
        if p["needs_adapted"] and not s["adapted"]:
            fails.append("adapted")
        coords = (p["lat"], p["lon"], w["lat"], w["lon"])
        if p["max_commute_km"] is not None and None not in coords:
            if _great_circle_km(*coords) > p["max_commute_km"] + 0.001:
                fails.append("commute")
        return fails

    # -- a whole run -----------------------------------------------------------------------
    def check(self, proposals: list[tuple[str, str, float]], unassigned: list[str],
              reported_total: float | None = None,
              require_positive: bool = True, total_tolerance: float = 1e-6) -> CheckReport:
        """Check a run's output.

        Parameters
        ----------
        proposals : list of (participant_id, slot_id, score)
        unassigned : participant ids listed as unassigned
        reported_total : the solver's objective; the proposals' scores must add up to it.
        total_tolerance : absolute slack for that comparison (engine runs round their scores).
        require_positive : given-scores runs never propose a pair with score <= 0.
        """
        rep = CheckReport(n_checked_pairs=len(proposals))
        v = rep.violations
        per_person = Counter(pid for pid, _, _ in proposals)
        for pid, n in per_person.items():
            if n > 1:
                v.append(("nobody_twice", f"{pid} has {n} proposals"))
        per_slot = Counter(sid for _, sid, _ in proposals)
        for sid, n in per_slot.items():
            if sid in self.slots and n > self.slots[sid]["seats"]:
                v.append(("seats", f"{sid} gets {n} > {self.slots[sid]['seats']} seats"))
        per_wp: Counter[str] = Counter()
        for pid, sid, score in proposals:
            if pid not in self.people or sid not in self.slots:
                v.append(("unknown_id", f"{pid} x {sid}"))
                continue
            for code in self.pair_failures(pid, sid):
                v.append((code, f"{pid} x {sid}"))
            if not math.isfinite(score) or (require_positive and score <= 0):
                v.append(("score", f"{pid} x {sid} has score {score}"))
            s = self.slots[sid]
            if self.rules.kinds[s["kind"]].supervised:
                per_wp[s["workplace_id"]] += 1
        for wid, n in per_wp.items():
            if n > self.cap_left(wid):
                v.append(("workplace_cap",
                          f"{wid}: {n} proposals > cap left {self.cap_left(wid)}"))
        listed = set(per_person) | set(unassigned)
        both = set(per_person) & set(unassigned)
        for pid in sorted(both):
            v.append(("output", f"{pid} is both proposed and unassigned"))
        for pid in sorted(self.people):
            if self.is_active(pid) and pid not in listed:
                v.append(("output", f"active participant {pid} is missing from the output"))
        for pid in sorted(set(unassigned)):
            if pid in self.people and not self.is_active(pid):
                v.append(("output", f"{pid} is not active but is listed as unassigned"))
        rep.objective_recomputed = math.fsum(score for _, _, score in proposals)
        if reported_total is not None and not math.isclose(
            rep.objective_recomputed, reported_total, rel_tol=1e-9, abs_tol=total_tolerance
        ):
            v.append(("objective", f"reported total {reported_total} but the proposals sum to "
                                   f"{rep.objective_recomputed}"))
        return rep


def _great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))
