"""Compare an indicator across places: one row per place, year and kind of statement (result or
target), the best passage with the figures it states for the indicator.

The question behind many searches is comparative: how did each county do on 地区生产总值? For each
place and year (the year a section speaks about: the past year's result, the plan year's target),
the row is the highest-ranked passage that states a figure for the indicator the query names, and
only figures the extraction is sure of are given (see ``search.figures.extraction``): the indicator itself, not
a part of it (交通固定资产投资 is not 固定资产投资), the year's figure, not a five-year one, each value
paired with its own indicator (…和一般公共预算收入分别增长12.5%和34.3% → 34.3%). Where no passage states
a sure figure, the row keeps the best passage that names the indicator, without a number, and says
whether it states figures the extraction could not tie to the indicator (``unsure``: 未能确定, not
未给出数值).

The ``table`` puts a place's target and result for a year side by side (one line per place and
year), sorted by place, target or result (``SORTS``). Places within the filters with no sure figure
are listed: as ``no_report`` when they have no report covering the year asked, as ``missing`` when
they do, so the answer never silently leaves one out.
"""

from __future__ import annotations

from collections import Counter

from ..errors import BadParameter
from ..query.parse import parse
from ..text.streams import fold
from ..documents import SECTION_REVIEW
from .extraction import extract, figures_for, shown_text
from .indicators import indicator_key, mentions_only_as_part

CANDIDATE_PAGES = 4  # pages of 50 ranked hits examined; plenty for one indicator per report
PAGE = 50
# Places the best hits left without a figure, each then searched on its own (its best 50 hits): a
# bound on a comparison's cost where thousands of counties are held (narrow it by level or province).
PLACE_SEARCHES = 300
PAGE_PER_PLACE = 50
# sort= values: the table's order. A place sorts in the index's order of places (the nation, then
# the provinces and their places as indexed); a target or result by its value, largest first, rows
# without a value in the chart's unit after.
SORTS = {"place": "地区", "target": "目标", "actual": "实绩"}
ORDERS = ("asc", "desc")
ROLES = ("target", "actual")
ROLE_LABELS = {"target": "目标", "actual": "实绩"}


def compare(engine, q: str, *, year=(), section=(), place=(), province=(), level=(), sort: str = "",
            order: str = "") -> dict:
    sort, order = _check_sort(sort, order)
    rows: dict[tuple, dict] = {}
    plan = parse(q)
    needles = plan.folded_terms
    filters = {"year": year, "section": section, "place": place, "province": province, "level": level}

    def take(hit: dict) -> None:
        """Keep ``hit`` as its place, year and role's row when it is the best seen for them."""
        role = "actual" if hit["section"] == SECTION_REVIEW else "target"
        key = (hit["place"], hit["year"], role)
        figures = sure_figures(hit, needles) if needles else []
        current = rows.get(key)
        # The best row states a sure figure; then a passage that names the indicator itself
        # (not only 单位GDP能耗); a sentence beats a table row, which holds the target and the
        # result side by side and reads less well next to other places' sentences.
        folded = fold(hit["text"])
        named = not needles or not all(mentions_only_as_part(folded, n) for n in needles if n in folded)
        rank = (bool(figures), named, hit["kind"] != "row")
        if current is None or rank > current["rank"]:
            # place and place_full as the ledger and coverage name them; county and county_full
            # are their old names, kept for callers of /api/compare.
            rows[key] = {"place": hit["place_short"], "place_full": hit["place"], "county": hit["county"],
                         "county_full": hit["county_full"], "year": hit["year"], "section": hit["section"],
                         "role": role, "passage": hit, "figures": figures, "unsure": not figures and unsure(hit),
                         "rank": rank}

    def examine(filters: dict) -> tuple[dict | None, bool]:
        """Take the first ``CANDIDATE_PAGES`` pages of hits; the first page, and whether more were left."""
        first_page = None
        for page in range(1, CANDIDATE_PAGES + 1):
            result = engine.search(plan, **filters, page=page, per_page=PAGE)
            first_page = first_page or result
            for hit in result["hits"]:
                take(hit)
            if page >= result["pages"]:
                return first_page, False
        return first_page, True

    first, more_left = examine(filters)
    resolved = first["filters"] if first else {}
    reports = [r for r in engine.reports() if _within(r, resolved)]
    asked_years = {int(y) for y in resolved.get("year", [])}
    # A report covers its review year (the results) and its plan year (the targets).
    covering = {r["place"] for r in reports
                if not asked_years or asked_years & {r.get("review_year"), r.get("plan_year"), r["year"]}}
    if more_left:
        # The best hits of a broad comparison crowd some places out: search each place that has a
        # report for the year but no figure yet on its own, so none is called 未找到数值 unsearched.
        found = {r["place_full"] for r in rows.values() if r["figures"]}
        for unfound in sorted(covering - found)[:PLACE_SEARCHES]:
            for hit in engine.search(plan, **{**filters, "place": [unfound]}, per_page=PAGE_PER_PLACE)["hits"]:
                take(hit)
    place_order = {p: i for i, p in enumerate(dict.fromkeys(r["place"] for r in reports))}
    short = {r["place"]: r.get("place_short", r["county"]) for r in reports}
    for row in rows.values():
        row.pop("rank")
    ordered = sorted(rows.values(), key=lambda r: (place_order.get(r["place_full"], len(place_order)), -r["year"],
                                                   r["role"]))
    chart = _chart(ordered, needles)
    with_figures = {r["place_full"] for r in ordered if r["figures"]}
    return {
        "query": first["query"] if first else q,
        "also_searched": first["also_searched"] if first else {},
        "filters": resolved,
        "rows": ordered,
        "table": _table(ordered, place_order, chart, sort, order_of(sort, order)),
        "sort": sort,
        "order": order_of(sort, order),
        "missing": [short[p] for p in place_order if p not in with_figures and p in covering],
        "no_report": [short[p] for p in place_order if p not in covering],
        "chart": chart,
    }


def _check_sort(sort: str, order: str) -> tuple[str, str]:
    sort, order = (sort or "place").strip(), (order or "").strip()
    if sort not in SORTS:
        raise BadParameter(f"排序方式须是 {'、'.join(SORTS)}（{'、'.join(SORTS.values())}）之一，不能是“{sort}”")
    if order and order not in ORDERS:
        raise BadParameter(f"排序方向须是 asc（升序）或 desc（降序），不能是“{order}”")
    return sort, order


def order_of(sort: str, order: str) -> str:
    """The direction a sort runs in when the caller does not say: places in the index's order,
    figures largest first."""
    return order or ("asc" if sort == "place" else "desc")


def _within(report: dict, filters: dict) -> bool:
    """Whether a report's place is within the place, province and level filters (as resolved)."""
    return all(not filters.get(name) or report.get(name) in filters[name] for name in ("place", "province", "level"))


def _table(rows: list[dict], place_order: dict, chart: dict | None, sort: str, order: str) -> list[dict]:
    """One line per place and year: its target row and its result row side by side (either may be
    None), with the value each sorts by (the figure drawn in the chart, in the chart's unit)."""
    lines: dict[tuple, dict] = {}
    for row in rows:
        line = lines.setdefault((row["place_full"], row["year"]), {
            "place": row["place"], "place_full": row["place_full"], "county": row["county"], "county_full": row["county_full"], "year": row["year"],
            "target": None, "actual": None, "target_value": None, "actual_value": None})
        line[row["role"]] = row
    for bar in (chart or {}).get("bars", []):
        line = lines.get((bar["place_full"], bar["year"]))
        if line is not None:
            line[f"{bar['role']}_value"] = bar["value"]
    table = list(lines.values())
    if sort == "place":
        table.sort(key=lambda line: (place_order.get(line["place_full"], len(place_order)), -line["year"]),
                   reverse=order == "desc")
    else:
        valued = [line for line in table if line[f"{sort}_value"] is not None]
        rest = [line for line in table if line[f"{sort}_value"] is None]
        valued.sort(key=lambda line: line[f"{sort}_value"], reverse=order == "desc")
        table = valued + rest
    return table


def unsure(hit: dict) -> bool:
    """Whether a passage without a sure figure for the indicator states figures all the same: one the
    extraction could not tie to the indicator and the year (a five-year rate, 城乡…分别达6.9万元、3.4万元,
    a sub-indicator's), which the page calls 未能确定 rather than 未给出数值."""
    return bool(extract(hit["text"], hit["kind"], section=hit["section"], year=hit["year"], heading=hit.get("heading")))


def sure_figures(hit: dict, needles: list[str]) -> list[dict]:
    """The figures a passage states for the indicator, extracted with what the passage's section,
    year and heading say (the figures stored at build time know only the text)."""
    figures = extract(hit["text"], hit["kind"], section=hit["section"], year=hit["year"], heading=hit.get("heading"))
    return figures_for(figures, needles, sure=True)


def _chart(rows: list[dict], needles: list[str]) -> dict | None:
    """Bars for the rows whose first figure of the indicator itself (not 城镇… split from 城乡…)
    shares the most common unit."""
    keys = {indicator_key(n) for n in needles}
    firsts = []
    for row in rows:
        own = [f for f in row["figures"] if indicator_key(f.get("indicator")) in keys and f.get("value") is not None]
        # A table row holds the target and the result: draw the one the row is about.
        own = [f for f in own if f.get("role") == row["role"]] or own
        if own:
            firsts.append((row, own[0]))
    if len(firsts) < 2:
        return None
    unit, _ = Counter(f["unit"] for _, f in firsts).most_common(1)[0]
    bars = [{"label": f"{r['place']} {r['year']} {ROLE_LABELS[r['role']]}", "county": r["county"],
             "place": r["place"], "place_full": r["place_full"], "year": r["year"], "role": r["role"], "series": ROLE_LABELS[r["role"]],
             "value": f["value"], "text": f["text"], "passage_id": r["passage"]["id"]}
            for r, f in firsts if f["unit"] == unit]
    if len(bars) < 2:
        return None
    return {"unit": unit, "max": max(b["value"] for b in bars), "bars": bars}


# The table as a download (``search.downloads``): a line per place and year, target then result.
TABLE_COLUMNS = ("地区", "地区全称", "年份", "目标", "目标原文", "目标出处", "目标链接", "实绩", "实绩原文", "实绩出处", "实绩链接")
TABLE_LINK_COLUMNS = (TABLE_COLUMNS.index("目标链接"), TABLE_COLUMNS.index("实绩链接"))


def table_cells(line: dict, base_url: str = "") -> list:
    """One line of ``compare``'s table as ``TABLE_COLUMNS``' cells: figures as the report writes
    them, 未能确定 or 未给出数值 where there is none, empty where no passage was found."""
    cells = [line["place"], line["place_full"], line["year"]]
    for role in ROLES:
        row = line[role]
        if row is None:
            cells += ["", "", "", ""]
            continue
        shown = "、".join(dict.fromkeys(shown_text(f) for f in row["figures"]))
        passage = row["passage"]
        cells += [shown or ("未能确定" if row["unsure"] else "未给出数值"), passage["text"], passage["citation"],
                  base_url.rstrip("/") + passage["url"]]
    return cells
