"""Facet counts and filters over the embedded index (the facets themselves: ``search.facets``).

Counting is one ``numpy.bincount`` per facet over value codes built once per index generation (no
per-query grouping pass over stored fields).
"""

from __future__ import annotations

import numpy as np

from ..errors import UnknownFilter
from ..facets import FACETS, FACETS_BY_NAME, PROVINCE_SUFFIX, UNKNOWN_VALUE_CODES, report_facets
from .arrays import live_mask, term_docs


class FacetIndex:
    """Per-facet value codes of one index generation, one small integer per document.

    Every passage has exactly one county, year and section, so a facet is an array ``codes`` with
    the value's number for each docnum (-1 for deleted documents), and counting a facet over any
    set of documents is one ``bincount``: no per-value set intersections, whatever the number of
    counties.
    """

    def __init__(self, reader, reports: list[dict], live: np.ndarray | None = None,
                 report_at: np.ndarray | None = None):
        """``live``: the live docnums (``index_arrays.live_mask``); ``report_at``: each docnum's
        report, an index into ``reports`` (-1 for none). With it, the facets that belong to the
        report (place, province, level) come from the reports, without reading their postings:
        at 436,000 passages those were a thousand postings lists read at every open."""
        self._aliases(reports)
        self.size = reader.doc_count_all()
        self.live = live_mask(reader) if live is None else live
        self.names: dict[str, list[str]] = {}
        self.codes: dict[str, np.ndarray] = {}
        self.index: dict[str, dict[str, int]] = {}
        for facet in FACETS:
            if report_at is not None and self._from_reports(facet.name, reports, report_at):
                continue
            codes = np.full(self.size, -1, dtype=np.int32)
            names = []
            for raw in reader.lexicon(facet.name):
                value = raw.decode("utf-8") if isinstance(raw, bytes) else raw
                docs = term_docs(reader, facet.name, value)
                docs = docs[self.live[docs]]
                if len(docs):
                    codes[docs] = len(names)
                    names.append(value)
            self.names[facet.name] = names
            self.codes[facet.name] = codes
            self.index[facet.name] = {v: i for i, v in enumerate(names)}

    REPORT_FACETS = ("place", "province", "level")  # what a passage takes from its report

    def _from_reports(self, name: str, reports: list[dict], report_at: np.ndarray) -> bool:
        """Set a report's facet from the reports; False when it cannot be (an older index's meta)."""
        live_at = report_at[self.live]
        if name not in self.REPORT_FACETS or not len(reports) or (live_at < 0).any() \
                or not all("place" in r and "level" in r for r in reports):
            return False
        values = [report_facets(r["place"], r.get("province"), r["level"])[name] for r in reports]
        present = np.zeros(len(reports), dtype=bool)
        present[live_at] = True
        names = sorted({v for v, p in zip(values, present.tolist()) if p})  # as the lexicon orders them
        index = {v: i for i, v in enumerate(names)}
        per_report = np.array([index.get(v, -1) for v in values], dtype=np.int32)
        codes = np.full(self.size, -1, dtype=np.int32)
        codes[self.live] = per_report[live_at]
        self.names[name], self.codes[name], self.index[name] = names, codes, index
        return True

    def _aliases(self, reports: list[dict]) -> None:
        """What users may type for a place or province, and what each value is shown as."""
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

    def resolve(self, filters: dict[str, list[str]]) -> dict[str, list[str]]:
        """Normalize filter values and refuse unknown ones with a list of the known."""
        resolved = {}
        for name, values in filters.items():
            if name not in FACETS_BY_NAME:
                raise UnknownFilter(f"没有“{name}”这种筛选条件：可用的有 {'、'.join(FACETS_BY_NAME)}")
            facet = FACETS_BY_NAME[name]
            known = self.index[name]
            clean = []
            for value in values:
                if value is None or not str(value).strip():
                    continue
                norm = facet.normalize(str(value), self)
                if norm not in known:
                    totals = np.bincount(self.codes[name][self.live], minlength=len(known))
                    choices = sorted(known, key=lambda v: facet.sort_key(v, int(totals[known[v]])))
                    shown = "、".join(self.label(name, c) for c in choices[:30]) + ("…" if len(choices) > 30 else "")
                    raise UnknownFilter(f"索引中没有{facet.label}“{value}”；现有的{facet.label}：{shown}",
                                        code=UNKNOWN_VALUE_CODES.get(name))
                if norm not in clean:
                    clean.append(norm)
            if clean:
                resolved[name] = clean
        return resolved

    def _wanted(self, name: str, values: list[str]) -> np.ndarray:
        """Per code of the facet (and -1, in the extra last slot): whether it is one of ``values``."""
        wanted = np.zeros(len(self.names[name]) + 1, dtype=bool)
        wanted[[self.index[name][v] for v in values]] = True
        return wanted

    def mask(self, name: str, values: list[str]) -> np.ndarray:
        return self._wanted(name, values)[self.codes[name]]

    def filter_mask(self, filters: dict[str, list[str]]) -> np.ndarray | None:
        """Documents passing every filter; None when nothing filters."""
        result = None
        for name, values in filters.items():
            if not values:
                continue
            docs = self.mask(name, values)
            result = docs if result is None else result & docs
        return result

    def counts(self, matched: np.ndarray, filters: dict[str, list[str]], limit: int = 30) -> dict[str, list[dict]]:
        """Counts per facet value over ``matched`` (a boolean mask over all documents, or the
        ascending docnums matched), each facet ignoring its own filter: the ``limit`` largest
        values with a count, plus every selected value. Filters are applied to the matched
        documents only: a query matching a few thousand of 400,000 passages no longer pays for
        masks over them all."""
        docs = np.flatnonzero(matched) if matched.dtype == bool else matched
        wanted = {name: self._wanted(name, values) for name, values in filters.items() if values}
        out = {}
        for facet in FACETS:
            base = docs
            for name, keep in wanted.items():
                if name != facet.name:
                    base = base[keep[self.codes[name][base]]]
            names = self.names[facet.name]
            codes = self.codes[facet.name][base]
            totals = np.bincount(codes[codes >= 0], minlength=len(names))
            selected = filters.get(facet.name, [])
            nonzero = np.flatnonzero(totals)
            if len(nonzero) > limit:
                # With a thousand counties only the largest are worth listing (and rendering); the
                # ticked ones always stay, so a user can untick them.
                nonzero = nonzero[np.argsort(-totals[nonzero], kind="stable")[:limit]]
            shown = {names[i] for i in nonzero} | set(selected)
            rows = [{"value": v, "label": self.label(facet.name, v),
                     "count": int(totals[self.index[facet.name][v]]), "selected": v in selected}
                    for v in shown]
            rows.sort(key=lambda r: facet.sort_key(r["value"], r["count"]))
            out[facet.name] = rows
        return out
