"""Counting suggestions (``search.query.suggest``) on the cluster, in at most three round trips.

``search.query.suggest`` decides which offers to make and in what order; this module answers its
questions with ``_msearch``: each offer is the searched query with one AND group replaced or
dropped, counted exactly (``track_total_hits``) with near matches left out, as the Whoosh index
counts them. Everything the offers may ask is known from the plan, so it is asked up front:

1. the query without filters, each quoted term with its synonyms, each term alone (does it find
   anything?) and the query without each AND group, in one request;
2. close words for the first terms that find nothing, by the ``term`` suggester on ``words`` (the
   same word list the Whoosh index walks: one edit, first character kept), in one request;
3. the query with each close word in its term's place, in one request.

The cluster has no work budget of ours; what bounds the work is the number of requests, at most
one per term and group of a query whose length ``max_query_chars`` already bounds. A count the
cluster refuses (too many clauses, say) ends the suggestions where they are, as an exhausted
budget does on the Whoosh index.
"""

from __future__ import annotations

from ..query import suggest
from ..query.budget import Exhausted
from ..query.plan import QueryPlan, Term
from . import dsl

# Candidates asked of the term suggester: every word one edit away is wanted (then filtered and
# ranked here), not its default 5 per shard by its own similarity score.
SUGGESTER_SIZE = 100


def suggestions(snap, plan: QueryPlan, filters: dict) -> list[dict]:
    counts = Counts(snap, plan, filters)
    try:
        counts.prefetch()
    except Exhausted:
        return []
    return suggest.suggestions(plan, filters, counts)


def _term_key(term: Term) -> tuple:
    return (term.text, term.phrase, tuple(term.synonyms))


class Counts:
    """``search.query.suggest.Counts`` over a snapshot: answers asked up front (``prefetch``), a
    request of its own for anything else."""

    def __init__(self, snap, plan: QueryPlan, filters: dict):
        self.snap, self.plan, self.filters = snap, plan, filters
        self.groups = [dsl.group(g) for g in plan.groups]
        self.excluded = [q for q in (dsl.typed(t) for t in plan.excluded) if q is not None]
        self._counts: dict[tuple, int] = {}
        self._found: dict[tuple, bool] = {}
        self._close: dict[str, list[str]] = {}

    # -- asked up front ----------------------------------------------------------------------------

    def prefetch(self) -> None:
        plan = self.plan
        first = []
        if self.filters:
            first.append(self._count_request(None, None, False))
        for i, group in enumerate(plan.groups):
            for j, term in enumerate(group):
                wide = suggest.widened(term)
                if wide is not None:
                    first.append(self._count_request(i, [*group[:j], wide, *group[j + 1:]], True))
                first.append(self._found_request(term))
        if len(plan.groups) > 1:
            first += [self._count_request(i, None, True) for i in range(len(plan.groups))]
        self._ask(first)
        typos = [(i, j, t) for i, g in enumerate(plan.groups) for j, t in enumerate(g)
                 if not self._found[_term_key(t)]][:suggest.MAX_CORRECTED]
        self._ask([self._close_request(t.own.folded) for _, _, t in typos if suggest.correctable(t.own.folded)])
        self._ask([self._count_request(i, [*plan.groups[i][:j], suggest.as_term(w), *plan.groups[i][j + 1:]], True)
                   for i, j, t in typos for w in self._close.get(t.own.folded, ())])

    def _ask(self, requests: list[tuple[dict, object]]) -> None:
        """Send the requests' bodies in one ``_msearch``; each answer goes to its request's setter."""
        fresh = {}
        for body, store in requests:  # the same question twice is asked once
            fresh.setdefault(repr(body), (body, []))[1].append(store)
        if not fresh:
            return
        lines = []
        for body, _ in fresh.values():
            lines += [{}, body]
        answers = self.snap.client.msearch(index=self.snap.name, body=lines)["responses"]
        for (_, stores), answer in zip(fresh.values(), answers):
            if "error" in answer:
                raise Exhausted
            for store in stores:
                store(answer)

    def _query(self, replace: int | None, group: list[Term] | None, filtered: bool) -> dict:
        groups = list(self.groups)
        if replace is not None:
            if group is None:
                del groups[replace]
            else:
                groups[replace] = dsl.group(group)
        out = {"must": groups, "filter": [dsl.PASSAGES, *(dsl.filters(self.filters) if filtered else [])]}
        if self.excluded:
            out["must_not"] = self.excluded
        return {"bool": out}

    def _count_key(self, replace, group, filtered) -> tuple:
        return replace, None if group is None else tuple(map(_term_key, group)), filtered

    def _count_request(self, replace, group, filtered):
        key = self._count_key(replace, group, filtered)
        body = {"size": 0, "track_total_hits": True, "query": self._query(replace, group, filtered)}
        return body, lambda answer: self._counts.__setitem__(key, answer["hits"]["total"]["value"])

    def _found_request(self, term: Term):
        query = dsl.typed(term) or {"match_none": {}}
        # One match is enough to know the term finds something.
        body = {"size": 0, "track_total_hits": 1, "query": {"bool": {"must": [query], "filter": [dsl.PASSAGES]}}}
        return body, lambda answer: self._found.__setitem__(_term_key(term), answer["hits"]["total"]["value"] > 0)

    def _close_request(self, word: str):
        body = {"size": 0, "suggest": {"close": {"text": word, "term": {
            "field": "words", "suggest_mode": "always", "max_edits": 1, "prefix_length": 1,
            "min_word_length": 2, "accuracy": 0.0, "max_term_freq": 0.99, "sort": "frequency",
            "size": SUGGESTER_SIZE, "shard_size": SUGGESTER_SIZE, "max_inspections": 10}}}}
        return body, lambda answer: self._close.__setitem__(word, _close_words(word, answer))

    # -- search.query.suggest.Counts ---------------------------------------------------------------

    def count(self, replace: int | None = None, group: list[Term] | None = None, filtered: bool = True) -> int:
        key = self._count_key(replace, group, filtered)
        if key not in self._counts:
            self._ask([self._count_request(replace, group, filtered)])
        return self._counts[key]

    def finds_something(self, term: Term) -> bool:
        if _term_key(term) not in self._found:
            self._ask([self._found_request(term)])
        return self._found[_term_key(term)]

    def close_words(self, word: str) -> list[str]:
        if word not in self._close:
            self._ask([self._close_request(word)])
        return self._close[word]


def _close_words(word: str, answer: dict) -> list[str]:
    """The suggester's words, as the Whoosh index chooses them: one edit away in the strict
    sense (Lucene also counts a swap of two characters as one edit), the most passages first,
    ties in code point order."""
    options = [o for entry in answer.get("suggest", {}).get("close", []) for o in entry["options"]]
    close = {o["text"]: o["freq"] for o in options if o["text"] != word and suggest.one_edit_apart(word, o["text"])}
    return sorted(close, key=lambda w: (-close[w], w))[:suggest.CLOSE_WORDS]
