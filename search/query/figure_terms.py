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

from ..text.streams import fold, gram_list
from ..figures.extraction import UNITS

SCALES = {"": 1, "万": 10**4, "亿": 10**8, "万亿": 10**12}
NEAR_TOKENS = 8  # how far after the words in front the figure may stand (分别增长4.1%、6.2%、5.3%)
MAX_DECIMALS, MAX_DIGITS = 4, 13


@lru_cache(maxsize=1)
def _base_units() -> dict[str, tuple[str, ...]]:
    """Each unit without a scale, and its spellings that mean the same (from search.figures.extraction)."""
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
    before_grams: tuple[str, ...] = ()  # the words in front on the bigram stream

    @property
    def needles(self) -> list[str]:
        """What to mark: each way the figure may be written, and the words in front."""
        return [*self.surfaces, *([self.before] if self.before else [])]


def _number_text(value: Decimal) -> str | None:
    text = format(value.normalize(), "f")
    whole, _, decimals = text.partition(".")
    if len(decimals) > MAX_DECIMALS or len(whole) > MAX_DIGITS or value == 0:
        return None
    return text


def parse_figure(folded: str) -> FigureTerm | None:
    """The figure term a (folded) typed term is, or None (no scale and no unit: searched as typed)."""
    m = _figure_re().match(folded.replace(",", ""))
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
            tokens = gram_list(surface)
            form = [(t,) for t in tokens]
            if not unit:
                # The scale is the start of whatever bigram follows the number: 亿元, 亿大 (亿 alone
                # before a mark). 万 must not be the start of 万亿.
                form = [(number,), ("*" + scale[-1], *(("!" + scale[-1] + "亿",) if scale == "万" else ()))]
                if scale == "万亿":
                    form = [(number,), ("万亿",)]
            forms.append(tuple(form))
            surfaces.append(surface)
    before = m.group("before")
    return FigureTerm(before, tuple(forms), tuple(surfaces), tuple(gram_list(before))) if forms else None
