"""The orders a search may be read in and the report it may be within: ``search(sort=…, report=…)``.

``year`` and ``place`` orders are groups of one facet value each, in the order's sequence, each group
in relevance order (``sort_groups`` gives the groups and their sizes, from the facet counts, so a page
reads only the groups it overlaps). A search within a report is a filter on the report's id
(``REPORT_FILTER``), which is a stored field, not a facet: it is taken out again before the result's
``filters`` and suggestions are shown.
"""

from __future__ import annotations

from .backend import Snapshot
from .errors import UnknownReport, UnknownSort

# What ``search(sort=…)`` takes, and how the site names each order.
SORTS = {"relevance": "相关度", "year": "最新年份在前", "place": "地区"}
# The filter a backend applies for ``search(report=…)``: its stored field, not a facet.
REPORT_FILTER = "report_id"
ALL_VALUES = 10**9  # a facet limit that lists every value


def sort_groups(snap: Snapshot, matches, filters: dict, sort: str) -> list[tuple[str, int]]:
    """(value, matched passages) of the sort's facet in the sort's order: years newest first,
    places by division code (the national code first, then province by province), then name."""
    selected = set(filters.get(sort, ()))
    # A facet's counts ignore its own filter: keep the values the filter selects.
    counts = [(row["value"], row["count"]) for row in matches.facets(ALL_VALUES)[sort]
              if row["count"] and (not selected or row["value"] in selected)]
    if sort == "year":
        return sorted(counts, key=lambda vc: -int(vc[0]) if vc[0].isdigit() else 0)
    codes = {r.get("place") or r["county_full"]: r.get("adcode") or "" for r in snap.reports.values()}
    return sorted(counts, key=lambda vc: (not codes.get(vc[0]), codes.get(vc[0], ""), vc[0]))


def check_sort(sort: str | None) -> str:
    if sort is None or not sort.strip():
        return "relevance"
    if sort.strip() not in SORTS:
        shown = "、".join(f"{name}（{label}）" for name, label in SORTS.items())
        raise UnknownSort(f"不能按“{sort}”排序；可以按：{shown}")
    return sort.strip()


def check_report(snap: Snapshot, report_id: str | None) -> dict | None:
    """The report a search is within (id, title, place, year), or None; an unknown id is refused."""
    if report_id is None or not report_id.strip():
        return None
    report = snap.reports.get(report_id.strip())
    if report is None:
        raise UnknownReport(f"索引中没有编号为“{report_id}”的报告：报告编号见报告页的网址（/reports/编号），"
                            "索引重建后编号可能会变")
    return {"id": report_id.strip(), "title": report["title"], "place": report.get("place") or report["county_full"],
            "year": report.get("year")}


def within_report(suggestion: dict, searched: dict | None = None) -> dict:
    """A suggestion with the report it stays within under ``report``, as ``search`` takes it. One
    that leaves the report the search (its resolved ``searched`` filters) was within says so."""
    filters = dict(suggestion["filters"])
    report = filters.pop(REPORT_FILTER, [None])[0]
    reason = suggestion["reason"]
    if REPORT_FILTER in (searched or {}) and report is None:
        others = any(values for name, values in searched.items() if name != REPORT_FILTER)
        if reason == "不加筛选条件":
            reason = "在全部报告中、不加筛选条件检索" if others else "在全部报告中检索"
        else:
            reason = f"在全部报告中检索，{reason}"
    return {**suggestion, "filters": filters, "report": report, "reason": reason}
