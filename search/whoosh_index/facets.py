"""Facet counts and filters over the embedded index (the facets themselves: ``search.facets``).

Counting is one ``numpy.bincount`` per facet over value codes built once per index generation (no
per-query grouping pass over stored fields).
"""

from __future__ import annotations

import numpy as np

from ..facets import FACETS, FacetNames, report_facets
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
        self.names_ = FacetNames(reports)
        self._totals_by_facet: dict[str, dict[str, int]] = {}
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
        self._report_codes(reader, reports, report_at)

    # A filter that is not a facet (never counted): a search within one report.
    REPORT_FILTER = "report_id"

    def _report_codes(self, reader, reports: list[dict], report_at: np.ndarray | None) -> None:
        """Each document's report as a code, so that ``report_id`` filters like a facet."""
        rids = [r["id"] for r in reports]
        if report_at is None:
            report_at = np.full(self.size, -1, dtype=np.int32)
            for n, rid in enumerate(rids):
                report_at[term_docs(reader, self.REPORT_FILTER, rid)] = n
        codes = np.where(self.live, report_at, -1).astype(np.int32)
        self.names[self.REPORT_FILTER], self.codes[self.REPORT_FILTER] = rids, codes
        self.index[self.REPORT_FILTER] = {rid: n for n, rid in enumerate(rids)}

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

    def resolve(self, filters: dict[str, list[str]]) -> dict[str, list[str]]:
        """Normalize filter values and refuse unknown ones with a list of the known."""
        return self.names_.resolve(filters, self._totals)

    def _totals(self, name: str) -> dict[str, int]:
        """Every value of a facet with its passage count, counted once per generation: resolving
        runs on every search, and a bincount over every passage per filter value cost a warm
        search ten times its time at 50x."""
        found = self._totals_by_facet.get(name)
        if found is None:
            counts = np.bincount(self.codes[name][self.live], minlength=len(self.names[name]))
            found = self._totals_by_facet[name] = {v: int(counts[i]) for v, i in self.index[name].items()}
        return found

    def label(self, name: str, value: str) -> str:
        return self.names_.label(name, value)

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
