"""Near matches: a passage that says nearly what a term says, found after every exact match.

Reports name one thing several ways: 城镇新增就业 and 城镇新就业, 抽水蓄能电站 and 抽水蓄能,
研发投入强度 and 研发经费投入强度. A Chinese term of three or more characters is a chain of
character bigrams; a passage *nearly* says it where enough of those bigrams stand in the term's
order with the same spacing, give or take ``MAX_SHIFT`` characters:

- at least ``MIN_SHARE`` of the term's bigrams, never fewer than two, covering at least
  ``MIN_CHARS`` of its characters (城镇新增就业: 城镇 镇新 … 就业, 3 of 5 with one character dropped; 抽水蓄能电站: 抽水 水蓄 蓄能,
  3 of 5, the head without its suffix; 研发投入强度: 研发 … 投入 入强 强度, 4 of 5 with two
  characters inserted);
- every step between two of them, and the whole stretch, at most ``MAX_SHIFT`` characters longer
  or shorter than in the term;
- starting with the term's first bigram: the head names what is measured, so 居民人均可支配收入
  is not near 农村居民人均可支配收入 (a qualified indicator is a different indicator);
- ending with its last bigram when that names a measure (利润, 产值, 强度, 就业 …): 规上工业 is not
  near 规上工业利润, while 抽水蓄能 is near 抽水蓄能电站.

A term of fewer than four characters has no near matches (two characters are one bigram, and
three share too little with anything else to be nearly said); a quoted phrase, a figure or a
term with Latin letters neither. Near matches rank below every exact match (the engine puts them in
a tier of their own) and say ``match: "near"``. A term's synonyms are nearly matched too.

Positions are token positions on the bigram stream, which inside a run of Chinese characters are
character offsets too, so the same chain rule marks the stretch on the page (``near_spans``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from math import ceil

from ..text.streams import CJK_RE, fold, gram_list, is_cjk
from ..figures.indicators import known_indicators

MIN_SHARE = 0.6
MAX_SHIFT = 2
_CJK_RUN = re.compile(f"{CJK_RE.pattern}+")
MEASURES = ("利润", "增速", "比重", "占比", "总量", "人数", "面积", "税收", "营收")
MIN_CHARS = 4  # of the term, and of it in the passage: 居民收入 is not near 农民收入 (3 shared)


@lru_cache(maxsize=1024)
def near_grams(folded: str) -> tuple[str, ...] | None:
    """The bigrams a (folded) term is nearly matched by, or None when it gets no near matches."""
    if len(folded) < MIN_CHARS or not is_cjk(folded):
        return None
    return tuple(gram_list(folded))


def chain_is_near(grams: tuple[str, ...], chain: tuple[int, ...]) -> bool:
    # The head stays: what stands in front names what is measured (农村居民人均可支配收入 is not
    # 居民人均可支配收入; a qualified indicator is a different one).
    # The tail stays too when it names a measure: 规上工业 says nothing about 规上工业利润, while
    # 抽水蓄能 still names 抽水蓄能电站.
    covered = {c for i in chain for c in (i, i + 1)}
    keeps_tail = grams[-1] not in measure_tails() or chain[-1] == len(grams) - 1
    return bool(chain) and chain[0] == 0 and keeps_tail \
        and len(chain) >= max(2, ceil(MIN_SHARE * len(grams))) and len(covered) >= MIN_CHARS


@lru_cache(maxsize=1)
def measure_tails() -> frozenset[str]:
    """Last two characters that name what an indicator measures: those of the indicator list
    (收入, 产值, 强度, 就业, 业率 …) and MEASURES."""
    tails = {fold(name[-2:]) for name in known_indicators() if is_cjk(name[-2:])}
    return frozenset(tails | set(MEASURES))


def best_chain(hits: list[tuple[int, int]]) -> tuple[tuple[int, ...], int, int]:
    """hits: (bigram index in the term, position in the text). The longest chain that keeps the
    term's order and spacing within MAX_SHIFT: (its bigram indices, first position, last position)."""
    hits = sorted(set(hits), key=lambda h: (h[1], h[0]))
    # chains[k] = (indices, start position) of the best chain ending at hits[k]
    chains: list[tuple[tuple[int, ...], int]] = []
    best: tuple[tuple[int, ...], int, int] = ((), 0, 0)
    for k, (i, p) in enumerate(hits):
        chain, p0 = (i,), p
        for j in range(k):
            (pi, pp), (prev, pp0) = hits[j], chains[j]
            if pi < i and pp < p and abs((p - pp) - (i - pi)) <= MAX_SHIFT \
                    and abs((p - pp0) - (i - prev[0])) <= MAX_SHIFT and len(prev) + 1 > len(chain):
                chain, p0 = (*prev, i), pp0
        chains.append((chain, p0))
        if len(chain) > len(best[0]):
            best = (chain, p0, p)
    return best


def _occurrences(text: str, gram: str):
    at = text.find(gram)
    while at >= 0:
        yield at
        at = text.find(gram, at + 1)


def near_spans(folded: str, grams: tuple[str, ...] | None) -> list[tuple[int, int]]:
    """Character spans of folded text that nearly say a term of these bigrams (``near_grams``),
    each inside one run of Chinese characters (教育、医疗 does not nearly say 教育医疗)."""
    if grams is None:
        return []
    spans = []
    for run in _CJK_RUN.finditer(folded):
        text, offset = run.group(), run.start()
        hits = [(i, at) for i, g in enumerate(grams) for at in _occurrences(text, g)]
        while hits:
            chain, first, last = best_chain(hits)
            if not chain_is_near(grams, chain):
                break
            spans.append((offset + first, offset + last + 2))
            hits = [h for h in hits if not first <= h[1] <= last]
    return spans


class NearNeedle(str):
    """A folded term to mark where a near match nearly says it, with its bigrams."""

    def __new__(cls, folded: str, grams: tuple[str, ...] | None = None):
        needle = super().__new__(cls, folded)
        needle.grams = near_grams(folded) if grams is None else grams
        return needle
