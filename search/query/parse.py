"""The query language users type, and its translation into a Whoosh query.

Syntax (nothing else is special, so nothing a user types can cost minutes):

- ``a b``        both terms (AND)
- ``a OR b``     either term
- ``-a``         not a
- ``"a b"`` or “a b”   the exact phrase, literally (no synonyms)

Every term is matched as a substring: a Chinese word of two or more characters is a phrase of
character bigrams (see ``search.text.streams``), and a whole-word match adds a bonus. A term that is a
year (2022, 2022年) also matches passages whose section speaks about that year. A term in the synonym
list (``data/synonyms.tsv``) also searches its synonyms.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from .. import settings
from ..text.streams import fold, gram_tokens, is_cjk, whole_word
from ..errors import QueryError
from ..text.joined import LooseNeedle, joined_tokens, widens
from .figure_terms import figure_needles

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
                out.append(_needle(term.text, term.phrase))
                out.extend(figure_needles(term.text) if not term.phrase else ())
                out.extend(_needle(s, False) for s in term.synonyms)
        return [n for n in out if n.strip()]

    def group_needles(self) -> list[list[str]]:
        """Per AND-group, the folded strings that satisfy it in the text (years excluded: they
        also match through the section's year, so their absence from the text says nothing)."""
        out = []
        for group in self.groups:
            if any(YEAR_TERM_RE.match(t.text) for t in group):
                continue
            needles = [_needle(x, t.phrase and x == t.text) for t in group for x in (t.text, *t.synonyms)]
            needles += [n for t in group if not t.phrase for n in figure_needles(t.text)]
            out.append([n for n in needles if n.strip()])
        return out

    def key(self) -> str:
        """A canonical form: equal for queries that search the same thing."""
        return repr((self.groups, self.excluded))

    def expansions(self) -> dict[str, list[str]]:
        return {t.text: t.synonyms for g in self.groups for t in g if t.synonyms}


def _needle(text: str, quoted: bool) -> str:
    """A folded term to mark; an unquoted one is also marked where it matched through marks."""
    return fold(text) if quoted or not widens(text) else LooseNeedle(fold(text))


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
                raise QueryError(f"引号 {c} 没有配对：请在短语末尾补上 {close}，或删去这个引号")
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
        raise QueryError("查询中有控制字符：请只输入普通文字")
    max_chars = settings.get("max_query_chars")
    if len(raw) > max_chars:
        raise QueryError(f"查询有 {len(raw)} 个字符，最多只能有 {max_chars} 个：请缩短查询")
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
        raise QueryError(f"查询有 {count} 个词，最多只能有 {max_terms} 个：请减少关键词")
    if excluded and not groups:
        raise QueryError("查询里只有要排除的词（以 - 开头）：请再加一个要检索的词")
    # A term typed twice searches the same thing once (的 的 的 … is 的, and costs what 的 costs).
    return ParsedQuery(raw=raw, groups=_unique(groups), excluded=_unique(excluded))


def _unique(items: list) -> list:
    seen: set[str] = set()
    return [item for item in items if not (repr(item) in seen or seen.add(repr(item)))]


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


def _unquoted_query(text: str, is_word: Callable[[str], bool], boost: float = 1.0):
    """An unquoted term: exact, or through the marks inside a name on the joined stream
    (search.joined), where the exact match does not already find the passage."""
    from whoosh import query as wq

    exact = _text_query(text, is_word, boost)
    if exact is None or not widens(text):
        return exact
    grams = gram_tokens(text)
    literal = wq.Term("grams", grams[0]) if len(grams) == 1 else wq.Phrase("grams", grams)
    joined = wq.Phrase("joined", joined_tokens(text), boost=boost)
    # And with a Not, not AndNot: Whoosh's AndNot lets through a first match that the excluded
    # query also matches (its first step skips nothing). Whoosh scores the Not 1 whatever its
    # boost, so a passage found only through marks scores 1 more here than in search.evaluate.
    return wq.Or([exact, wq.And([joined, wq.Not(literal)])])


def _term_query(term: Term, is_word: Callable[[str], bool]):
    from whoosh import query as wq

    parts = [_text_query(term.text, is_word) if term.phrase else _unquoted_query(term.text, is_word)]
    if term.synonyms:
        # A passage that says both GDP and 地区生产总值 is not twice as relevant: take the best.
        syn_boost = settings.get("synonym_boost")
        alternatives = [q for q in [parts[0], *(_unquoted_query(s, is_word, syn_boost) for s in term.synonyms)] if q]
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

    The engine evaluates queries with ``search.whoosh_index.evaluate`` (numpy over the same postings, several
    times faster); this is the statement of the same semantics in Whoosh's own terms, which
    tests/test_evaluate.py holds the evaluator to, match for match and score for score. Figure
    terms' other forms (search.numbers: 200亿 → 200亿大关) are the evaluator's alone.
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
