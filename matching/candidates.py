"""Candidate pairs: only pairs that pass every rule, pruned to the best per participant and slot.

Works through participants in chunks so memory grows with the candidates kept, not with
participants × slots; the per-chunk blocks are plain numpy arrays.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from matching.instance import Instance
from matching.rules import RULE_CODES, failing_mask, first_failing

ScoreFn = Callable[[np.ndarray, np.ndarray], np.ndarray]
#: Pairs evaluated at once (a chunk is ``rows × open slots`` ≈ this many).
CHUNK_PAIRS = 2_000_000
_NR = len(RULE_CODES)


@dataclass(frozen=True)
class Candidates:
    """Kept pairs and, for every participant, what the rules left them.

    Attributes
    ----------
    p, s : int64 arrays of participant and slot rows of the kept pairs (empty without scores).
    score : float32 scores of the kept pairs.
    n_allowed : int64 per participant: open slots that pass every rule.
    n_usable : int64 per participant: of those, slots whose workplace still has room
        (supervised kinds at a workplace with no cap left are not usable).
    first_fail : int32 (participants × rules): per participant, how many open slots have each
        rule as their first failing one.
    pairs_checked, pairs_allowed : totals over the evaluated block.
    """

    p: np.ndarray
    s: np.ndarray
    score: np.ndarray
    n_allowed: np.ndarray
    n_usable: np.ndarray
    first_fail: np.ndarray
    pairs_checked: int
    pairs_allowed: int


def build_candidates(
    inst: Instance,
    participants: np.ndarray,
    slots: np.ndarray,
    score_fn: ScoreFn | None = None,
    *,
    top_k: int = 40,
    slot_extra: int = 10,
    chunk_pairs: int = CHUNK_PAIRS,
    progress: Callable[[int], None] | None = None,
) -> Candidates:
    """Evaluate the rules on ``participants × slots`` in chunks and keep the best allowed pairs.

    Parameters
    ----------
    inst : Instance
    participants, slots : int64 arrays of rows to consider (typically active people, open slots).
    score_fn : callable, optional
        ``score_fn(p_rows, s_rows)`` → float32 block in [0, 1]. Without it only the per-person
        statistics are computed and no pairs are kept.
    top_k : int
        Allowed slots kept per participant, best first.
    slot_extra : int
        Each slot also keeps its best ``seats + slot_extra`` participants, so a slot nobody ranks
        high still reaches the solver.
    chunk_pairs : int
        About how many pairs one chunk holds.
    progress : callable, optional
        Called with the number of participants done after each chunk.
    """
    n, m = inst.n_participants, inst.n_slots
    participants = np.asarray(participants, dtype=np.int64)
    slots = np.asarray(slots, dtype=np.int64)
    n_allowed = np.zeros(n, dtype=np.int64)
    n_usable = np.zeros(n, dtype=np.int64)
    first_fail = np.zeros((n, _NR), dtype=np.int32)
    usable_slot = ~inst.s_supervised[slots] | (inst.w_cap_left[inst.s_workplace[slots]] > 0)
    ms = slots.size
    kept_p: list[np.ndarray] = []
    kept_s: list[np.ndarray] = []
    kept_v: list[np.ndarray] = []
    q_max = int(min(inst.s_seats[slots].max(initial=0) + slot_extra, 256)) if ms else 0
    best_v = np.full((q_max, ms), -1.0, dtype=np.float32)
    best_p = np.full((q_max, ms), -1, dtype=np.int64)
    allowed_total = 0
    rows = max(1, chunk_pairs // max(ms, 1))

    for start in range(0, participants.size, rows):
        pc = participants[start:start + rows]
        if ms == 0:
            break
        mask = failing_mask(inst, pc[:, None], slots[None, :])
        allowed = mask == 0
        n_allowed[pc] = allowed.sum(axis=1)
        n_usable[pc] = (allowed & usable_slot[None, :]).sum(axis=1)
        allowed_total += int(n_allowed[pc].sum())
        ff = first_failing(mask)
        keys = (np.arange(pc.size, dtype=np.int32)[:, None] * (_NR + 1)) + (ff + 1)
        counts = np.bincount(keys.ravel(), minlength=pc.size * (_NR + 1))
        first_fail[pc] = counts.reshape(pc.size, _NR + 1)[:, 1:]

        if score_fn is not None:
            sc = np.asarray(score_fn(pc, slots), dtype=np.float32)
            sc[~allowed] = -1.0
            # Best top_k slots per participant.
            k = min(top_k, ms)
            idx = np.argpartition(-sc, k - 1, axis=1)[:, :k] if k < ms else \
                np.broadcast_to(np.arange(ms), (pc.size, ms))
            vals = np.take_along_axis(sc, idx, axis=1)
            ok = vals >= 0
            kept_p.append(np.broadcast_to(pc[:, None], idx.shape)[ok])
            kept_s.append(slots[idx[ok]])
            kept_v.append(vals[ok])
            # Best q_max participants per slot, merged with the chunks before.
            if q_max:
                cat_v = np.concatenate([best_v, sc], axis=0)
                cat_p = np.concatenate([best_p, np.broadcast_to(pc[:, None], sc.shape)], axis=0)
                if cat_v.shape[0] > q_max:
                    top = np.argpartition(-cat_v, q_max - 1, axis=0)[:q_max]
                    best_v = np.take_along_axis(cat_v, top, axis=0)
                    best_p = np.take_along_axis(cat_p, top, axis=0)
                else:
                    best_v, best_p = cat_v, cat_p
        if progress is not None:
            progress(int(pc.size))

    if score_fn is not None and q_max and ms:
        # Keep each slot's best seats + slot_extra (ranked within the q_max kept).
        order = np.argsort(-best_v, axis=0, kind="stable")
        best_v = np.take_along_axis(best_v, order, axis=0)
        best_p = np.take_along_axis(best_p, order, axis=0)
        want = np.minimum(inst.s_seats[slots] + slot_extra, q_max)
        keep = (best_v >= 0) & (np.arange(q_max)[:, None] < want[None, :])
        kept_p.append(best_p[keep])
        kept_s.append(np.broadcast_to(slots[None, :], best_v.shape)[keep])
        kept_v.append(best_v[keep])

    if kept_p:
        p = np.concatenate(kept_p)
        s = np.concatenate(kept_s)
        v = np.concatenate(kept_v)
        _, first = np.unique(p * max(m, 1) + s, return_index=True)
        p, s, v = p[first], s[first], v[first]
    else:
        p = np.zeros(0, dtype=np.int64)
        s = np.zeros(0, dtype=np.int64)
        v = np.zeros(0, dtype=np.float32)
    return Candidates(
        p=p, s=s, score=v.astype(np.float32), n_allowed=n_allowed, n_usable=n_usable,
        first_fail=first_fail, pairs_checked=int(participants.size * ms),
        pairs_allowed=allowed_total,
    )
