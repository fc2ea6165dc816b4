"""The front page (what is in the collection), the results page, and the comparison across places."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from search.ordering import SORTS
from search.errors import (BadParameter, PageOutOfRange, QueryError, QueryTooBroad, UnknownFilter, UnknownReport,
                           UnknownSort, UserError)

from ..figures.charts import COUNT_ROOM, LABEL_WIDTH, ROW_HEIGHT, WIDTH, Bar, BarChart
from ..figures.comparison import MAIN_INDICATORS, CompareArgs, choices, compare_url, shown
from ..figures.targets import place_choices
from ..site.errors import add_help, repaired_query, without_single_characters
from ..site.limits import costs
from ..site.page_cache import cached_page
from ..site.parameters import accepts
from ..site.searcher import get_engine
from .hit_cards import session_part
from .params import FACET_HINTS, FACET_LABELS, PARAMETERS, SearchArgs, facet_value_label, literal_query, shown_query

bp = Blueprint("pages", __name__)

# Shown on the front page and when nothing matches: one per kind of query the language supports.
EXAMPLE_QUERIES = ["森林覆盖率", "GDP", "乡村振兴 OR 农村", "“X波段天气雷达”", "招商引资 -疫情"]


@bp.get("/")
@accepts()
def home():
    reports = get_engine().reports()
    return render_template("index.html", reports=reports, examples=EXAMPLE_QUERIES,
                           indicators=MAIN_INDICATORS, places=place_choices(reports))


@bp.get("/search")
@accepts(*PARAMETERS)
@costs(1)
def search():
    engine = get_engine()
    return cached_page(engine.generation_name(), lambda: _search_page(engine), session_part)


def _search_page(engine):
    """The results page for this request's URL, for everyone (``webui.site.page_cache``)."""
    args = SearchArgs.from_args(request.args)
    result = args.run(engine)
    args = args.normalized(result)
    result["facets"] = stable_facets(engine, args, result)
    shown = {hit["id"] for hit in result["hits"]}
    # Context is only for a hit on this page; a stale ctx from an old link is simply not shown.
    context = engine.context(args.context_id) if args.context_id in shown else None
    charts = [
        bar_chart("各地区命中数", "place", result["facets"]["place"]),
        bar_chart("各年份命中数", "year", result["facets"]["year"], chronological=True),
    ]
    return render_template(
        "search.html", result=result, args=args, q=args.q, shown_query=shown_query(result["query"]),
        facet_hints=FACET_HINTS, context=context, charts=charts,
        literal_links=literal_links(result, args.url), compare_url=compare_url(result),
        drops=drop_suggestions(result, args), suggestions=suggestion_links(result), examples=EXAMPLE_QUERIES,
        sorts=SORTS,
    )


@bp.get("/compare")
@accepts(*CompareArgs.PARAMETERS)
@costs(3)  # four searches
def compare():
    args = CompareArgs.from_args(request.args)
    result = args.run(get_engine()) if args.names_something() else None
    return render_template(
        "compare.html", args=args, result=result, indicators=MAIN_INDICATORS, choices=choices(get_engine()),
        view=shown(result, args) if result else None,
        literal_links=literal_links(result, args.url) if result else [],
    )


def bar_chart(title: str, facet_name: str, rows: list[dict], chronological: bool = False) -> BarChart:
    """A sidebar chart of one facet's counts (``engine.search(...)["facets"][name]``)."""
    if chronological:
        rows = sorted(rows, key=lambda r: r["value"])
    longest = max((r["count"] for r in rows), default=0) or 1
    room = WIDTH - LABEL_WIDTH - COUNT_ROOM
    bars = [
        Bar(label=r.get("label") or facet_value_label(facet_name, r["value"]), count=r["count"], selected=r["selected"],
            y=i * ROW_HEIGHT, width=round(max(2.0, room * r["count"] / longest), 1) if r["count"] else 0)
        for i, r in enumerate(rows)
    ]
    return BarChart(title=title, bars=bars)


def stable_facets(engine, args: SearchArgs, result: dict) -> dict[str, list[dict]]:
    """The facets with their values in the order of the same query without filters, so that
    ticking a box does not reorder the boxes under the reader's pointer (the engine orders places
    by their counts, which follow the other facets' filters)."""
    if not result["filters"]:
        return result["facets"]
    unfiltered = engine.search(args.q, per_page=1)["facets"]
    ordered = {}
    for name, rows in result["facets"].items():
        rank = {row["value"]: i for i, row in enumerate(unfiltered.get(name, []))}
        ordered[name] = sorted(rows, key=lambda row: rank.get(row["value"], len(rank)))  # stable: the rest keep theirs
    return ordered


def literal_links(result: dict, url) -> list[dict]:
    """For each term searched with its synonyms: the same search (``url(q=…)``) with that term
    quoted, which searches it literally."""
    links = []
    for term in result["also_searched"]:
        literal = literal_query(result["query"], term)
        if literal != result["query"]:
            links.append({"term": term, "url": url(q=literal, page=None, ctx=None)})
    return links


def suggestion_links(result: dict) -> list[dict]:
    """The engine's queries that do find something (for a search that found nothing), as links."""
    return [
        {"url": SearchArgs(q=s["query"], filters=s["filters"], report=s.get("report")).url(), "query": s["query"], "filters": s["filters"],
         "total": s["total"], "reason": s["reason"]}
        for s in result.get("suggestions", [])
    ]


def drop_suggestions(result: dict, args: SearchArgs) -> list[dict]:
    """For each filtered facet: the link that drops it and how many hits that would give.

    A facet's counts ignore its own filter (the engine's rule), and every passage has exactly one
    county, year and section, so the sum of a facet's counts is the total without that facet.
    Drops the engine already suggests (the same query, the same remaining filters) are left out.
    """
    offered = [(s["query"], s["filters"]) for s in result.get("suggestions", [])]
    return [
        {
            "label": FACET_LABELS[name],
            "value_text": "、".join(facet_value_label(name, v, result["facets"][name]) for v in values),
            "url": args.without_facet(name),
            "count": sum(row["count"] for row in result["facets"][name]),
        }
        for name, values in result["filters"].items()
        if (result["query"], {n: v for n, v in result["filters"].items() if n != name}) not in offered
    ]


# -- what an error page offers instead -------------------------------------------------------------


def repair_links(error: UserError) -> list[tuple[str, str]]:
    """(label, url) of the same search or comparison without the parameter the engine refused."""
    if request.endpoint == "pages.compare":
        return compare_links(error)
    if request.endpoint != "pages.search":
        return []
    args = SearchArgs.from_args(request.args)
    if isinstance(error, UnknownReport):
        return [("在全部报告中检索", args.without_report())]
    if isinstance(error, UnknownFilter):
        return [("去掉全部筛选条件再搜索", args.without_filters())]
    if isinstance(error, PageOutOfRange):
        return [(f"前往最后一页（第 {error.last_page} 页）", args.page_url(error.last_page))]
    if isinstance(error, UnknownSort):
        return [("按相关度排序", args.sorted_by("relevance"))]
    if isinstance(error, BadParameter):
        return [("从第一页开始，每页显示默认条数", args.url(page=None, per_page=None, ctx=None))]
    if isinstance(error, QueryTooBroad):
        narrowed = without_single_characters(args.q)
        return [(f"去掉单字，检索“{narrowed}”", args.url(q=narrowed, page=None, ctx=None))] if narrowed else []
    if isinstance(error, QueryError) and (repaired := repaired_query(args.q)) and repaired != args.q:
        cut = repaired if len(repaired) <= 30 else repaired[:30] + "…"
        return [(f"改为检索“{cut}”", args.url(q=repaired, page=None, ctx=None))]
    return []


def compare_links(error: UserError) -> list[tuple[str, str]]:
    args = CompareArgs.from_args(request.args)
    if isinstance(error, UnknownFilter):
        return [("去掉全部筛选条件再对比", args.url(year=None, section=None, place=None, province=None, level=None))]
    if isinstance(error, BadParameter):  # a sort or an order the table does not have
        return [("按地区顺序对比", args.url(sort=None, order=None))]
    if isinstance(error, QueryError) and (repaired := repaired_query(args.q)) and repaired != args.q:
        cut = repaired if len(repaired) <= 30 else repaired[:30] + "…"
        return [(f"改为对比“{cut}”", args.url(q=repaired))]
    return []


def explanations() -> dict[type, tuple[str, str]]:
    """The comparison's own headlines: its filters are chosen on the page and its table sorts, so
    the site's words for a bad filter or parameter (the results page's facets, page numbers) do
    not fit it."""
    if request.endpoint not in ("pages.compare", "downloads.compare_csv", "downloads.compare_xlsx"):
        return {}
    return {UnknownFilter: ("没有这个筛选条件", "年份、层级、省份和地区须是索引中已有的；请在对比页的下拉框中选择，地区可写简称（云阳、全国）。"),
            BadParameter: ("无法这样排序", "对比表可以按地区、目标或实绩排序（点击表头），方向是 asc（升序）或 desc（降序）。")}


add_help(bp, explanations=explanations, repairs=repair_links)
