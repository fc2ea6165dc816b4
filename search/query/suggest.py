"""What to offer when a search finds nothing, whatever the backend: never a dead end.

Each suggestion is a query that does find something, with the reason in words: the same query
without its filters, a quoted term searched with its synonyms, a close word that is in the index
(did you mean), or the query without one of its AND terms.

Every suggestion differs from the searched query in at most one AND group, so a backend can count
them all without searching again from scratch. The choice of offers and their order live here,
once; a backend only counts (``Counts``): the Whoosh index with arrays of documents within a work
budget (``search.whoosh_index.suggest``), OpenSearch with batched count requests
(``search.opensearch.suggest``). Both answer the same offers with the same counts.

Close words are looked up only for terms that find nothing on their own (those are the likely
typos), at most ``MAX_CORRECTED`` of them.
"""

from __future__ import annotations

from typing import Protocol

from ..text.streams import is_cjk
from .budget import Exhausted
from .parse import parse, synonym_groups
from .plan import QueryPlan, Term

MAX_SUGGESTIONS = 5
MAX_CORRECTED = 3  # terms looked up for close words; each walks the words sharing its first character
CLOSE_WORDS = 3  # close words tried per term
MAX_WORD_LENGTH = 12  # longer words are not typos worth correcting


class Counts(Protocol):
    """Exact matches (near ones not counted) of the searched query changed in one AND group."""

    def count(self, replace: int | None = None, group: list[Term] | None = None, filtered: bool = True) -> int:
        """Matches of every group, group ``replace`` swapped for the terms ``group`` (or dropped,
        without ``group``); with the query's filters unless ``filtered`` is false. Raises
        ``Exhausted`` when the backend's budget for suggestions is spent."""

    def finds_something(self, term: Term) -> bool:
        """Whether the term alone matches any passage (no filters, no exclusions)."""

    def close_words(self, word: str) -> list[str]:
        """Indexed words one edit away from ``word`` (``one_edit_apart``), at most
        ``CLOSE_WORDS``, most frequent first; only words sharing its first character."""


def suggestions(plan: QueryPlan, filters: dict, counts: Counts) -> list[dict]:
    """Queries that find something, for a query that found nothing (with these filters, already
    resolved). When the backend's budget runs out, what was found so far is offered."""
    out: list[dict] = []
    try:
        _collect(out, plan, filters, counts)
    except Exhausted:
        pass
    return out


def _collect(out: list[dict], plan: QueryPlan, filters: dict, counts: Counts) -> None:
    groups = [[render_term(t) for t in g] for g in plan.groups]
    excluded = [render_term(t) for t in plan.excluded]

    def offer(total: int, new_groups: list[list[str]], use_filters: dict, reason: str) -> bool:
        if total and len(out) < MAX_SUGGESTIONS:
            out.append({"query": render(new_groups, excluded), "filters": use_filters, "total": total,
                        "reason": reason})
        return len(out) >= MAX_SUGGESTIONS

    if filters and offer(counts.count(filtered=False), groups, {}, "不加筛选条件"):
        return
    corrected = 0
    for i, group in enumerate(plan.groups):
        for j, term in enumerate(group):
            replaced = lambda text: [*groups[:i], [*groups[i][:j], text, *groups[i][j + 1:]], *groups[i + 1:]]  # noqa: E731
            swapped = lambda new: [*group[:j], new, *group[j + 1:]]  # noqa: E731
            wide = widened(term)
            if wide is not None:
                if offer(counts.count(i, swapped(wide)), replaced(term.text), filters, f"连同“{term.text}”的同义词一起搜索"):
                    return
            if corrected >= MAX_CORRECTED or counts.finds_something(term):
                continue  # a term that finds something on its own is not a typo
            corrected += 1
            for word in counts.close_words(term.own.folded) if correctable(term.own.folded) else ():
                if offer(counts.count(i, swapped(as_term(word))), replaced(word), filters, f"您是不是要找“{word}”"):
                    return
    if len(groups) > 1:
        for i, group in enumerate(plan.groups):
            shown = " OR ".join(t.text for t in group)
            if offer(counts.count(i), groups[:i] + groups[i + 1:], filters, f"去掉“{shown}”"):
                return


def widened(term: Term) -> Term | None:
    """A quoted single term that has synonyms, as the suggested query (unquoted) will parse it."""
    if term.phrase and term.own.folded in synonym_groups() and len(term.text.split()) == 1:
        return as_term(term.text)
    return None


def as_term(text: str) -> Term:
    return parse(text).groups[0][0]


def correctable(word: str) -> bool:
    """Whether close words are worth looking up: a word of 2 to 12 characters, Chinese or letters
    and digits."""
    return 2 <= len(word) <= MAX_WORD_LENGTH and (is_cjk(word) or word.isalnum())


def one_edit_apart(a: str, b: str) -> bool:
    """Whether b is a with one character replaced, inserted or deleted (a swap of two is two)."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k, (x, y) in enumerate(zip(short, long)) if x != y), len(short))
    return short[i:] == long[i + 1:]


def render_term(term: Term) -> str:
    if not term.phrase:
        return term.text
    opening, closing = next((o, c) for o, c in (('"', '"'), ("“", "”"), ("「", "」")) if c not in term.text)
    return f"{opening}{term.text}{closing}"


def render(groups: list[list[str]], excluded: list[str]) -> str:
    return " ".join([*(" OR ".join(g) for g in groups), *(f"-{t}" for t in excluded)])
