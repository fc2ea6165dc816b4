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


class FacetNames:
    """What users may type for a place or province and how each value is shown, from the reports
    alone: the same in every backend."""

    def __init__(self, reports: list[dict]):
        owners: dict[str, set[str]] = {}
        for r in reports:
            place = r.get("place") or r["county_full"]
            # The division's own name: 重庆市酉阳土家族苗族自治县 without its province (and city).
            name = place.removeprefix(r.get("province") or "").removeprefix(r.get("city") or "")
            for alias in (r["county"], r["county_full"], place, r.get("place_short"), name):
                if alias:
                    owners.setdefault(alias, set()).add(place)
        self.place_aliases = {a: next(iter(p)) for a, p in owners.items() if len(p) == 1}
        self.ambiguous = {a: sorted(p) for a, p in owners.items() if len(p) > 1}
        shorts = {}
        for r in reports:
            place = r.get("place") or r["county_full"]
            short = r.get("place_short") or r["county"]
            shorts[place] = short if short not in self.ambiguous else place
        self.province_aliases = {}
        for r in reports:
            province = r.get("province") or r.get("place") or ""
            if province:
                self.province_aliases[province] = province
                self.province_aliases[PROVINCE_SUFFIX.sub("", province) or province] = province
        self.labels = {"place": shorts, "year": {}, "section": {}, "level": {}, "province": {}}

    def label(self, name: str, value: str) -> str:
        """How a facet value is shown: 云阳 for 重庆市云阳县 (unless another place is also 云阳), 2023年."""
        if name == "year":
            return f"{value}年"
        return self.labels.get(name, {}).get(value, value)

    def resolve(self, filters: dict[str, list[str]], totals: Callable[[str], dict[str, int]]) -> dict[str, list[str]]:
        """Normalize filter values and refuse unknown ones with a list of the known. ``totals(name)``:
        every value the index holds for a facet, with its passage count."""
        resolved = {}
        for name, values in filters.items():
            if name not in FACETS_BY_NAME:
                raise UnknownFilter(f"没有“{name}”这种筛选条件：可用的有 {'、'.join(FACETS_BY_NAME)}")
            facet = FACETS_BY_NAME[name]
            clean = []
            for value in values:
                if value is None or not str(value).strip():
                    continue
                norm = facet.normalize(str(value), self)
                known = totals(name)
                if norm not in known:
                    choices = sorted(known, key=lambda v: facet.sort_key(v, known[v]))
                    shown = "、".join(self.label(name, c) for c in choices[:30]) + ("…" if len(choices) > 30 else "")
                    raise UnknownFilter(f"索引中没有{facet.label}“{value}”；现有的{facet.label}：{shown}",
                                        code=UNKNOWN_VALUE_CODES.get(name))
                if norm not in clean:
                    clean.append(norm)
            if clean:
                resolved[name] = clean
        return resolved

    def rows(self, name: str, totals: dict[str, int], selected: list[str], limit: int) -> list[dict]:
        """A facet's listed values: the ``limit`` largest with a count (ties in value order), plus
        every selected value, in the facet's order."""
        facet = FACETS_BY_NAME[name]
        nonzero = sorted((v for v, c in totals.items() if c), key=lambda v: (-totals[v], v))[:limit]
        shown = set(nonzero) | set(selected)
        rows = [{"value": v, "label": self.label(name, v), "count": int(totals.get(v, 0)), "selected": v in selected}
                for v in shown]
        rows.sort(key=lambda r: facet.sort_key(r["value"], r["count"]))
        return rows
