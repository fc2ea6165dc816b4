"""The query language users type, and its translation into a Whoosh query.

Syntax (nothing else is special, so nothing a user types can cost minutes):

- ``a b``        both terms (AND)
- ``a OR b``     either term
- ``-a``         not a
- ``"a b"`` or “a b”   the exact phrase, literally (no synonyms)

Every term is matched as a substring: a Chinese word of two or more characters is a phrase of
character bigrams (see ``search.analysis``), and a whole-word match adds a bonus. A term that is a
year (2022, 2022年) also matches passages whose section speaks about that year. A term in the synonym
list (``data/synonyms.tsv``) also searches its synonyms.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from . import settings
from .analysis import fold, gram_tokens, is_cjk, whole_word
from .errors import QueryError

if TYPE_CHECKING:
    from whoosh import query as wq

QUOTES = {'"': '"', "“": "”", "「": "」"}
YEAR_TERM_RE = re.compile(r"^((?:19|20)\d{2})年?$")


@dataclass
class Term:
    text: str  # as typed (without quotes or minus)
    phrase: bool = False  # quoted: literal, no synonyms
    negated: bool = False
    synonyms: list[str] = field(default_factory=list)


@dataclass
class ParsedQuery:
    raw: str
    groups: list[list[Term]]  # AND of groups, each group an OR of terms
    excluded: list[Term]

    @property
    def is_empty(self) -> bool:
        return not self.groups

    def needles(self) -> list[str]:
        """Folded strings to mark in results: every positive term and the synonyms searched."""
        out = []
        for group in self.groups:
            for term in group:
                out.append(fold(term.text))
                out.extend(fold(s) for s in term.synonyms)
        return [n for n in out if n.strip()]

    def group_needles(self) -> list[list[str]]:
        """Per AND-group, the folded strings that satisfy it in the text (years excluded: they
        also match through the section's year, so their absence from the text says nothing)."""
        out = []
        for group in self.groups:
            if any(YEAR_TERM_RE.match(t.text) for t in group):
                continue
            needles = [fold(x) for t in group for x in (t.text, *t.synonyms)]
            out.append([n for n in needles if n.strip()])
        return out

    def key(self) -> str:
        """A canonical form: equal for queries that search the same thing."""
        return repr((self.groups, self.excluded))

    def expansions(self) -> dict[str, list[str]]:
        return {t.text: t.synonyms for g in self.groups for t in g if t.synonyms}


@lru_cache(maxsize=1)
def synonym_groups() -> dict[str, tuple[str, ...]]:
    groups: dict[str, tuple[str, ...]] = {}
    path = settings.DATA_DIR / "synonyms.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        terms = tuple(t.strip() for t in line.split("\t") if t.strip())
        for t in terms:
            groups[fold(t)] = terms
    return groups


def _tokenize(raw: str) -> list[tuple[str, bool, bool]]:
    """Split into (text, quoted, negated) pieces; raise on unbalanced quotes."""
    pieces, i, n = [], 0, len(raw)
    while i < n:
        c = raw[i]
        if c.isspace():
            i += 1
            continue
        negated = False
        if c == "-" and i + 1 < n and not raw[i + 1].isspace():
            negated, i = True, i + 1
            c = raw[i]
        if c in QUOTES:
            close = QUOTES[c]
            end = raw.find(close, i + 1)
            if end < 0:
                raise QueryError(f"unbalanced quote in “{raw}”: close the phrase with {close} or remove the quote")
            pieces.append((raw[i + 1 : end], True, negated))
            i = end + 1
            continue
        j = i
        while j < n and not raw[j].isspace() and raw[j] not in QUOTES:
            j += 1
        pieces.append((raw[i:j], False, negated))
        i = j
    return pieces


def parse(raw: str) -> ParsedQuery:
    raw = raw or ""
    if any(ord(c) < 32 and c not in "\t\n\r" for c in raw):
        raise QueryError("the query contains control characters; type plain text")
    max_chars = settings.get("max_query_chars")
    if len(raw) > max_chars:
        raise QueryError(f"the query is {len(raw)} characters long; the limit is {max_chars}")
    raw = raw.strip()
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = False
    count = 0
    for text, quoted, negated in _tokenize(raw):
        if not quoted and not negated and text in ("OR", "|"):
            join_next = bool(groups)
            continue
        if not any(ch.isalnum() for ch in text):
            join_next = False
            continue  # punctuation on its own finds nothing useful
        count += 1
        term = Term(text=text.strip(), phrase=quoted, negated=negated)
        if not quoted:
            group = synonym_groups().get(fold(term.text), ())
            term.synonyms = [s for s in group if fold(s) != fold(term.text)]
        if negated:
            excluded.append(term)
        elif join_next and groups:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    max_terms = settings.get("max_query_terms")
    if count > max_terms:
        raise QueryError(f"the query has {count} terms; the limit is {max_terms}")
    if excluded and not groups:
        raise QueryError("the query only excludes terms; add a term to search for")
    return ParsedQuery(raw=raw, groups=groups, excluded=excluded)


# -- translation into Whoosh ---------------------------------------------------------------------


def _text_query(text: str, is_word: Callable[[str], bool], boost: float = 1.0) -> wq.Query | None:
    """Substring match on the bigram stream, plus a bonus for whole-word matches."""
    from whoosh import query as wq

    grams = gram_tokens(text)
    if not grams:
        return None
    if len(grams) == 1 and is_cjk(grams[0]) and len(grams[0]) == 1:
        # A single character: bigrams that start with it, or jieba's single-character word.
        return wq.Or([wq.Prefix("grams", grams[0]), wq.Term("words", grams[0])], boost=boost)
    grams_q = (wq.Term("grams", grams[0], boost=boost) if len(grams) == 1
               else wq.Phrase("grams", grams, boost=boost))
    word = whole_word(text, is_word)
    if word is None:
        # Only a single word earns the whole-word bonus: a phrase of words would be a second
        # position check per candidate, and the bigram phrase already says they stand together.
        return grams_q
    words_q = wq.Term("words", word, boost=settings.get("word_boost") * boost)
    # The bigram phrase decides what matches (exact substring, punctuation included); the word
    # match only adds to the score, so it can never widen the match (说事，干部 ≠ 说事、干部).
    return wq.AndMaybe(grams_q, words_q)


def _term_query(term: Term, is_word: Callable[[str], bool]) -> wq.Query | None:
    from whoosh import query as wq

    parts = [_text_query(term.text, is_word)]
    if term.synonyms:
        # A passage that says both GDP and 地区生产总值 is not twice as relevant: take the best.
        syn_boost = settings.get("synonym_boost")
        alternatives = [q for q in [parts[0], *(_text_query(s, is_word, syn_boost) for s in term.synonyms)] if q]
        parts = [wq.DisjunctionMax(alternatives)] if alternatives else []
    year = YEAR_TERM_RE.match(term.text) if not term.phrase else None
    if year:
        parts.append(wq.Term("year", year.group(1), boost=settings.get("year_boost")))
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.Or(parts)


def to_whoosh(parsed: ParsedQuery, is_word: Callable[[str], bool]) -> wq.Query | None:
    """The Whoosh query for a parsed query, or None when it has no positive term (list everything).
    ``is_word`` tells whether the index's words field holds a token (see ``analysis.whole_word``).

    The engine evaluates queries with ``search.evaluate`` (numpy over the same postings, several
    times faster); this is the statement of the same semantics in Whoosh's own terms, which
    tests/test_evaluate.py holds the evaluator to, match for match and score for score.
    whoosh.query is imported here, not at the top: searching never builds a Whoosh query, and a
    command-line search starts faster without it."""
    from whoosh import query as wq

    musts = []
    for group in parsed.groups:
        alternatives = [q for q in (_term_query(t, is_word) for t in group) if q is not None]
        if alternatives:
            musts.append(alternatives[0] if len(alternatives) == 1 else wq.Or(alternatives))
    if not musts:
        return None
    positive = musts[0] if len(musts) == 1 else wq.And(musts)
    if len(musts) > 1 and all(len(g) == 1 for g in parsed.groups):
        # Terms typed apart but standing together in the text (抽水 蓄能 电站 → 抽水蓄能电站) are a
        # phrase match, which must outrank the same terms scattered over a sentence.
        adjacent = _text_query("".join(g[0].text for g in parsed.groups), is_word, settings.get("adjacent_boost"))
        if adjacent is not None:
            positive = wq.AndMaybe(positive, adjacent)
    negatives = [q for q in (_term_query(t, is_word) for t in parsed.excluded) if q is not None]
    if negatives:
        return wq.AndNot(positive, negatives[0] if len(negatives) == 1 else wq.Or(negatives))
    return positive
