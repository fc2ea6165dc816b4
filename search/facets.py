"""Facets: county, year and section, each a small object in one list.

Counts follow one rule: a facet's counts apply every *other* facet's filter but not its own, so a
user who has ticked 云阳 still sees how many 酉阳 would add. Counting is set arithmetic on per-value
document sets built once per index generation (no per-query grouping pass over stored fields).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .documents import SECTIONS
from .errors import UnknownFilter


@dataclass(frozen=True)
class Facet:
    name: str  # request parameter and index field
    label: str  # shown to users
    sort_key: Callable[[str, int], object]  # (value, count) → sort key
    normalize: Callable[[str, "FacetIndex"], str] = lambda v, _: v.strip()


def _normalize_county(value: str, facets: "FacetIndex") -> str:
    value = value.strip()
    return facets.county_aliases.get(value, value)


def _normalize_year(value: str, _facets) -> str:
    return value.strip().removesuffix("年")


FACETS = [
    Facet("county", "区县", sort_key=lambda v, c: (-c, v), normalize=_normalize_county),
    Facet("year", "年份", sort_key=lambda v, c: (-int(v) if v.isdigit() else 0, v), normalize=_normalize_year),
    Facet("section", "部分", sort_key=lambda v, c: (SECTIONS.index(v) if v in SECTIONS else 99, v)),
]
FACETS_BY_NAME = {f.name: f for f in FACETS}


class FacetIndex:
    """Per-value document sets of one index generation."""

    def __init__(self, reader, county_aliases: dict[str, str]):
        self.county_aliases = county_aliases
        self.live = frozenset(reader.all_doc_ids())
        self.values: dict[str, dict[str, frozenset[int]]] = {}
        for facet in FACETS:
            by_value = {}
            for raw in reader.lexicon(facet.name):
                value = raw.decode("utf-8") if isinstance(raw, bytes) else raw
                docs = frozenset(reader.postings(facet.name, value).all_ids()) & self.live
                if docs:
                    by_value[value] = docs
            self.values[facet.name] = by_value

    def resolve(self, filters: dict[str, list[str]]) -> dict[str, list[str]]:
        """Normalize filter values and refuse unknown ones with a list of the known."""
        resolved = {}
        for name, values in filters.items():
            if name not in FACETS_BY_NAME:
                raise UnknownFilter(f"unknown filter '{name}'; use one of: {', '.join(FACETS_BY_NAME)}")
            facet = FACETS_BY_NAME[name]
            known = self.values[name]
            clean = []
            for value in values:
                if value is None or not str(value).strip():
                    continue
                norm = facet.normalize(str(value), self)
                if norm not in known:
                    choices = "、".join(sorted(known, key=lambda v: facet.sort_key(v, len(known[v]))))
                    raise UnknownFilter(f"unknown {facet.label} “{value}”; the index has: {choices}")
                if norm not in clean:
                    clean.append(norm)
            if clean:
                resolved[name] = clean
        return resolved

    def docs_for(self, name: str, values: list[str]) -> frozenset[int]:
        sets = [self.values[name][v] for v in values]
        return frozenset().union(*sets) if sets else self.live

    def filter_set(self, filters: dict[str, list[str]], skip: str | None = None) -> frozenset[int] | None:
        """Documents passing every filter except ``skip``'s; None when nothing filters."""
        result = None
        for name, values in filters.items():
            if name == skip or not values:
                continue
            docs = self.docs_for(name, values)
            result = docs if result is None else result & docs
        return result

    def counts(self, matched: frozenset[int], filters: dict[str, list[str]]) -> dict[str, list[dict]]:
        out = {}
        for facet in FACETS:
            others = self.filter_set(filters, skip=facet.name)
            base = matched if others is None else matched & others
            selected = filters.get(facet.name, [])
            rows = []
            for value, docs in self.values[facet.name].items():
                count = len(base & docs) if len(base) < len(docs) else len(docs & base)
                if count or value in selected:
                    rows.append({"value": value, "count": count, "selected": value in selected})
            rows.sort(key=lambda r: facet.sort_key(r["value"], r["count"]))
            out[facet.name] = rows
        return out
