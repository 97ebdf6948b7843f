"""A proposal run and a shortlist, from validated tables to result tables.

tables → :class:`~matching.instance.Instance` → rules and scores → candidate pairs → solver →
independent check → proposals, unassigned, summary. No I/O here: the CLI and the service read
the input and write the output.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import polars as pl

from matching.candidates import Candidates, build_candidates, chunk_rows_for, map_chunks
from matching.checker import RunChecker
from matching.config import Rules
from matching.exceptions import FeasibilityError, InputError, MatchingError
from matching.instance import Instance, build_instance
from matching.io import PERSONNUMMER_MESSAGE, Dataset, personnummer_rows, show_value
from matching.rules import RULE_CODES, codes_of, failing_mask

#: Engine scores below this still count as a (poor) fit for the solver.
_MIN_ARC_SCORE = 1e-4
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class GivenScores:
    """Scores given from outside (``--scores``): the pairs and their score, by row index."""

    p: np.ndarray
    s: np.ndarray
    score: np.ndarray


@dataclass
class RunResult:
    """What a proposal run produced: the three output tables' content."""

    proposals: pl.DataFrame
    unassigned: pl.DataFrame
    summary: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)


def feature_input(inst: Instance) -> Any:
    """The tables as the feature builders see them (slots joined with their workplace)."""
    from features.base import FeatureInput

    data = inst.data
    wp = data.workplaces.rename({c: f"wp_{c}" for c in data.workplaces.columns})
    slots = data.slots.join(wp, left_on="workplace_id", right_on="wp_workplace_id",
                            how="left", maintain_order="left")
    return FeatureInput(
        participants=data.participants,
        slots=slots,
        as_of=inst.as_of,
        days_aterbruk=inst.p_days_aterbruk,
        aterbruk_max_days=inst.rules.aterbruk_max_days,
    )


def fit_score_model(inst: Instance) -> Any:
    """Fit the configured score model on the instance's tables."""
    from features.score import ScoreModel

    return ScoreModel(weights=inst.rules.weights or None).fit(feature_input(inst))


def resolve_given_scores(inst: Instance, scores: pl.DataFrame, file: str) -> GivenScores:
    """Check a given-scores table against the instance and turn ids into row indices.

    Raises
    ------
    InputError
        For a missing column, an unknown id, an empty or non-finite score or a duplicate pair;
        each problem names the file, the row and the column.
    """
    from matching.exceptions import Problem

    missing = [c for c in ("participant_id", "slot_id", "score") if c not in scores.columns]
    if missing:
        raise InputError([Problem(file, None, c, "required column is missing") for c in missing])
    df = scores.select(
        pl.col("participant_id").cast(pl.String).str.strip_chars(),
        pl.col("slot_id").cast(pl.String).str.strip_chars(),
        pl.col("score").cast(pl.String).str.strip_chars().alias("raw"),
    ).with_row_index("row", offset=1)
    p_index = pl.DataFrame({"participant_id": inst.p_id.astype(str),
                            "p": np.arange(inst.n_participants, dtype=np.int64)})
    s_index = pl.DataFrame({"slot_id": inst.s_id.astype(str),
                            "s": np.arange(inst.n_slots, dtype=np.int64)})
    df = (
        df.with_columns(pl.col("raw").cast(pl.Float64, strict=False).alias("score"))
        .join(p_index, on="participant_id", how="left", maintain_order="left")
        .join(s_index, on="slot_id", how="left", maintain_order="left")
        .with_columns(
            dup=pl.struct("participant_id", "slot_id").is_duplicated()
            & ~pl.struct("participant_id", "slot_id").is_first_distinct()
        )
    )
    problems: list[Problem] = []
    for column in scores.columns:
        for pos in personnummer_rows(scores[column])[:50]:
            problems.append(Problem(file, pos + 1, column, PERSONNUMMER_MESSAGE))
    if problems:
        raise InputError(problems)
    checks = [
        (pl.col("p").is_null(), "participant_id",
         lambda r: f"{show_value(r['participant_id'])} does not exist in participants"),
        (pl.col("s").is_null(), "slot_id",
         lambda r: f"{show_value(r['slot_id'])} does not exist in slots"),
        (pl.col("raw").is_null() | (pl.col("raw") == ""), "score", lambda r: "empty"),
        (pl.col("raw").is_not_null() & (pl.col("raw") != "")
         & (pl.col("score").is_null() | ~pl.col("score").is_finite()), "score",
         lambda r: f"{show_value(r['raw'])} is not a finite number"),
        (pl.col("dup"), "participant_id",
         lambda r: f"duplicate pair {r['participant_id']} x {r['slot_id']}"),
    ]
    for cond, column, text in checks:
        for rec in df.filter(cond).head(50).iter_rows(named=True):
            problems.append(Problem(file, int(rec["row"]), column, text(rec)))
    if problems:
        problems.sort(key=lambda x: (x.row or 0))
        raise InputError(problems[:50])
    return GivenScores(df["p"].to_numpy().astype(np.int64), df["s"].to_numpy().astype(np.int64),
                       df["score"].to_numpy().astype(np.float64))


def propose(
    data: Dataset,
    rules: Rules,
    as_of: date,
    given: pl.DataFrame | None = None,
    given_file: str = "scores",
    progress: Progress | None = None,
) -> RunResult:
    """One weekly proposal run.

    Parameters
    ----------
    data : Dataset
        Validated tables.
    rules : Rules
    as_of : datetime.date
    given : polars.DataFrame, optional
        ``participant_id, slot_id, score``: replaces the engine's scores; only the listed pairs
        that pass every rule may be proposed, and the run maximises their total exactly.
    given_file : str
        The given scores' file name, for error messages.
    progress : callable, optional
        ``progress(step, done, total)`` for a progress bar.

    Returns
    -------
    RunResult

    Raises
    ------
    InputError
        Bad given scores.
    FeasibilityError
        The independent checker found a broken rule (a bug; nothing should be written).
    MatchingError
        The solver did not reach an optimal flow.
    """
    from solver import SolveStatus, solve_assignment

    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    inst = build_instance(data, rules, as_of)
    active = np.flatnonzero(inst.active)
    open_slots = np.flatnonzero(inst.s_open)
    timings["instance_s"] = time.perf_counter() - t0

    def tick(done: int) -> None:
        if progress is not None:
            progress("candidates", done, int(active.size))

    t = time.perf_counter()
    given_scores = None if given is None else resolve_given_scores(inst, given, given_file)
    model = None
    if given_scores is None:
        model = fit_score_model(inst)
        timings["features_fit_s"] = time.perf_counter() - t
        t = time.perf_counter()
        cands = build_candidates(
            inst, active, open_slots, model.transform,
            top_k=rules.run.top_k_per_participant, slot_extra=rules.run.top_k_per_slot_extra,
            progress=tick,
        )
        arc_p, arc_s = cands.p, cands.s
        arc_score = np.maximum(cands.score.astype(np.float64), _MIN_ARC_SCORE)
        maximize_placements = rules.run.maximize_placements
    else:
        cands = build_candidates(inst, active, open_slots, None, progress=tick)
        ok = failing_mask(inst, given_scores.p, given_scores.s) == 0
        keep = ok & (given_scores.score > 0)
        arc_p, arc_s = given_scores.p[keep], given_scores.s[keep]
        arc_score = given_scores.score[keep]
        maximize_placements = False
    timings["candidates_s"] = time.perf_counter() - t

    t = time.perf_counter()
    slot_group = np.where(inst.s_supervised, inst.s_workplace, -1)
    result = solve_assignment(
        arc_p, arc_s, arc_score, inst.s_seats * inst.s_open, slot_group, inst.w_cap_left,
        inst.n_participants, maximize_placements=maximize_placements,
    )
    timings["solve_s"] = time.perf_counter() - t
    if result.status != SolveStatus.OPTIMAL:
        msg = f"the solver stopped with status {result.status.name}; no proposals were made"
        raise MatchingError(msg)

    t = time.perf_counter()
    rp, rs = result.participant, result.slot
    if given_scores is None:
        assert model is not None
        parts = model.explain_pairs(rp, rs)
        weights = model.weights_
        scores = np.zeros(rp.size, dtype=np.float64)
        for name, values in parts.items():
            scores += weights.get(name, 0.0) * np.asarray(values, dtype=np.float64)
        reasons = [
            json.dumps({name: round(float(weights.get(name, 0.0) * parts[name][i]), 4)
                        for name in parts}, ensure_ascii=False)
            for i in range(rp.size)
        ]
    else:
        scores = arc_score[result.arc_index]
        reasons = [json.dumps({"given_score": float(v)}) for v in scores]
    order = np.lexsort((inst.s_id[rs], inst.p_id[rp]))
    proposals = pl.DataFrame({
        "participant_id": inst.p_id[rp][order].astype(str),
        "slot_id": inst.s_id[rs][order].astype(str),
        "workplace_id": inst.w_id[inst.s_workplace[rs]][order].astype(str),
        "score": np.round(scores[order], 6) if given_scores is None else scores[order],
        "reasons": [reasons[i] for i in order],
    }, schema={"participant_id": pl.String, "slot_id": pl.String, "workplace_id": pl.String,
               "score": pl.Float64, "reasons": pl.String})
    unassigned = _unassigned(inst, active, rp, rs, cands,
                             arc_p if given_scores is not None else None, open_slots.size)
    timings["explain_s"] = time.perf_counter() - t

    t = time.perf_counter()
    checker = RunChecker(data, rules, as_of)
    total = float(math.fsum(proposals["score"].to_list()))
    report = checker.check(
        list(zip(proposals["participant_id"].to_list(), proposals["slot_id"].to_list(),
                 proposals["score"].to_list(), strict=True)),
        unassigned["participant_id"].to_list(),
        # The solver's own objective, from its arc scores: an independent path to the total.
        # Engine scores are float32, floored at _MIN_ARC_SCORE and rounded to 6 decimals.
        reported_total=result.objective,
        require_positive=given_scores is not None,
        total_tolerance=1e-6 if given_scores is not None
        else proposals.height * (_MIN_ARC_SCORE + 1e-5) + 1e-6,
    )
    timings["check_s"] = time.perf_counter() - t
    if not report.ok:
        raise FeasibilityError(report.violations)
    timings["total_s"] = time.perf_counter() - t0

    summary = _summary(inst, active, open_slots, cands, result, proposals, unassigned, total,
                       given_scores is not None, arc_p.size, timings, report.n_checked_pairs)
    return RunResult(proposals=proposals, unassigned=unassigned, summary=summary, timings=timings)


def _unassigned(inst: Instance, active: np.ndarray, placed_rows: np.ndarray,
                proposed_slots: np.ndarray, cands: Candidates, given_arc_p: np.ndarray | None,
                n_open: int) -> pl.DataFrame:
    """A reason for every active participant without a proposal that tells what to do next.

    ``given_arc_p``: in a given-scores run, the participants of the arcs the solver had (pairs
    that pass every rule with a score above 0); ``None`` in an engine run.
    """
    placed = np.zeros(inst.n_participants, dtype=bool)
    placed[placed_rows] = True
    rows = active[~placed[active]]
    scored = np.zeros(inst.n_participants, dtype=bool)
    if given_arc_p is not None:
        scored[given_arc_p] = True
    # For people who fit slots but got none: were those slots filled, or their workplace capped?
    open_rows = np.flatnonzero(inst.s_open)
    taken = np.zeros(inst.n_slots, dtype=np.int64)
    np.add.at(taken, proposed_slots, 1)
    wp_used = np.zeros(inst.w_id.size, dtype=np.int64)
    sup = inst.s_supervised[proposed_slots]
    np.add.at(wp_used, inst.s_workplace[proposed_slots][sup], 1)
    slot_full = taken[open_rows] >= inst.s_seats[open_rows]
    cap_full = inst.s_supervised[open_rows] & (
        wp_used[inst.s_workplace[open_rows]] >= inst.w_cap_left[inst.s_workplace[open_rows]])
    fit_rows = rows[cands.n_usable[rows] > 0]
    n_full = np.zeros(inst.n_participants, dtype=np.int64)
    n_capped = np.zeros(inst.n_participants, dtype=np.int64)
    if fit_rows.size and open_rows.size:
        def count(rows_: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            ok = failing_mask(inst, rows_[:, None], open_rows[None, :]) == 0
            return (rows_, (ok & slot_full[None, :]).sum(axis=1),
                    (ok & ~slot_full[None, :] & cap_full[None, :]).sum(axis=1))

        for rows_, full_, capped_ in map_chunks(count, fit_rows, chunk_rows_for(open_rows.size)):
            n_full[rows_] = full_
            n_capped[rows_] = capped_
    reasons = []
    for r in rows.tolist():
        if n_open == 0:
            reasons.append("no open slots in this run")
        elif cands.n_allowed[r] == 0:
            counts = cands.first_fail[r]
            order = np.argsort(-counts, kind="stable")
            parts = [f"{RULE_CODES[i]} ({counts[i]} slot{'s' if counts[i] != 1 else ''})"
                     for i in order if counts[i] > 0]
            reasons.append("shut out of every open slot by the rules: " + ", ".join(parts))
        elif cands.n_usable[r] == 0:
            n = int(cands.n_allowed[r])
            reasons.append(
                f"fits {n} slot{'s' if n != 1 else ''}, but every one is at a workplace whose "
                "supervision capacity is used up by running placements (workplace_cap)"
            )
        elif given_arc_p is not None and not scored[r]:
            n = int(cands.n_allowed[r])
            reasons.append(f"fits {n} slot{'s' if n != 1 else ''}, but no given score above 0 "
                           "for any of them")
        else:
            n = int(cands.n_allowed[r])
            parts = []
            if n_full[r]:
                parts.append(f"{n_full[r]} were filled by others with a better total fit")
            if n_capped[r]:
                parts.append(f"{n_capped[r]} are at workplaces whose supervision cap this run "
                             "has used up (workplace_cap)")
            rest = n - n_full[r] - n_capped[r]
            if rest > 0:
                parts.append(f"{rest} at workplaces with no supervision capacity left")
            reasons.append(f"fits {n} slot{'s' if n != 1 else ''}: " + "; ".join(parts))
    return pl.DataFrame({"participant_id": inst.p_id[rows].astype(str), "reason": reasons},
                        schema={"participant_id": pl.String, "reason": pl.String})


def _age_band(age: np.ndarray) -> np.ndarray:
    return np.select([age < 16, age <= 29, age <= 64], ["under 16", "16-29", "30-64"], "65+")


def _summary(inst: Instance, active: np.ndarray, open_slots: np.ndarray, cands: Candidates,
             result: Any, proposals: pl.DataFrame, unassigned: pl.DataFrame, total: float,
             given: bool, n_arcs: int, timings: dict[str, float],
             n_checked: int) -> dict[str, Any]:
    P = inst.data.participants
    is_active = inst.active
    proposed = P["participant_id"].is_in(proposals["participant_id"].implode()).to_numpy()
    age = inst.as_of.year - inst.p_birth_year
    groups = {
        "readiness": P["readiness"].to_numpy(),
        "gender": P["gender"].fill_null("missing").to_numpy(),
        "age_band": _age_band(age),
        "newly_arrived": P["newly_arrived"].cast(pl.String).to_numpy(),
        "referrer": P["referrer"].to_numpy(),
    }
    rates: dict[str, dict[str, dict[str, float | int]]] = {}
    for name, values in groups.items():
        rates[name] = {}
        for v in sorted(set(values[is_active].tolist())):
            sel = is_active & (values == v)
            a, pr = int(sel.sum()), int((sel & proposed).sum())
            rates[name][str(v)] = {"active": a, "proposed": pr, "rate": round(pr / a, 4)}
    seats = int(inst.s_seats[open_slots].sum())
    return {
        "as_of": inst.as_of.isoformat(),
        "mode": "given_scores" if given else "engine",
        "counts": {
            "participants": inst.n_participants,
            "active": int(active.size),
            "exited": int(inst.p_exited.sum()),
            "placed_running": int((inst.p_placed & ~inst.p_exited).sum()),
            "slots": inst.n_slots,
            "open_slots": int(open_slots.size),
            "open_seats": seats,
            "workplaces": int(inst.w_id.size),
            "pairs_checked": cands.pairs_checked,
            "pairs_allowed": cands.pairs_allowed,
            "candidate_arcs": int(n_arcs),
            "proposed": proposals.height,
            "unassigned": unassigned.height,
        },
        "total_score": total,
        "mean_score": total / proposals.height if proposals.height else 0.0,
        "placement_rate": round(proposals.height / active.size, 4) if active.size else 0.0,
        "solver": {
            "status": result.status.name.lower(),
            "optimal": result.status.name == "OPTIMAL",
            "objective": result.objective,
            "bound": result.bound,
            "gap": result.gap,
            "maximize_placements": bool(not given and inst.rules.run.maximize_placements),
            "scale": result.scale,
            "nodes": result.n_nodes,
            "arcs": result.n_arcs,
            "timings": result.timings,
        },
        "check": {"ok": True, "pairs_checked": n_checked},
        "timings": {k: round(v, 4) for k, v in timings.items()},
        "placement_rates": rates,
    }


# -- shortlists ------------------------------------------------------------------------------
@dataclass
class Shortlist:
    """A ranked shortlist and, below it, who or what is not eligible and why."""

    subject: str
    ranked: pl.DataFrame
    ineligible: pl.DataFrame


def shortlist(data: Dataset, rules: Rules, as_of: date, *, slot: str | None = None,
              participant: str | None = None, top: int = 10) -> Shortlist:
    """Rank candidates for one slot, or slots for one participant, with every score part.

    Parameters
    ----------
    data, rules, as_of : the run's input.
    slot : str, optional
        A slot id: rank active participants for it.
    participant : str, optional
        A participant id: rank open slots for them. Exactly one of ``slot``/``participant``.
    top : int
        How many ranked rows to return.

    Returns
    -------
    Shortlist
        ``ranked``: rank, the other side's id, score and one column per part (raw value in [0, 1];
        the weights are in the column ``weights``), and a note when the workplace's supervision
        cap is used up. ``ineligible``: each id with its failing rules, most common first.
    """
    if (slot is None) == (participant is None):
        msg = "give exactly one of a slot id or a participant id"
        raise MatchingError(msg)
    inst = build_instance(data, rules, as_of)
    if slot is not None:
        hits = np.flatnonzero(inst.s_id == slot)
        if hits.size == 0:
            raise MatchingError(f"slot {slot!r} does not exist in slots")
        s = np.full(inst.n_participants, hits[0], dtype=np.int64)
        p = np.arange(inst.n_participants, dtype=np.int64)
        # Only people who wait for a proposal are ranked or refused; others are not in play.
        sel = inst.active
        p, s = p[sel], s[sel]
        other_ids, other_col = inst.p_id[p], "participant_id"
        subject = f"slot {slot}"
    else:
        hits = np.flatnonzero(inst.p_id == participant)
        if hits.size == 0:
            raise MatchingError(f"participant {participant!r} does not exist in participants")
        s = np.arange(inst.n_slots, dtype=np.int64)
        p = np.full(inst.n_slots, hits[0], dtype=np.int64)
        other_ids, other_col = inst.s_id[s], "slot_id"
        subject = f"participant {participant}"
    mask = failing_mask(inst, p, s)
    ok = mask == 0
    model = fit_score_model(inst)
    pa, sa = p[ok], s[ok]
    parts = model.explain_pairs(pa, sa)
    weights = model.weights_
    total = np.zeros(pa.size, dtype=np.float64)
    for name, values in parts.items():
        total += weights.get(name, 0.0) * np.asarray(values, dtype=np.float64)
    full = inst.s_supervised[sa] & (inst.w_cap_left[inst.s_workplace[sa]] <= 0)
    order = np.argsort(-total, kind="stable")[:top]
    ranked = pl.DataFrame({
        "rank": np.arange(1, order.size + 1),
        other_col: other_ids[ok][order].astype(str),
        "score": np.round(total[order], 4),
        **{name: np.round(np.asarray(parts[name], dtype=np.float64)[order], 4)
           for name in parts},
        "note": np.where(full[order], "workplace cap used up: cannot be proposed now", ""),
    })
    bad = ~ok
    rules_text = [";".join(codes_of(int(x))) for x in mask[bad].tolist()]
    ineligible = pl.DataFrame({other_col: other_ids[bad].astype(str),
                               "failing_rules": rules_text},
                              schema={other_col: pl.String, "failing_rules": pl.String})
    ranked = ranked.with_columns(pl.lit(json.dumps(weights)).alias("weights"))
    return Shortlist(subject=subject, ranked=ranked, ineligible=ineligible)
