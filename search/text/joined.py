"""Unquoted terms see through the marks inside a name: 零碳供电所 finds 建成全市首座“零碳”供电所.

Reports quote, bracket and dot the parts of a name (“零碳”供电所, 两岸青山·千里林带, 渝昆高铁（渝宜段）,
一、二、三产业), and the bigram stream (``search.text.streams``) has no bigram across a mark, so a typed
term missed them. A third stream, ``joined``, holds the bigrams of the text *as if those marks and
spaces were not there*, but only for the stretches where that changes anything: a run of words
joined across at least one such mark. Everywhere else the bigram stream already matches the same
way, so the stream stays small (measured in the branch note: most passages have no such stretch).

Only marks that sit *inside* a name join: quotes, brackets, dots, dashes, slashes, spaces, and 、
next to a single character (一、二、三产业, not the list 教育、医疗). Clause breaks (，。；：！？) never do, so 城镇新增就业 is not found across “…城镇。新增就业…”.
A term of two characters is one bigram and is not widened: 县城、市场 is not a match for 城市.

A quoted phrase never uses this stream: it stays as literal as before.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .streams import _CJK, _STREAM_RE, fold

# Folded forms (NFKC: （ → "(", ［ → "[") of the marks that may stand inside a name.
JOINING_MARKS = "“”‘’\"'「」『』《》〈〉()[]【】〔〕{}·•・‧、—–-~/"
_JOINING = set(JOINING_MARKS)
# Two word characters with only marks that join, or spaces, between them: where a stretch may be
# bridged. Without one, the joined stream is empty, and a regex says so faster than _segments.
_BRIDGE_RE = re.compile(rf"[{_CJK}0-9a-z](?:[{re.escape(JOINING_MARKS)}]|\s)+[{_CJK}0-9a-z]")
MIN_CHARS = 3  # a term needs this many characters to see through marks (two would be one bigram)


def _segments(text: str, split_lists: bool = True):
    """Yield runs of word tokens joined by marks inside a name: lists of (kind, text, start, end)
    plus whether a mark or space stood between two of them."""
    run, bridged, gap = [], False, ""
    for m in _STREAM_RE.finditer(text):
        kind, token = m.lastgroup, m.group()
        if kind in ("cjk", "latin"):
            # 、 separates the items of a list (教育、医疗); it is inside a name only next to a
            # single character (一、二、三产业), which is also far less to index.
            if split_lists and run and "、" in gap and len(run[-1][1]) > 1 and len(token) > 1:
                yield run, bridged
                run, bridged = [], False
            elif run and gap:
                bridged = True
            run.append((kind, token, m.start(), m.end()))
            gap = ""
        elif kind == "space" or token in _JOINING:
            gap += token
        else:
            yield run, bridged
            run, bridged, gap = [], False, ""
    yield run, bridged


def _run_tokens(run):
    """The bigram stream of one run with its marks removed: CJK characters on both sides of a mark
    make one run of bigrams; Latin/number runs stay whole tokens."""
    chars: list[tuple[str, int]] = []  # pending CJK characters and their offsets

    def flush():
        if len(chars) == 1:
            yield chars[0][0], chars[0][1], chars[0][1] + 1
        for (a, i), (b, j) in zip(chars, chars[1:]):
            yield a + b, i, j + 1
        chars.clear()

    for kind, text, start, _end in run:
        if kind == "cjk":
            chars.extend((c, start + k) for k, c in enumerate(text))
        else:
            yield from flush()
            yield text, start, start + len(text)
    yield from flush()


def joined_stream(text: str):
    """Yield (token, start, end) of already-folded text for the joined stream, and None between
    runs (a position gap, so no phrase spans two runs)."""
    if not _BRIDGE_RE.search(text):  # most passages: no word, mark or space, word
        return
    for run, bridged in _segments(text):
        if bridged:
            yield from _run_tokens(run)
            yield None


def joined_tokens(text: str) -> list[str]:
    """A term's tokens on the joined stream (its own marks and spaces ignored)."""
    return joined_list(fold(text))


def joined_list(folded: str) -> list[str]:
    """``joined_tokens`` of already-folded text."""
    return [t for run, _ in _segments(folded, split_lists=False) for t, _, _ in _run_tokens(run)]


def widening(tokens: list[str]) -> bool:
    """Whether an unquoted term with these joined-stream tokens is also looked up on that stream."""
    return len(tokens) >= 2 and sum(len(t) for t in tokens) >= MIN_CHARS


def widens(text: str) -> bool:
    """Whether an unquoted term is also looked up on the joined stream."""
    return widening(joined_tokens(text))


# -- marking ---------------------------------------------------------------------------------------

_GAP = "(?:[" + re.escape(JOINING_MARKS) + r"]|\s)*"


class LooseNeedle(str):
    """A folded term to mark where it matched through marks and spaces (an unquoted term)."""


def _latin(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == ".")


@lru_cache(maxsize=4096)  # a query's needles, asked for every passage highlighted or reranked
def loose_pattern(needle: str) -> re.Pattern:
    """The needle with marks and spaces allowed between its characters (not inside a number)."""
    parts = [re.escape(needle[0])]
    for a, b in zip(needle, needle[1:]):
        parts.append(re.escape(b) if _latin(a) and _latin(b) else _GAP + re.escape(b))
    return re.compile("".join(parts))


def loose_spans(folded: str, needle: str) -> list[tuple[int, int]]:
    """Where the needle stands in folded text, marks inside it included in the span."""
    squeezed = "".join(c for c in needle if not c.isspace() and c not in _JOINING)
    if not squeezed or squeezed[0] not in folded:  # most reranked passages hold a term's synonyms, not it
        return []
    spans = []
    for m in loose_pattern(squeezed).finditer(folded):
        s, e = m.span()
        before = folded[s - 1] if s else " "
        after = folded[e] if e < len(folded) else " "
        # Latin and numbers are whole tokens: gdp is not marked inside gdpr, 4.7 not inside 14.7.
        if (_latin(squeezed[0]) and _latin(before)) or (_latin(squeezed[-1]) and _latin(after)):
            continue
        spans.append((s, e))
    return spans
