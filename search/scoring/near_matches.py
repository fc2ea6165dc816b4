"""Near matches (``search.query.near``) found on the bigram postings: candidates
that hold enough of a term's bigrams, then each candidate's positions checked for a chain."""

from __future__ import annotations

from math import ceil

import numpy as np

from ..query.near import MIN_SHARE, chain_is_near, measure_tails, best_chain, near_spans
from ..text.streams import fold
from .match_sets import Scored

# Passages checked per term, those sharing the most bigrams first: bounds the cost of a common
# term (地区生产总值: 97 near matches of 14,000 passages, about 25 ms).
MAX_CANDIDATES = 2000


def _text(evaluator, doc: int) -> str:
    return evaluator.stored(doc)["text"]


def near_matches(evaluator, searched, exact_docs: np.ndarray, work):
    """Passages that nearly say a term (``search.query.plan.Searched``) and do not say it exactly,
    scored by the BM25 of the bigrams of the stretch that nearly says it."""
    grams = searched.near
    if grams is None:
        return Scored.empty()
    need = max(2, ceil(MIN_SHARE * len(grams)))
    postings = [(i, g, p) for i, g in enumerate(grams) if (p := evaluator.postings("grams", g, work)) is not None]
    if len(postings) < need:
        return Scored.empty()
    docs, counts = np.unique(np.concatenate([p.docs for _, _, p in postings]), return_counts=True)
    keep = (counts >= need) & ~np.isin(docs, exact_docs)
    # What chain_is_near requires of every chain, checked on all candidates at once before the costly
    # per-candidate work: the head bigram, and the tail bigram when it names a measure.
    required = {grams[0]} | ({grams[-1]} if grams[-1] in measure_tails() else set())
    held = {g: p for _i, g, p in postings}
    for gram in required:
        if gram not in held:
            return Scored.empty()
        keep &= np.isin(docs, held[gram].docs, assume_unique=True)
    candidates, counts = docs[keep], counts[keep]
    if len(candidates) > MAX_CANDIDATES:  # those sharing the most bigrams, in document order
        candidates = np.sort(candidates[np.argsort(-counts, kind="stable")[:MAX_CANDIDATES]])
    where, weights = [], []  # per bigram: index of each candidate in its postings (-1: absent), BM25
    for _i, g, p in postings:
        if not len(p.docs):  # held elsewhere in the index (a cluster's candidates: search.opensearch.candidates)
            where.append(np.full(len(candidates), -1))
            weights.append(np.zeros(len(candidates)))
            continue
        idx = np.minimum(np.searchsorted(p.docs, candidates), len(p.docs) - 1)
        present = p.docs[idx] == candidates
        where.append(np.where(present, idx, -1))
        weights.append(np.where(present, evaluator._bm25("grams", g, p, idx), 0.0))
    # Each candidate's positions are decoded and its stored text read: count them against the budget.
    work.reserve(positions=len(candidates) * len(postings), stored=len(candidates))
    kept, scores = [], []
    for k, doc in enumerate(candidates.tolist()):
        hits = [(i, pos) for (i, _g, p), idx in zip(postings, where) if idx[k] >= 0
                for pos in p.positions(int(idx[k]))]
        chain = best_chain(hits)[0]
        # Positions count marks as tokens; the stored text says whether the stretch is unbroken.
        if chain_is_near(grams, chain) and near_spans(fold(_text(evaluator, doc)), grams):
            kept.append(doc)
            order = [n for n, (i, _g, _p) in enumerate(postings) if i in chain]
            scores.append(float(sum(weights[n][k] for n in order)))
    return Scored(np.array(kept, dtype=np.int64), np.array(scores, dtype=np.float64))
