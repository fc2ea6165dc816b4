"""The front page (what is in the collection) and the results page."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from .charts import bar_chart
from .params import FACET_LABELS, SearchArgs, facet_value_label
from .searcher import get_engine

bp = Blueprint("pages", __name__)

# Shown on the front page and when nothing matches: one per kind of query the language supports.
EXAMPLE_QUERIES = ["森林覆盖率", "GDP", "乡村振兴 OR 农村", "“X波段天气雷达”", "招商引资 -疫情"]


@bp.get("/")
def home():
    return render_template("index.html", reports=get_engine().reports(), examples=EXAMPLE_QUERIES)


@bp.get("/search")
def search():
    engine = get_engine()
    args = SearchArgs.from_args(request.args)
    result = args.run(engine)
    args = args.normalized(result)
    shown = {hit["id"] for hit in result["hits"]}
    # Context is only for a hit on this page; a stale ctx from an old link is simply not shown.
    context = engine.context(args.context_id) if args.context_id in shown else None
    charts = [
        bar_chart("各区县命中数", "county", result["facets"]["county"]),
        bar_chart("各年份命中数", "year", result["facets"]["year"], chronological=True),
    ]
    return render_template(
        "search.html", result=result, args=args, q=args.q, context=context, charts=charts,
        drops=drop_suggestions(result, args), suggestions=suggestion_links(result), examples=EXAMPLE_QUERIES,
    )


def suggestion_links(result: dict) -> list[dict]:
    """The engine's queries that do find something (for a search that found nothing), as links."""
    return [
        {"url": SearchArgs(q=s["query"], filters=s["filters"]).url(), "query": s["query"], "filters": s["filters"],
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
            "value_text": "、".join(facet_value_label(name, v) for v in values),
            "url": args.without_facet(name),
            "count": sum(row["count"] for row in result["facets"][name]),
        }
        for name, values in result["filters"].items()
        if (result["query"], {n: v for n, v in result["filters"].items() if n != name}) not in offered
    ]
