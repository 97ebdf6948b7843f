"""Skill match: participant skills against a slot's required and desired skills."""

from __future__ import annotations

from pathlib import Path
from typing import Self

import numpy as np
import polars as pl
import scipy.sparse as sp
from rapidfuzz import fuzz, process

from features._common import TAXONOMY_DIR, explode_list, is_block, normalise_text, require_columns
from features.base import FeatureBuilder, FeatureInput
from features.exceptions import FeatureError, TaxonomyError

_CHUNK = 2048


def load_synonyms(path: str | Path | None = None) -> dict[str, str]:
    """Load the skill synonym table as ``{normalised term: normalised canonical}``.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A CSV with columns ``term`` and ``canonical``; default
        ``data/taxonomy/skill_synonyms.csv`` of this repository.

    Returns
    -------
    dict
        Every term and every canonical form (mapped to itself), normalised.

    Raises
    ------
    TaxonomyError
        The file is missing or lacks the columns.
    """
    file = Path(path) if path is not None else TAXONOMY_DIR / "skill_synonyms.csv"
    try:
        table = pl.read_csv(file, schema_overrides={"term": pl.Utf8, "canonical": pl.Utf8})
    except (OSError, pl.exceptions.PolarsError) as exc:
        msg = f"cannot read the skill synonym table {file}: {exc}"
        raise TaxonomyError(msg) from exc
    if not {"term", "canonical"} <= set(table.columns):
        msg = f"skill synonym table {file} needs columns term, canonical"
        raise TaxonomyError(msg)
    out: dict[str, str] = {}
    for term, canonical in zip(table["term"], table["canonical"], strict=True):
        if term is None or canonical is None:
            continue
        canon = normalise_text(canonical)
        out.setdefault(canon, canon)
        out[normalise_text(term)] = canon
    return out


def _max_coverage(rows: np.ndarray, terms: np.ndarray, sim: sp.csr_matrix, n: int) -> sp.csr_matrix:
    """Coverage ``C[r, t] = max over the row's terms u of sim[u, t]`` as a sparse matrix."""
    v = sim.shape[1]
    if rows.size == 0:
        return sp.csr_matrix((n, v), dtype=np.float32)
    starts = sim.indptr[terms]
    lens = sim.indptr[terms + 1] - starts
    offsets = np.cumsum(lens) - lens
    idx = np.arange(int(lens.sum()), dtype=np.int64) + np.repeat(starts - offsets, lens)
    r = np.repeat(rows, lens)
    cols = sim.indices[idx].astype(np.int64)
    vals = sim.data[idx]
    key = r * v + cols
    order = np.argsort(key, kind="stable")
    key, vals = key[order], vals[order]
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    best = np.maximum.reduceat(vals, first)
    ukey = key[first]
    return sp.csr_matrix((best, (ukey // v, ukey % v)), shape=(n, v), dtype=np.float32)


class SkillMatch(FeatureBuilder):
    """How well a participant's skills cover a slot's required and desired skills.

    Skills are free text in Swedish or English. Each is normalised (case, punctuation,
    spacing), mapped to a Swedish canonical form through the synonym table (exactly, or by
    fuzzy match of at least ``synonym_cutoff`` against its terms, so ``"Forklift licence"`` and
    ``"truckkort"`` meet), and then compared with :func:`rapidfuzz.fuzz.ratio` (typos:
    ``"städnig"`` ~ ``"städning"``). Two skills whose ratio is at least ``score_cutoff`` match
    with similarity ``ratio / 100``; a slot skill is covered by the participant's most similar
    skill.

    The score is ``(wr * R + wd * D) / (wr + wd)`` where ``R`` and ``D`` are the mean coverage
    of the slot's (unique) required and desired skills; a slot with no required (desired)
    skills counts that part as fully met.

    Parameters
    ----------
    required_weight : float, default 0.7
        ``wr``, weight of the required skills.
    desired_weight : float, default 0.3
        ``wd``, weight of the desired skills.
    score_cutoff : float, default 85.0
        Lowest rapidfuzz ratio (0-100) for two skills to match.
    synonym_cutoff : float, default 90.0
        Lowest ratio for a skill to take a synonym's canonical form when it is not in the
        table exactly.
    synonyms_path : str or pathlib.Path, optional
        The synonym CSV (``term,canonical``); default ``data/taxonomy/skill_synonyms.csv``.

    Attributes
    ----------
    vocabulary_ : list of str
        The canonical skills seen in ``fit``.
    coverage_ : scipy.sparse.csr_matrix
        float32 (participants x vocabulary): how well each participant covers each skill.
    slot_weights_ : scipy.sparse.csr_matrix
        float32 (slots x vocabulary): each skill's share of the slot's score.
    slot_constant_ : numpy.ndarray
        float32 per slot: the score share from empty required/desired lists.
    """

    name = "skills"

    def __init__(
        self,
        required_weight: float = 0.7,
        desired_weight: float = 0.3,
        score_cutoff: float = 85.0,
        synonym_cutoff: float = 90.0,
        synonyms_path: str | Path | None = None,
    ) -> None:
        self.required_weight = required_weight
        self.desired_weight = desired_weight
        self.score_cutoff = score_cutoff
        self.synonym_cutoff = synonym_cutoff
        self.synonyms_path = synonyms_path

    # -- fit -------------------------------------------------------------------------------
    def _canonical(self, raw: list[str], synonyms: dict[str, str]) -> dict[str, str]:
        """Map each unique raw skill to its canonical, normalised form."""
        out: dict[str, str] = {}
        unknown: list[str] = []
        unknown_raw: list[str] = []
        for text in set(raw):
            norm = normalise_text(text)
            if norm in synonyms:
                out[text] = synonyms[norm]
            else:
                out[text] = norm
                if norm:
                    unknown.append(norm)
                    unknown_raw.append(text)
        if unknown and synonyms:
            keys = list(synonyms)
            scores = process.cdist(
                unknown,
                keys,
                scorer=fuzz.ratio,
                score_cutoff=self.synonym_cutoff,
                dtype=np.uint8,
                workers=-1,
            )
            best = scores.argmax(axis=1)
            hit = scores[np.arange(len(unknown)), best] > 0
            for i in np.flatnonzero(hit):
                out[unknown_raw[i]] = synonyms[keys[best[i]]]
        return out

    def _similarity(self, vocab: list[str]) -> sp.csr_matrix:
        """Sparse term x term similarity in [0, 1] (``ratio / 100`` at or above the cutoff)."""
        v = len(vocab)
        blocks = []
        for start in range(0, v, _CHUNK):
            scores = process.cdist(
                vocab[start : start + _CHUNK],
                vocab,
                scorer=fuzz.ratio,
                score_cutoff=self.score_cutoff,
                dtype=np.uint8,
                workers=-1,
            )
            block = sp.csr_matrix(scores, dtype=np.float32)
            block.data /= np.float32(100.0)
            blocks.append(block)
        sim = sp.vstack(blocks, format="csr") if blocks else sp.csr_matrix((0, 0))
        sim.setdiag(1.0)
        sim.sort_indices()
        return sim.astype(np.float32).tocsr()

    def fit(self, X: FeatureInput, y: None = None) -> Self:
        """Learn the skill vocabulary, the coverage matrix and the slot weights.

        Parameters
        ----------
        X : FeatureInput
            The tables; reads ``participants.skills``, ``slots.required_skills`` and
            ``slots.desired_skills``.
        y : None
            Ignored.

        Returns
        -------
        SkillMatch
            ``self``, fitted.
        """
        wr, wd = float(self.required_weight), float(self.desired_weight)
        if wr < 0 or wd < 0 or wr + wd <= 0:
            msg = f"skill weights must be >= 0 and not both 0, got {wr}, {wd}"
            raise FeatureError(msg)
        require_columns(X.participants, ["skills"], "participants")
        require_columns(X.slots, ["required_skills", "desired_skills"], "slots")
        synonyms = load_synonyms(self.synonyms_path)
        n, m = X.participants.height, X.slots.height

        p_rows, p_raw = explode_list(X.participants, "skills")
        r_rows, r_raw = explode_list(X.slots, "required_skills")
        d_rows, d_raw = explode_list(X.slots, "desired_skills")
        canon = self._canonical(p_raw + r_raw + d_raw, synonyms)
        vocab = sorted({c for c in canon.values() if c})
        index = {t: i for i, t in enumerate(vocab)}

        def encode(rows: np.ndarray, raw: list[str]) -> tuple[np.ndarray, np.ndarray]:
            ids = np.fromiter((index.get(canon[t], -1) for t in raw), np.int64, len(raw))
            keep = ids >= 0
            return rows[keep], ids[keep]

        sim = self._similarity(vocab) if vocab else sp.csr_matrix((0, 0), dtype=np.float32)
        pr, pt = encode(p_rows, p_raw)
        self.coverage_ = _max_coverage(pr, pt, sim, n)

        share = np.float32(wr / (wr + wd)), np.float32(wd / (wr + wd))
        weights = sp.csr_matrix((m, len(vocab)), dtype=np.float32)
        constant = np.zeros(m, dtype=np.float32)
        for (rows, raw), w in zip(((r_rows, r_raw), (d_rows, d_raw)), share, strict=True):
            sr, st = encode(rows, raw)
            inc = sp.csr_matrix(
                (np.ones(sr.size, dtype=np.float32), (sr, st)), shape=(m, len(vocab))
            )
            inc.sum_duplicates()
            inc.data[:] = 1.0  # a skill listed twice counts once
            count = np.asarray(inc.sum(axis=1)).ravel()
            scale = np.divide(w, count, out=np.zeros(m, dtype=np.float32), where=count > 0)
            weights = weights + sp.diags(scale.astype(np.float32)) @ inc
            constant += np.where(count == 0, w, np.float32(0.0)).astype(np.float32)
        self.vocabulary_ = vocab
        self.slot_weights_ = weights.astype(np.float32).tocsr()
        self.slot_constant_ = constant
        self.fitted_ = True
        return self

    # -- scores ----------------------------------------------------------------------------
    def _score(self, p: np.ndarray, s: np.ndarray) -> np.ndarray:
        if is_block(p, s):
            pi, si = p[:, 0], s[0, :]
            # sparse (slots x V) @ dense (V x c) is far faster than sparse @ sparse here
            dense = self.coverage_[pi].toarray()
            out = np.asarray(self.slot_weights_[si] @ dense.T, dtype=np.float32).T
            out = out + self.slot_constant_[si][None, :]
        else:
            pb, sb = np.broadcast_arrays(p, s)
            pi, si = pb.ravel(), sb.ravel()
            prod = self.coverage_[pi].multiply(self.slot_weights_[si])
            flat = np.asarray(prod.sum(axis=1), dtype=np.float32).ravel()
            out = (flat + self.slot_constant_[si]).reshape(pb.shape)
        return np.clip(out, 0.0, 1.0)
