"""The query semantics stated in Whoosh's own query objects: the reference the evaluator is held to.

The engine evaluates queries with ``search.scoring.evaluate`` (numpy over the same postings,
several times faster); ``tests/test_evaluate.py`` compares its matches and scores with what
Whoosh's own execution of ``to_whoosh`` finds.
"""

from __future__ import annotations

from collections.abc import Callable

from whoosh import query as wq

from .. import settings
from ..query.plan import QueryPlan, Searched, Term
from ..text.streams import is_cjk


def _text_query(searched: Searched, is_word: Callable[[str], bool], boost: float = 1.0) -> wq.Query | None:
    """Substring match on the bigram stream, plus a bonus for whole-word matches."""
    grams = list(searched.grams)
    if not grams:
        return None
    if len(grams) == 1 and is_cjk(grams[0]) and len(grams[0]) == 1:
        # A single character: bigrams that start with it, or jieba's single-character word.
        return wq.Or([wq.Prefix("grams", grams[0]), wq.Term("words", grams[0])], boost=boost)
    grams_q = (wq.Term("grams", grams[0], boost=boost) if len(grams) == 1
               else wq.Phrase("grams", grams, boost=boost))
    word = searched.run if searched.run is not None and is_word(searched.run) else None
    if word is None:
        # Only a single word earns the whole-word bonus: a phrase of words would be a second
        # position check per candidate, and the bigram phrase already says they stand together.
        return grams_q
    words_q = wq.Term("words", word, boost=settings.get("word_boost") * boost)
    # The bigram phrase decides what matches (exact substring, punctuation included); the word
    # match only adds to the score, so it can never widen the match (说事，干部 ≠ 说事、干部).
    return wq.AndMaybe(grams_q, words_q)


def _unquoted_query(searched: Searched, is_word: Callable[[str], bool], boost: float = 1.0):
    """An unquoted term: exact, or through the marks inside a name on the joined stream
    (search.joined), where the exact match does not already find the passage."""
    exact = _text_query(searched, is_word, boost)
    if exact is None or searched.joined is None:
        return exact
    grams = list(searched.grams)
    literal = wq.Term("grams", grams[0]) if len(grams) == 1 else wq.Phrase("grams", grams)
    joined = wq.Phrase("joined", list(searched.joined), boost=boost)
    # And with a Not, not AndNot: Whoosh's AndNot lets through a first match that the excluded
    # query also matches (its first step skips nothing). Whoosh scores the Not 1 whatever its
    # boost, so a passage found only through marks scores 1 more here than in search.evaluate.
    return wq.Or([exact, wq.And([joined, wq.Not(literal)])])


def _term_query(term: Term, is_word: Callable[[str], bool]):
    parts = [_text_query(term.own, is_word) if term.phrase else _unquoted_query(term.own, is_word)]
    if term.synonyms:
        # A passage that says both GDP and 地区生产总值 is not twice as relevant: take the best.
        syn_boost = settings.get("synonym_boost")
        alternatives = [q for q in [parts[0], *(_unquoted_query(s, is_word, syn_boost) for s in term.alternatives)] if q]
        parts = [wq.DisjunctionMax(alternatives)] if alternatives else []
    if term.year:
        parts.append(wq.Term("year", term.year, boost=settings.get("year_boost")))
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.Or(parts)


def to_whoosh(parsed: QueryPlan, is_word: Callable[[str], bool]) -> wq.Query | None:
    """The Whoosh query for a parsed query, or None when it has no positive term (list everything).
    ``is_word`` tells whether the index's words field holds a token (see ``search.text.streams.whole_word``).

    The engine evaluates queries with ``search.scoring.evaluate`` (numpy over the same postings, several
    times faster); this is the statement of the same semantics in Whoosh's own terms, which
    tests/test_evaluate.py holds the evaluator to, match for match and score for score. Figure
    terms' other forms (search.numbers: 200亿 → 200亿大关) are the evaluator's alone.
    Searching never builds a Whoosh query: only the tests import this module."""
    musts = []
    for group in parsed.groups:
        alternatives = [q for q in (_term_query(t, is_word) for t in group) if q is not None]
        if alternatives:
            musts.append(alternatives[0] if len(alternatives) == 1 else wq.Or(alternatives))
    if not musts:
        return None
    positive = musts[0] if len(musts) == 1 else wq.And(musts)
    if len(musts) > 1 and parsed.adjacent is not None:
        # Terms typed apart but standing together in the text (抽水 蓄能 电站 → 抽水蓄能电站) are a
        # phrase match, which must outrank the same terms scattered over a sentence.
        adjacent = _text_query(parsed.adjacent, is_word, settings.get("adjacent_boost"))
        if adjacent is not None:
            positive = wq.AndMaybe(positive, adjacent)
    negatives = [q for q in (_term_query(t, is_word) for t in parsed.excluded) if q is not None]
    if negatives:
        return wq.AndNot(positive, negatives[0] if len(negatives) == 1 else wq.Or(negatives))
    return positive
