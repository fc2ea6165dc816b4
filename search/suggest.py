"""What to offer when a search finds nothing: never a dead end.

Each suggestion is a query that does find something, with the reason in words: the same query
without its filters, a close word that is in the index (did you mean), a quoted term searched with
its synonyms, or the query without one of its terms.
"""

from __future__ import annotations

from .analysis import fold, is_cjk
from .query import ParsedQuery, synonym_groups

MAX_SUGGESTIONS = 5


def _quote(text: str) -> str:
    return f'"{text}"' if any(c.isspace() for c in text) else text


def _render(terms: list[str], excluded: list[str]) -> str:
    return " ".join([*map(_quote, terms), *(f"-{_quote(t)}" for t in excluded)])


def suggestions(engine, parsed: ParsedQuery, filters: dict, generation) -> list[dict]:
    """Queries that find something, for a query that found nothing (with these filters)."""
    out: list[dict] = []
    seen = set()

    def offer(query: str, use_filters: dict, reason: str) -> None:
        key = (query, tuple(sorted((k, tuple(v)) for k, v in use_filters.items())))
        if key in seen or len(out) >= MAX_SUGGESTIONS:
            return
        seen.add(key)
        total = engine.count(query, use_filters)
        if total:
            out.append({"query": query, "filters": use_filters, "total": total, "reason": reason})

    terms = [t.text if not t.phrase else f'"{t.text}"' for g in parsed.groups for t in g]
    excluded = [t.text for t in parsed.excluded]
    if filters:
        offer(parsed.raw, {}, "不加筛选条件")
    for group in parsed.groups:
        for term in group:
            if term.phrase and fold(term.text) in synonym_groups():
                replaced = [t if t != f'"{term.text}"' else term.text for t in terms]
                offer(_render(replaced, excluded), filters, f"连同“{term.text}”的同义词一起搜索")
            for word in _close_words(generation, term.text):
                replaced = [t if t not in (term.text, f'"{term.text}"') else word for t in terms]
                offer(_render(replaced, excluded), filters, f"您是不是要找“{word}”")
    if len(terms) > 1:
        for i, term in enumerate(terms):
            bare = term.strip('"')
            offer(_render(terms[:i] + terms[i + 1:], excluded), filters, f"去掉“{bare}”")
    return out


def _close_words(generation, text: str) -> list[str]:
    """Indexed words one edit away (a typo, a wrong or missing character)."""
    word = fold(text)
    if len(word) < 2 or not (is_cjk(word) or word.isalnum()):
        return []
    try:
        return [w for w in generation.close_words(word) if w != word]
    except (ValueError, KeyError):
        return []
