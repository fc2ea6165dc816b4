"""The query language users type, parsed into terms and groups.

Syntax (nothing else is special, so nothing a user types can cost minutes):

- ``a b``        both terms (AND)
- ``a OR b``     either term
- ``-a``         not a
- ``"a b"`` or “a b”   the exact phrase, literally (no synonyms)

Every term is matched as a substring: a Chinese word of two or more characters is a phrase of
character bigrams (see ``search.text.streams``), and a whole-word match adds a bonus. A term that is a
year (2022, 2022年) also matches passages whose section speaks about that year. A term in the synonym
list (``data/synonyms.tsv``) also searches its synonyms. Each term is compiled as it is read
(``search.query.plan``): the text is folded there, once.
"""

from __future__ import annotations

from functools import lru_cache

from .. import settings
from ..errors import NothingToSearch, QueryError
from ..text.streams import fold
from .plan import QueryPlan, Term, compile_term

QUOTES = {'"': '"', "“": "”", "「": "」"}


@lru_cache(maxsize=1)
def synonym_groups() -> dict[str, tuple[tuple[str, str], ...]]:
    """Folded term -> every (term, folded term) of its line in ``data/synonyms.tsv``."""
    groups: dict[str, tuple[tuple[str, str], ...]] = {}
    path = settings.DATA_DIR / "synonyms.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        terms = tuple((t.strip(), fold(t.strip())) for t in line.split("\t") if t.strip())
        for _, folded in terms:
            groups[folded] = terms
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


def parse(raw: str) -> QueryPlan:
    """The query's plan (``search.query.plan``), or QueryError with what to change.

    Plans are kept per text (and the limits in force), so a query asked again, as a page's second
    query for its facets, paging and reloads do, is not compiled again. A plan is shared: read it,
    never change it."""
    return _compiled(raw or "", settings.get("max_query_chars"), settings.get("max_query_terms"))


@lru_cache(maxsize=4096)
def _compiled(raw: str, max_chars: int, max_terms: int) -> QueryPlan:
    if any(ord(c) < 32 and c not in "\t\n\r" for c in raw):
        raise QueryError("查询中有控制字符：请只输入普通文字")
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
        text = text.strip()
        folded = fold(text)  # the one place a typed term is folded
        synonyms = [] if quoted else [(s, f) for s, f in synonym_groups().get(folded, ()) if f != folded]
        term = compile_term(text, folded, quoted, negated, synonyms)
        if negated:
            excluded.append(term)
        elif join_next and groups:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    if count > max_terms:
        raise QueryError(f"查询有 {count} 个词，最多只能有 {max_terms} 个：请减少关键词")
    if excluded and not groups:
        raise QueryError("查询里只有要排除的词（以 - 开头）：请再加一个要检索的词")
    if raw and not groups:
        # Punctuation or operators alone (，。！？, !!!, -, OR, ""): listing every passage under a
        # heading that names them would answer a question nobody asked.
        raise NothingToSearch(f"查询“{raw}”里没有可检索的词（只有标点或运算符）：请输入要找的词语、数字或字母；"
                         "要浏览全部段落，请清空检索框")
    # A term typed twice searches the same thing once (的 的 的 … is 的, and costs what 的 costs).
    return QueryPlan(raw=raw, groups=_unique(groups), excluded=_unique(excluded))


def _unique(items: list) -> list:
    seen: set[str] = set()
    return [item for item in items if not (repr(item) in seen or seen.add(repr(item)))]
