"""Targets against results (目标完成情况): ``/targets?q=`` and its JSON twin ``/api/targets?q=``.

Both read ``q`` (the indicator) and ``county`` (may repeat), and return ``search.figures.targets.targets``'
result: per place and year, the target set for the year and the result stated for it, the verdict
(达到, 未达到, 视为完成, 无法判断) and both passages with their citations. A query that names nothing is
the page's starting point, with the main indicators offered; under /api/ it is a 400. The page adds
one chart per place that has pairs for two years or more in one unit: the target and the result
of each year side by side.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from flask import Blueprint, jsonify, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from search.errors import QueryError
from search.figures.indicators import indicator_key
from search.query.parse import parse
from search.figures.targets import STATUS_LABELS, targets

from ..site.limits import costs
from ..site.searcher import get_engine
from .charts import BarChart, figure_chart
from .comparison import MAIN_INDICATORS

bp = Blueprint("targets", __name__)


@dataclass(frozen=True)
class TargetsArgs:
    q: str = ""
    county: tuple[str, ...] = ()

    @classmethod
    def from_args(cls, args: MultiDict) -> TargetsArgs:
        return cls(q=args.get("q", "").strip(), county=tuple(args.getlist("county")))

    def names_something(self) -> bool:
        """Whether ``q`` names an indicator; a query that cannot run raises ``QueryError``."""
        return not parse(self.q).is_empty

    def run(self, engine) -> dict:
        return targets(engine, self.q, county=self.county)

    def url(self, endpoint: str = "targets.page", **changes) -> str:
        params = {"q": self.q or None, "county": list(self.county) or None}
        params.update(changes)
        return url_for(endpoint, **params)


@bp.get("/targets")
@costs(1)  # a search, charged for its work on top like /search's
def page():
    args = TargetsArgs.from_args(request.args)
    result = args.run(get_engine()) if args.names_something() else None
    return render_template("targets.html", args=args, result=result, indicators=MAIN_INDICATORS,
                           view=shown(result) if result else None)


@bp.get("/api/targets")
def api():
    args = TargetsArgs.from_args(request.args)
    if not args.names_something():
        raise QueryError("请输入一个指标，例如：" + "、".join(MAIN_INDICATORS[:3]))
    return jsonify(args.run(get_engine()))


def shown(result: dict) -> dict:
    """What the page needs besides the result: counts per verdict, and the charts."""
    counts = Counter(row["status"] for row in result["rows"])
    named = {indicator_key(t) for t in [result["query"], *sum(result["also_searched"].values(), [])]}
    return {
        "counts": [(STATUS_LABELS[status], counts[status], status) for status in STATUS_LABELS if counts[status]],
        "charts": charts_of(result),
        # A pair of another indicator than the query names (城镇… for 城乡…) says which.
        "labels": [row["indicator"] if indicator_key(row["indicator"]) not in named else "" for row in result["rows"]],
    }


def charts_of(result: dict) -> list[BarChart]:
    """Per place with pairs for two years or more in its most common unit: target and result bars."""
    by_place = defaultdict(list)
    for row in result["rows"]:
        by_place[(row["county"], indicator_key(row["indicator"]))].append(row)
    charts = []
    for (county, _), rows in by_place.items():
        unit, _ = Counter(r["unit"] for r in rows).most_common(1)[0]
        rows = [r for r in rows if r["unit"] == unit]
        if len({r["year"] for r in rows}) < 2:
            continue
        bars = []
        for r in rows:
            bars.append({"label": f"{r['year']} 目标", "value": r["target"]["value"], "text": r["target"]["shown"],
                         "passage_id": f"target-{r['year']}"})
            bars.append({"label": f"{r['year']} 实绩", "value": r["result"]["value"], "text": r["result"]["shown"],
                         "passage_id": f"result-{r['year']}"})
        chart = {"unit": unit, "max": max(b["value"] for b in bars), "bars": bars}
        charts.append(figure_chart(chart, f"{county}“{rows[0]['indicator']}”的目标与实绩（单位：{unit}）",
                                   targets={b["passage_id"] for b in bars if b["passage_id"].startswith("target-")}))
    return charts
