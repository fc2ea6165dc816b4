"""Figures in a query are terms: 200亿 finds 200亿元 and 200亿大关, 2万亿元 finds 20000亿元.

An unquoted term that holds a number with a scale (万, 亿, 万亿) or a unit (元, %, 个百分点, 万人 …,
the units of ``search.figures.extraction``) is a *figure term*. Besides its literal match it matches:

- the same amount in every other scale: 2万亿元 = 20000亿元 = 200000000万元 (forms with more than
  four decimals or thirteen digits are not written by anyone and are not looked up);
- the unit's other spellings (百分点 = 个百分点, 千米 = 公里);
- with a scale and no unit (200亿), whatever follows the scale: 200亿元, 200亿大关, 200亿， but not
  200万亿 for 200万;
- with words in front (增长5.5%, 突破200亿), the figure a few tokens after those words (增长了5.5%,
  同比增长 5.5%, 分别增长4.1%、5.5%), in the same passage.

A number stays a whole token, so 5.5% never matches 15.5% and 200亿 never 1200亿. A bare number
(2022, 4.7) is not a figure term: it is searched as typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import numpy as np

from ..text.streams import fold, gram_tokens
from ..figures.extraction import UNITS
from ..whoosh_index.match_sets import Scored

SCALES = {"": 1, "万": 10**4, "亿": 10**8, "万亿": 10**12}
NEAR_TOKENS = 8  # how far after the words in front the figure may stand (分别增长4.1%、6.2%、5.3%)
MAX_DECIMALS, MAX_DIGITS = 4, 13


@lru_cache(maxsize=1)
def _base_units() -> dict[str, tuple[str, ...]]:
    """Each unit without a scale, and its spellings that mean the same (from search.figures)."""
    bases = {}
    for raw, (normal, factor) in UNITS.items():
        if raw[0] in "万亿" and raw[1:] in UNITS:  # 万元, 亿千瓦时: a scale and a unit
            continue
        if factor == 1:
            bases.setdefault(fold(normal), set()).add(fold(raw))
    out = {}
    for spellings in bases.values():
        for s in spellings:
            out[s] = tuple(sorted(spellings, key=lambda x: (x != s, x)))
    return out


def _scalable(unit: str) -> bool:
    """Whether reports write the unit with 万 or 亿 in front (万元, 万人; not 万%, 万个百分点)."""
    return any(f"{scale}{spelling}" in UNITS for spelling in _base_units()[unit] for scale in ("万", "亿"))


@lru_cache(maxsize=1)
def _figure_re() -> re.Pattern:
    units = "|".join(map(re.escape, sorted(_base_units(), key=len, reverse=True)))
    return re.compile(rf"^(?P<before>.*?)(?<![0-9a-z.])(?P<num>\d+(?:\.\d+)?)(?P<scale>万亿|亿|万)?(?P<unit>{units})?$")


@dataclass(frozen=True)
class FigureTerm:
    before: str  # words in front of the figure (增长), or ""
    forms: tuple[tuple[tuple[str, ...], ...], ...]  # per form, per position: a token or a prefix
    surfaces: tuple[str, ...]  # how the figure may be written, to mark it


def _number_text(value: Decimal) -> str | None:
    text = format(value.normalize(), "f")
    whole, _, decimals = text.partition(".")
    if len(decimals) > MAX_DECIMALS or len(whole) > MAX_DIGITS or value == 0:
        return None
    return text


def parse_figure(text: str) -> FigureTerm | None:
    """The figure term a typed term is, or None (no scale and no unit: searched as typed)."""
    m = _figure_re().match(fold(text).replace(",", ""))
    if not m or not (m.group("scale") or m.group("unit")):
        return None
    try:
        amount = Decimal(m.group("num")) * SCALES[m.group("scale") or ""]
    except InvalidOperation:
        return None
    unit = m.group("unit") or ""
    forms, surfaces = [], []
    for scale, size in SCALES.items():
        number = _number_text(amount / size)
        if number is None or (not unit and not scale) or (unit and scale and not _scalable(unit)):
            continue
        for spelling in _base_units().get(unit, ("",)):
            surface = f"{number}{scale}{spelling}"
            tokens = gram_tokens(surface)
            form = [(t,) for t in tokens]
            if not unit:
                # The scale is the start of whatever bigram follows the number: 亿元, 亿大 (亿 alone
                # before a mark). 万 must not be the start of 万亿.
                form = [(number,), ("*" + scale[-1], *(("!" + scale[-1] + "亿",) if scale == "万" else ()))]
                if scale == "万亿":
                    form = [(number,), ("万亿",)]
            forms.append(tuple(form))
            surfaces.append(surface)
    return FigureTerm(m.group("before"), tuple(forms), tuple(surfaces)) if forms else None


def figure_needles(text: str) -> list[str]:
    """What to mark for a figure term: each way the figure may be written, and the words in front."""
    figure = parse_figure(text)
    if figure is None:
        return []
    return [*figure.surfaces, *([fold(figure.before)] if figure.before else [])]


# -- evaluation ------------------------------------------------------------------------------------


def _alternatives(evaluator, item: tuple[str, ...]) -> list[str]:
    """The indexed tokens one position of a form stands for: a token, or the bigrams a prefix starts."""
    first = item[0]
    if not first.startswith("*"):
        return list(item)
    excluded = {x[1:] for x in item[1:]}
    with evaluator.lock:
        expanded = [t.decode("utf-8") if isinstance(t, bytes) else t
                    for t in evaluator.reader.expand_prefix("grams", first[1:])]
    return [t for t in expanded if t not in excluded]


def _starts(evaluator, positions: list[list[str]], work) -> tuple[dict[int, set[int]], dict[int, float]]:
    """Per document, where a sequence of positions (each any of its tokens) starts, and its score:
    the BM25 of fixed tokens, a constant 1 for a prefix (as Whoosh scores a prefix)."""
    per_position = []
    for tokens in positions:
        found = [(t, p) for t in tokens if (p := evaluator.postings("grams", t, work)) is not None]
        if not found:
            return {}, {}
        per_position.append(found)
    docs = None
    for found in per_position:
        d = np.unique(np.concatenate([p.docs for _, p in found]))
        docs = d if docs is None else np.intersect1d(docs, d, assume_unique=True)
    starts: dict[int, set[int]] = {}
    scores: dict[int, float] = {}
    for doc in docs.tolist():
        candidates = None
        score = 0.0
        for j, found in enumerate(per_position):
            here = set()
            for token, p in found:
                i = int(np.searchsorted(p.docs, doc))
                if i < len(p.docs) and p.docs[i] == doc:
                    here.update(pos - j for pos in p.positions(i))
                    if len(found) == 1:
                        score += float(evaluator._bm25("grams", token, p, np.array([i]))[0])
            if len(found) > 1:
                score += 1.0
            candidates = here if candidates is None else candidates & here
            if not candidates:
                break
        if candidates:
            starts[doc], scores[doc] = candidates, score
    return starts, scores


def evaluate(evaluator, figure: FigureTerm, work, boost: float = 1.0):
    """Passages where the figure term matches, scored like a phrase of its tokens."""
    found: dict[int, tuple[set[int], float]] = {}
    for form in figure.forms:
        starts, scores = _starts(evaluator, [_alternatives(evaluator, item) for item in form], work)
        for doc, s in starts.items():
            old = found.get(doc)
            found[doc] = (s | old[0], max(scores[doc], old[1])) if old else (s, scores[doc])
    if figure.before and found:
        words = gram_tokens(figure.before)
        before, before_scores = _starts(evaluator, [[t] for t in words], work)
        near = {}
        for doc, (fig_starts, score) in found.items():
            ends = {s + len(words) for s in before.get(doc, ())}
            if any(0 <= f - e <= NEAR_TOKENS for f in fig_starts for e in ends):
                near[doc] = (fig_starts, score + before_scores[doc])
        found = near
    docs = np.array(sorted(found), dtype=np.int64)
    return Scored(docs, np.array([found[d][1] * boost for d in docs.tolist()], dtype=np.float64))
