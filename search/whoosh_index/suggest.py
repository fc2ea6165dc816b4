"""What to offer when a search finds nothing: never a dead end.

Each suggestion is a query that does find something, with the reason in words: the same query
without its filters, a quoted term searched with its synonyms, a close word that is in the index
(did you mean), or the query without one of its AND terms.

Every suggestion differs from the searched query in at most one AND group, so nothing is searched
again from scratch: each term is evaluated once, ``hits`` counts for every document how many of
the query's groups it matches, and a suggestion's count is that array with one group taken out
(and perhaps another put in). All of it spends one query's work budget (``Evaluator.budget``);
when the budget runs out, the suggestions found so far are the answer. Close words are looked up
only for terms that find nothing on their own (those are the likely typos), at most
``MAX_CORRECTED`` of them.
"""

from __future__ import annotations

import numpy as np

from ..text.streams import is_cjk
from ..query.parse import parse, synonym_groups
from ..query.plan import QueryPlan, Term
from ..query.budget import Exhausted, Work

MAX_SUGGESTIONS = 5
MAX_CORRECTED = 3  # terms looked up for close words; each walks the words sharing its first character
CLOSE_WORDS = 3  # close words tried per term
MAX_WORD_LENGTH = 12  # longer words are not typos worth correcting


def suggestions(parsed: QueryPlan, filters: dict, generation) -> list[dict]:
    """Queries that find something, for a query that found nothing (with these filters, already
    resolved); the counts come from ``generation``'s evaluator."""
    out: list[dict] = []
    try:
        _collect(out, parsed, filters, generation, generation.evaluator.budget())
    except Exhausted:
        pass  # what was found within the budget is what is offered
    return out


def _collect(out: list[dict], parsed: QueryPlan, filters: dict, generation, work: Work) -> None:
    counts = _Counts(generation, parsed, filters, work)
    groups = [[_render_term(t) for t in g] for g in parsed.groups]
    excluded = [_render_term(t) for t in parsed.excluded]

    def offer(total: int, new_groups: list[list[str]], use_filters: dict, reason: str) -> bool:
        if total and len(out) < MAX_SUGGESTIONS:
            out.append({"query": _render(new_groups, excluded), "filters": use_filters, "total": total,
                        "reason": reason})
        return len(out) >= MAX_SUGGESTIONS

    if filters and offer(counts.count(filtered=False), groups, {}, "不加筛选条件"):
        return
    corrected = 0
    for i, group in enumerate(parsed.groups):
        for j, term in enumerate(group):
            replaced = lambda text: [*groups[:i], [*groups[i][:j], text, *groups[i][j + 1:]], *groups[i + 1:]]  # noqa: E731
            if term.phrase and term.own.folded in synonym_groups() and len(term.text.split()) == 1:
                widened = parse(term.text).groups[0][0]  # as the suggested query will be parsed
                total = counts.count(i, counts.group_docs(group, j, widened))
                if offer(total, replaced(term.text), filters, f"连同“{term.text}”的同义词一起搜索"):
                    return
            if corrected >= MAX_CORRECTED or len(counts.docs(term)):
                continue  # a term that finds something on its own is not a typo
            corrected += 1
            for word in close_words(generation, term.own.folded, work):
                total = counts.count(i, counts.group_docs(group, j, parse(word).groups[0][0]))
                if offer(total, replaced(word), filters, f"您是不是要找“{word}”"):
                    return
    if len(groups) > 1:
        for i, group in enumerate(parsed.groups):
            shown = " OR ".join(t.text for t in group)
            if offer(counts.count(i), groups[:i] + groups[i + 1:], filters, f"去掉“{shown}”"):
                return


class _Counts:
    """How many documents match the searched query with one AND group replaced or dropped."""

    def __init__(self, generation, parsed: QueryPlan, filters: dict, work: Work):
        self.evaluator, self.work = generation.evaluator, work
        self._docs: dict[tuple, np.ndarray] = {}
        self.groups = [self.group_docs(g) for g in parsed.groups]
        self.hits = np.zeros(generation.facets.size, dtype=np.int16)  # groups each document matches
        for docs in self.groups:
            self.hits[docs] += 1
        self.unfiltered = np.ones(generation.facets.size, dtype=bool)
        for term in parsed.excluded:
            self.unfiltered[self.docs(term)] = False
        allowed = generation.facets.filter_mask(filters)
        self.filtered = self.unfiltered if allowed is None else self.unfiltered & allowed

    def docs(self, term: Term) -> np.ndarray:
        key = (term.text, term.phrase, tuple(term.synonyms))
        if key not in self._docs:
            self._docs[key] = self.evaluator.typed(term, self.work).docs
        return self._docs[key]

    def group_docs(self, group: list[Term], replace: int | None = None, term: Term | None = None) -> np.ndarray:
        """The documents of an OR group, its ``replace``-th term swapped for ``term``."""
        lists = [self.docs(term if k == replace else t) for k, t in enumerate(group)]
        return lists[0] if len(lists) == 1 else np.unique(np.concatenate(lists))

    def count(self, replace: int | None = None, docs: np.ndarray | None = None, filtered: bool = True) -> int:
        """Matches of every group, group ``replace`` swapped for ``docs`` (or dropped, without
        ``docs``); with the query's filters unless ``filtered`` is false."""
        keep = self.filtered if filtered else self.unfiltered
        if replace is None:
            return int(np.count_nonzero((self.hits == len(self.groups)) & keep))
        others = self.hits.copy()
        others[self.groups[replace]] -= 1
        need = len(self.groups) - 1
        if docs is None:
            return int(np.count_nonzero((others == need) & keep))
        return int(np.count_nonzero((others[docs] == need) & keep[docs]))


def _render_term(term: Term) -> str:
    if not term.phrase:
        return term.text
    opening, closing = next((o, c) for o, c in (('"', '"'), ("“", "”"), ("「", "」")) if c not in term.text)
    return f"{opening}{term.text}{closing}"


def _render(groups: list[list[str]], excluded: list[str]) -> str:
    return " ".join([*(" OR ".join(g) for g in groups), *(f"-{t}" for t in excluded)])


def close_words(generation, word: str, work: Work) -> list[str]:
    """Indexed words one edit away (a typo, a wrong, missing or extra character), most frequent
    first. Only words sharing the first character are read (a typo rarely changes it); each
    costs one lookup of work."""
    if not 2 <= len(word) <= MAX_WORD_LENGTH or not (is_cjk(word) or word.isalnum()):
        return []
    reader = generation.reader
    work.reserve(lookups=1)
    with generation.evaluator.lock:
        candidates = [w.decode("utf-8") if isinstance(w, bytes) else w for w in reader.expand_prefix("words", word[0])]
        work.charge(postings=len(candidates))
        close = [w for w in candidates if w != word and _one_edit_apart(word, w)]
        work.reserve(lookups=len(close))
        ranked = sorted(close, key=lambda w: (-reader.frequency("words", w), w))
    return ranked[:CLOSE_WORDS]


def _one_edit_apart(a: str, b: str) -> bool:
    """Whether b is a with one character replaced, inserted or deleted."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k, (x, y) in enumerate(zip(short, long)) if x != y), len(short))
    return short[i:] == long[i + 1:]
