"""Figure terms (``search.query.figure_terms``) matched on the bigram postings:
each form of the figure as a phrase whose positions may be a token or a prefix's bigrams, and the
words in front within ``NEAR_TOKENS`` of it."""

from __future__ import annotations

import numpy as np

from ..query.budget import FIGURE_CHECK_COST
from ..query.figure_terms import NEAR_TOKENS, FigureTerm
from .match_sets import Scored


def _alternatives(evaluator, item: tuple[str, ...]) -> tuple[list[str], bool]:
    """The indexed tokens one position of a form stands for (a token, or the bigrams a prefix
    starts), and whether it is a prefix."""
    first = item[0]
    if not first.startswith("*"):
        return list(item), False
    excluded = {x[1:] for x in item[1:]}
    return [t for t in evaluator.prefix_tokens("grams", first[1:]) if t not in excluded], True


def _starts(evaluator, positions: list[tuple[list[str], bool]], work) -> tuple[dict[int, set[int]], dict[int, float]]:
    """Per document, where a sequence of positions (each any of its tokens, or a prefix's) starts,
    and its score: the BM25 of a fixed token, a constant 1 for a prefix (as Whoosh scores a
    prefix) or for a position that is any of several tokens the index holds.

    Every document holding a token of every position has its positions compared, one Python step
    per document and token (a figure such as 5.5% is in a passage in ten at 200x the seeds): that
    is reserved as work before it is done (``FIGURE_CHECK_COST``). Where each token sits in each
    list, and the scores, are found for all documents at once."""
    per_position = []
    for tokens, _prefix in positions:
        found = [(t, p) for t in tokens if (p := evaluator.postings("grams", t, work)) is not None and p.held]
        if not found:
            return {}, {}
        per_position.append(found)
    docs = None
    for found in per_position:
        d = np.unique(np.concatenate([p.docs for _, p in found]))
        docs = d if docs is None else np.intersect1d(docs, d, assume_unique=True)
    work.reserve(positions=len(docs) * sum(len(found) for found in per_position) * FIGURE_CHECK_COST)
    scores = np.zeros(len(docs))
    where = []  # per position, per token: (its postings, each document's index in them, whether it is there)
    for found, (_, prefix) in zip(per_position, positions):
        located = []
        for token, p in found:
            if not len(p.docs):  # held elsewhere in the index, by none of these documents
                continue
            idx = np.minimum(np.searchsorted(p.docs, docs), len(p.docs) - 1)
            located.append((p, idx.tolist(), (p.docs[idx] == docs).tolist()))
            if len(found) == 1 and not prefix:
                scores += evaluator._bm25("grams", token, p, idx)
        if len(found) > 1 or prefix:
            scores += 1.0
        where.append(located)
    starts: dict[int, set[int]] = {}
    for n, doc in enumerate(docs.tolist()):
        candidates = None
        for j, located in enumerate(where):
            here = set()
            for p, idx, present in located:
                if present[n]:
                    here.update(pos - j for pos in p.positions(idx[n]))
            candidates = here if candidates is None else candidates & here
            if not candidates:
                break
        if candidates:
            starts[doc] = candidates
    return starts, {doc: float(scores[n]) for n, doc in enumerate(docs.tolist()) if doc in starts}


def evaluate(evaluator, figure: FigureTerm, work, boost: float = 1.0):
    """Passages where the figure term matches, scored like a phrase of its tokens."""
    found: dict[int, tuple[set[int], float]] = {}
    for form in figure.forms:
        starts, scores = _starts(evaluator, [_alternatives(evaluator, item) for item in form], work)
        for doc, s in starts.items():
            old = found.get(doc)
            found[doc] = (s | old[0], max(scores[doc], old[1])) if old else (s, scores[doc])
    if figure.before and found:
        words = list(figure.before_grams)
        before, before_scores = _starts(evaluator, [([t], False) for t in words], work)
        near = {}
        for doc, (fig_starts, score) in found.items():
            ends = {s + len(words) for s in before.get(doc, ())}
            if any(0 <= f - e <= NEAR_TOKENS for f in fig_starts for e in ends):
                near[doc] = (fig_starts, score + before_scores[doc])
        found = near
    docs = np.array(sorted(found), dtype=np.int64)
    return Scored(docs, np.array([found[d][1] * boost for d in docs.tolist()], dtype=np.float64))
