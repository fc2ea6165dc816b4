"""Passages a query matches, with their scores, and how the query's operators combine them.

A ``Scored`` is a sparse score vector over an index generation's document numbers; ``both`` is AND,
``either`` OR, ``plus_where`` an optional part (AndMaybe), ``without`` NOT, and ``top`` the best
few. ``search.scoring.evaluate`` produces them from postings; the engine ranks and pages them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Scored:
    """A sparse score vector: ascending docnums and their scores."""

    docs: np.ndarray
    scores: np.ndarray
    near: np.ndarray | None = None  # of docs, those that only nearly match (search.query.near)

    @staticmethod
    def empty() -> "Scored":
        return Scored(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))

    def __len__(self):
        return len(self.docs)


def both(a: Scored, b: Scored) -> Scored:
    docs, ia, ib = np.intersect1d(a.docs, b.docs, assume_unique=True, return_indices=True)
    return Scored(docs, a.scores[ia] + b.scores[ib])


def either(parts: list[Scored], combine: str = "sum") -> Scored:
    parts = [p for p in parts if len(p)]
    if not parts:
        return Scored.empty()
    if len(parts) == 1:
        return parts[0]
    docs, inverse = np.unique(np.concatenate([p.docs for p in parts]), return_inverse=True)
    scores = np.concatenate([p.scores for p in parts])
    if combine == "sum":
        return Scored(docs, np.bincount(inverse, weights=scores, minlength=len(docs)))
    best = np.full(len(docs), -np.inf)
    np.maximum.at(best, inverse, scores)
    return Scored(docs, best)


def plus_where(required: Scored, optional: Scored) -> Scored:
    """required's documents, with optional's score added where it matches too (AndMaybe)."""
    _, ia, ib = np.intersect1d(required.docs, optional.docs, assume_unique=True, return_indices=True)
    scores = required.scores.copy()
    scores[ia] += optional.scores[ib]
    return Scored(required.docs, scores)


def without(a: Scored, b: Scored) -> Scored:
    keep = ~np.isin(a.docs, b.docs, assume_unique=True)
    return Scored(a.docs[keep], a.scores[keep])


def top(scored: Scored, allowed: np.ndarray | None, keep: int) -> list[tuple[int, float]]:
    """The ``keep`` best (docnum, score) among allowed documents; ties go to the earlier docnum."""
    docs, scores = scored.docs, scored.scores
    if allowed is not None:
        mask = allowed[docs]
        docs, scores = docs[mask], scores[mask]
    if keep <= 0 or not len(docs):
        return []
    if len(docs) > keep:
        # Keep everything tied with the keep-th score, so the cut is decided by docnum, not chance.
        kth = -np.partition(-scores, keep - 1)[keep - 1]
        tied = scores >= kth
        docs, scores = docs[tied], scores[tied]
    order = np.lexsort((docs, -scores))[:keep]
    return [(int(docs[i]), float(scores[i])) for i in order]

def tiers(scored):
    """The exact matches, then the near matches (``Scored.near``): each ranked on its own, near ones
    after."""
    if scored.near is None or not len(scored.near):
        return [scored]
    near_only = Scored(scored.near, np.zeros(len(scored.near)))
    exact = without(scored, near_only)
    keep = np.isin(scored.docs, scored.near, assume_unique=True)
    return [exact, Scored(scored.docs[keep], scored.scores[keep])]
