"""Candidate pairs: only pairs that pass every rule, pruned to the best per participant and slot.

Works through participants in chunks so memory grows with the candidates kept, not with
participants × slots; the per-chunk blocks are plain numpy arrays. Chunks run on a small thread
pool: numpy releases the GIL in its array loops, so two cores give close to twice the speed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from matching.instance import Instance
from matching.rules import RULE_CODES, failing_mask, first_failing

ScoreFn = Callable[[np.ndarray, np.ndarray], np.ndarray]
#: Pairs evaluated at once (a chunk is ``rows × open slots`` ≈ this many).
CHUNK_PAIRS = 1_000_000
_NR = len(RULE_CODES)
T = TypeVar("T")


def workers() -> int:
    """Threads for chunked work: the machine's cores, at most 4 (``PLACERA_THREADS`` overrides)."""
    env = os.environ.get("PLACERA_THREADS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, min(4, os.cpu_count() or 1))


def map_chunks(fn: Callable[[np.ndarray], T], rows: np.ndarray, chunk_rows: int) -> Iterator[T]:
    """``fn`` over consecutive slices of ``rows``, results in order, on the thread pool."""
    chunks: Iterable[np.ndarray] = (rows[i:i + chunk_rows]
                                    for i in range(0, rows.size, chunk_rows))
    n = workers()
    if n == 1 or rows.size <= chunk_rows:
        yield from map(fn, chunks)
        return
    with ThreadPoolExecutor(max_workers=n) as pool:
        # Bounded look-ahead: at most 2 × workers chunks in flight, so memory stays flat.
        pending = []
        for chunk in chunks:
            pending.append(pool.submit(fn, chunk))
            if len(pending) >= 2 * n:
                yield pending.pop(0).result()
        for fut in pending:
            yield fut.result()


def chunk_rows_for(n_cols: int, chunk_pairs: int = CHUNK_PAIRS) -> int:
    """Rows per chunk so a chunk holds about ``chunk_pairs`` pairs."""
    return max(1, chunk_pairs // max(n_cols, 1))


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


@dataclass(frozen=True)
class _Chunk:
    rows: np.ndarray
    n_allowed: np.ndarray
    n_usable: np.ndarray
    first_fail: np.ndarray
    p: np.ndarray | None = None
    s: np.ndarray | None = None
    v: np.ndarray | None = None
    top_v: np.ndarray | None = None  # (q, slots): the chunk's best per slot
    top_p: np.ndarray | None = None


def _top_rows(values: np.ndarray, q: int) -> np.ndarray:
    """Row indices of the q largest values in every column (all rows when there are <= q)."""
    if values.shape[0] <= q:
        return np.broadcast_to(np.arange(values.shape[0])[:, None], values.shape)
    return np.argpartition(-values, q - 1, axis=0)[:q]


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
    ms = slots.size
    usable_slot = ~inst.s_supervised[slots] | (inst.w_cap_left[inst.s_workplace[slots]] > 0)
    q_max = int(min(inst.s_seats[slots].max(initial=0) + slot_extra, 256)) if ms else 0
    k = min(top_k, ms)

    def work(pc: np.ndarray) -> _Chunk:
        mask = failing_mask(inst, pc[:, None], slots[None, :])
        allowed = mask == 0
        ff = first_failing(mask)
        del mask
        keys = (np.arange(pc.size, dtype=np.int32)[:, None] * (_NR + 1)) + (ff + 1)
        counts = np.bincount(keys.ravel(), minlength=pc.size * (_NR + 1))
        out = _Chunk(rows=pc, n_allowed=allowed.sum(axis=1),
                     n_usable=(allowed & usable_slot[None, :]).sum(axis=1),
                     first_fail=counts.reshape(pc.size, _NR + 1)[:, 1:].astype(np.int32))
        if score_fn is None:
            return out
        sc = np.asarray(score_fn(pc, slots), dtype=np.float32)
        sc[~allowed] = -1.0
        # Best k slots per participant.
        idx = (np.argpartition(-sc, k - 1, axis=1)[:, :k] if k < ms
               else np.broadcast_to(np.arange(ms), (pc.size, ms)))
        vals = np.take_along_axis(sc, idx, axis=1)
        ok = vals >= 0
        # Best q participants per slot within this chunk (merged across chunks below).
        top = _top_rows(sc, q_max)
        return _Chunk(
            rows=pc, n_allowed=out.n_allowed, n_usable=out.n_usable, first_fail=out.first_fail,
            p=np.broadcast_to(pc[:, None], idx.shape)[ok], s=slots[idx[ok]], v=vals[ok],
            top_v=np.take_along_axis(sc, top, axis=0), top_p=pc[top],
        )

    n_allowed = np.zeros(n, dtype=np.int64)
    n_usable = np.zeros(n, dtype=np.int64)
    first_fail = np.zeros((n, _NR), dtype=np.int32)
    kept_p: list[np.ndarray] = []
    kept_s: list[np.ndarray] = []
    kept_v: list[np.ndarray] = []
    best_v = np.full((0, ms), -1.0, dtype=np.float32)
    best_p = np.full((0, ms), -1, dtype=np.int64)
    allowed_total = 0
    if ms:
        for ch in map_chunks(work, participants, chunk_rows_for(ms, chunk_pairs)):
            n_allowed[ch.rows] = ch.n_allowed
            n_usable[ch.rows] = ch.n_usable
            first_fail[ch.rows] = ch.first_fail
            allowed_total += int(ch.n_allowed.sum())
            if ch.p is not None:
                assert ch.s is not None and ch.v is not None
                assert ch.top_v is not None and ch.top_p is not None
                kept_p.append(ch.p)
                kept_s.append(ch.s)
                kept_v.append(ch.v)
                cat_v = np.concatenate([best_v, ch.top_v], axis=0)
                cat_p = np.concatenate([best_p, ch.top_p], axis=0)
                top = _top_rows(cat_v, q_max)
                best_v = np.take_along_axis(cat_v, top, axis=0)
                best_p = np.take_along_axis(cat_p, top, axis=0)
            if progress is not None:
                progress(int(ch.rows.size))

    if score_fn is not None and best_v.shape[0]:
        # Keep each slot's best seats + slot_extra (ranked within the q_max kept).
        order = np.argsort(-best_v, axis=0, kind="stable")
        best_v = np.take_along_axis(best_v, order, axis=0)
        best_p = np.take_along_axis(best_p, order, axis=0)
        want = np.minimum(inst.s_seats[slots] + slot_extra, q_max)
        keep = (best_v >= 0) & (np.arange(best_v.shape[0])[:, None] < want[None, :])
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
