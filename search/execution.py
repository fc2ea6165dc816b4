"""Running a Whoosh query for a results page: every match (for facets) and the best (for hits).

Matching without scoring is much cheaper than scoring (an optional whole-word phrase is not even
looked at), so the full match list comes from a boolean pass, and the scored pass is left to
Whoosh's top-k collector, which skips blocks that cannot reach the top. Filters are boolean masks
over docnums (see ``search.facets``); ``MaskIdSet`` lets Whoosh test membership in one without
building a Python set of possibly hundreds of thousands of numbers.
"""

from __future__ import annotations

import numpy as np
from whoosh.idsets import DocIdSet


class MaskIdSet(DocIdSet):
    """A read-only DocIdSet over a numpy boolean mask."""

    def __init__(self, mask: np.ndarray):
        self.mask = mask
        self._len = int(np.count_nonzero(mask))

    def __len__(self):
        return self._len

    def __contains__(self, docnum):
        return 0 <= docnum < len(self.mask) and bool(self.mask[docnum])

    def __iter__(self):
        return iter(np.flatnonzero(self.mask).tolist())


def matching_docs(searcher, wquery) -> np.ndarray:
    """Every live docnum the query matches, ascending."""
    context = searcher.boolean_context()
    parts = []
    for subsearcher, offset in searcher.leaf_searchers():
        matcher = wquery.matcher(subsearcher, context)
        ids = np.fromiter(matcher.all_ids(), dtype=np.int64)
        parts.append(ids + offset)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def top_docs(searcher, wquery, allowed: np.ndarray | None, keep: int) -> list[tuple[int, float]]:
    """The ``keep`` best (docnum, score) among allowed documents, best first."""
    if keep <= 0:
        return []
    results = searcher.search(wquery, limit=keep, filter=MaskIdSet(allowed) if allowed is not None else None)
    return [(hit.docnum, hit.score) for hit in results]
