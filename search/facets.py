"""Facets: place (地区), province, level of government, year and section, each a small object in one list.

Counts follow one rule, in every backend: a facet's counts apply every *other* facet's filter but
not its own, so a user who has ticked 云阳 still sees how many 酉阳 would add. A facet's ``normalize``
turns what a user typed into the indexed value, with the aliases its backend knows
(``FacetIndex.place_aliases``, ``ambiguous``, ``province_aliases``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from .documents import LEVELS, SECTIONS
from .errors import UnknownFilter


def report_facets(place: str, province: str | None, level: str) -> dict[str, str]:
    """The facet values a passage takes from its report: a province's own report (and the national
    one) is its own province."""
    return {"place": place, "province": province or place, "level": level}


@dataclass(frozen=True)
class Facet:
    name: str  # request parameter and index field
    label: str  # shown to users
    sort_key: Callable[[str, int], object]  # (value, count) → sort key
    normalize: Callable[[str, object], str] = lambda v, _: v.strip()  # (value, the aliases)


def _normalize_place(value: str, facets) -> str:
    """云阳, 云阳县 or 重庆市云阳县 → 重庆市云阳县; a short name that two places share is refused."""
    value = value.strip()
    if value in facets.ambiguous:
        names = "、".join(facets.ambiguous[value])
        raise UnknownFilter(f"地区“{value}”不止一个：{names}；请写全称。", code="ambiguous_place")
    return facets.place_aliases.get(value, value)


PROVINCE_SUFFIX = re.compile(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$")


def _normalize_province(value: str, facets) -> str:
    value = value.strip()
    return facets.province_aliases.get(value, value)


def _normalize_year(value: str, _facets) -> str:
    return value.strip().removesuffix("年")


FACETS = [
    Facet("place", "地区", sort_key=lambda v, c: (-c, v), normalize=_normalize_place),
    Facet("province", "省份", sort_key=lambda v, c: (-c, v), normalize=_normalize_province),
    Facet("level", "层级", sort_key=lambda v, c: (LEVELS.index(v) if v in LEVELS else 99, v)),
    Facet("year", "年份", sort_key=lambda v, c: (-int(v) if v.isdigit() else 0, v), normalize=_normalize_year),
    Facet("section", "部分", sort_key=lambda v, c: (SECTIONS.index(v) if v in SECTIONS else 99, v)),
]
FACETS_BY_NAME = {f.name: f for f in FACETS}
# The error code of a value the index does not have, for programs (``UnknownFilter.code``).
UNKNOWN_VALUE_CODES = {"place": "unknown_place", "province": "unknown_province", "level": "unknown_level",
                       "year": "unknown_year", "section": "unknown_section"}
