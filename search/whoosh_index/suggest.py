"""Counting suggestions (``search.query.suggest``) on the embedded index.

Every suggestion differs from the searched query in at most one AND group, so nothing is searched
again from scratch: each term is evaluated once, ``hits`` counts for every document how many of
the query's groups it matches, and a suggestion's count is that array with one group taken out
(and perhaps another put in). All of it spends one query's work budget (``Evaluator.budget``);
when the budget runs out, the suggestions found so far are the answer.
"""

from __future__ import annotations

import numpy as np

from ..query import suggest
from ..query.budget import Work
from ..query.plan import QueryPlan, Term


def suggestions(parsed: QueryPlan, filters: dict, generation) -> list[dict]:
    """Queries that find something, for a query that found nothing (with these filters, already
    resolved); the counts come from ``generation``'s evaluator."""
    return suggest.suggestions(parsed, filters, _Counts(generation, parsed, filters))


class _Counts:
    """How many documents match the searched query with one AND group replaced or dropped
    (``search.query.suggest.Counts``). Terms are evaluated when first asked for, so that running
    out of budget still leaves the offers found before."""

    def __init__(self, generation, parsed: QueryPlan, filters: dict):
        self.generation, self.parsed, self.filters = generation, parsed, filters
        self.evaluator, self.work = generation.evaluator, generation.evaluator.budget()
        self._docs: dict[tuple, np.ndarray] = {}
        self.groups: list[np.ndarray] | None = None

    def _ready(self) -> None:
        if self.groups is not None:
            return
        size = self.generation.facets.size
        self.groups = [self._group_docs(g) for g in self.parsed.groups]
        self.hits = np.zeros(size, dtype=np.int16)  # groups each document matches
        for docs in self.groups:
            self.hits[docs] += 1
        self.unfiltered = np.ones(size, dtype=bool)
        for term in self.parsed.excluded:
            self.unfiltered[self.docs(term)] = False
        allowed = self.generation.facets.filter_mask(self.filters)
        self.filtered = self.unfiltered if allowed is None else self.unfiltered & allowed

    def docs(self, term: Term) -> np.ndarray:
        key = (term.text, term.phrase, tuple(term.synonyms))
        if key not in self._docs:
            self._docs[key] = self.evaluator.typed(term, self.work).docs
        return self._docs[key]

    def _group_docs(self, group: list[Term]) -> np.ndarray:
        lists = [self.docs(t) for t in group]
        return lists[0] if len(lists) == 1 else np.unique(np.concatenate(lists))

    def finds_something(self, term: Term) -> bool:
        self._ready()
        return bool(len(self.docs(term)))

    def count(self, replace: int | None = None, group: list[Term] | None = None, filtered: bool = True) -> int:
        self._ready()
        keep = self.filtered if filtered else self.unfiltered
        if replace is None:
            return int(np.count_nonzero((self.hits == len(self.groups)) & keep))
        others = self.hits.copy()
        others[self.groups[replace]] -= 1
        need = len(self.groups) - 1
        if group is None:
            return int(np.count_nonzero((others == need) & keep))
        docs = self._group_docs(group)
        return int(np.count_nonzero((others[docs] == need) & keep[docs]))

    def close_words(self, word: str) -> list[str]:
        return close_words(self.generation, word, self.work)


def close_words(generation, word: str, work: Work) -> list[str]:
    """Indexed words one edit away (a typo, a wrong, missing or extra character), those in the
    most passages first (document frequency, which the OpenSearch backend's term suggester
    reports too). Only words sharing the first character are read (a typo rarely changes it);
    each costs one lookup of work."""
    if not suggest.correctable(word):
        return []
    reader = generation.reader
    work.reserve(lookups=1)
    with generation.evaluator.lock:
        candidates = [w.decode("utf-8") if isinstance(w, bytes) else w for w in reader.expand_prefix("words", word[0])]
        work.charge(postings=len(candidates))
        close = [w for w in candidates if w != word and suggest.one_edit_apart(word, w)]
        work.reserve(lookups=len(close))
        ranked = sorted(close, key=lambda w: (-reader.doc_frequency("words", w), w))
    return ranked[:suggest.CLOSE_WORDS]
