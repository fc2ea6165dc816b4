"""The targets ledger (目标台账): ``/targets``, its JSON twin ``/api/targets``, and its downloads
``/targets.csv`` and ``/targets.xlsx``.

All four read the same query string: ``place`` (any level, 全国 included; may repeat), ``level``,
``province``, ``year`` (a year or a span, 2010-2025; may repeat), ``q`` (indicators, none for all)
and ``rule`` (strict, tolerance or midpoint); the page also ``sort`` and ``order``. They return
``search.figures.ledger.ledger``'s rows: a download has every row of the page's view, no cap. A
value that names nothing is a 400 with a message in Chinese, never a 500. The page adds a chart per
indicator and place with two years or more: the target band against the result, the aspiration
marked (``ledger_charts``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import Blueprint, jsonify, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from search.errors import BadParameter, UnknownFilter
from search.figures.ledger import RULES, SOURCES, indicator_names, ledger
from search.figures.ledger_columns import COLUMNS

from ..site.errors import add_help
from ..site.limits import costs
from ..site.parameters import accepts
from ..site.searcher import get_engine
from .ledger_charts import ledger_charts
from .ledger_exports import csv_response, xlsx_response

bp = Blueprint("targets", __name__)


def _explanations() -> dict:
    return {UnknownFilter: ("没有这个地区、级别、省份或指标", "地区可以是任一级（全国、江苏、南京）；级别是国家级、省级、地级或县级；"
                            "指标见下拉列表。"),
            BadParameter: ("条件写得不对", "年份写成 2024 或 2010-2025；判断规则是 strict、tolerance 或 midpoint。")}


def _repairs(error) -> list[tuple[str, str]]:
    return [("查看全部目标台账", url_for("targets.page")), ("查看收录情况", url_for("coverage.page"))]


add_help(bp, explanations=_explanations, repairs=_repairs)

LEVEL_ORDER = ("国家级", "省级", "地级", "县级")


def place_choices(reports: list[dict]) -> list[tuple[str, str]]:
    """(value, label) of every place the index holds reports of, for a place picker: the nation,
    then provinces, cities and counties, each in division-code order. The value is the short name
    (云阳) the ledger's ``place`` takes, or the full name where two places share a short name."""
    places: dict[str, dict] = {}
    for r in reports:
        places.setdefault(r.get("place") or r["county_full"], r)
    shorts = [r.get("place_short") or r["county"] for r in places.values()]
    ordered = sorted(places.items(), key=lambda item: (
        LEVEL_ORDER.index(item[1].get("level")) if item[1].get("level") in LEVEL_ORDER else len(LEVEL_ORDER),
        item[1].get("adcode") or "", item[0]))
    choices = []
    for full, r in ordered:
        short = r.get("place_short") or r["county"]
        label = short if short == full else f"{short}（{full}）"
        choices.append((short if shorts.count(short) == 1 else full, label))
    return choices

# Columns the page sorts by, and how the header names them.
SORTABLE = {"place": "地区", "level": "级别", "year": "年份", "indicator": "指标", "target_low": "目标",
            "actual": "实绩", "gap": "差距", "met": "是否达到", "amplification": "加码"}


@dataclass(frozen=True)
class LedgerArgs:
    # The query parameters of the page, its JSON twin and its downloads (``webui.site.parameters.accepts``).
    PARAMETERS = ("q", "place", "level", "province", "year", "rule", "sort", "order")

    q: str = ""
    place: tuple[str, ...] = ()
    level: tuple[str, ...] = ()
    province: tuple[str, ...] = ()
    year: tuple[str, ...] = ()
    rule: str = ""
    sort: str = ""
    order: str = "asc"
    extra: dict = field(default_factory=dict, compare=False)

    @classmethod
    def from_args(cls, args: MultiDict) -> LedgerArgs:
        # The form's text boxes take several names at once: 全国 江苏, 北京、上海.
        clean = lambda name: tuple(v for value in args.getlist(name) for v in re.split(r"[\s,，、]+", value) if v)  # noqa: E731
        sort, order = args.get("sort", "").strip(), args.get("order", "asc").strip() or "asc"
        if sort and sort not in SORTABLE:
            raise BadParameter(f"不能按“{sort}”排序；可以按：{'、'.join(f'{k}（{v}）' for k, v in SORTABLE.items())}")
        if order not in ("asc", "desc"):
            raise BadParameter(f"排序方向只能是 asc（升序）或 desc（降序），不能是“{order}”")
        return cls(q=args.get("q", "").strip(), place=clean("place"), level=clean("level"),
                   province=clean("province"), year=clean("year"), rule=args.get("rule", "").strip(),
                   sort=sort, order=order)

    def run(self, engine) -> dict:
        result = ledger(engine, q=self.q, place=self.place, level=self.level, province=self.province,
                        year=self.year, rule=self.rule or None)
        if self.sort:
            result["rows"] = sorted_rows(result["rows"], self.sort, self.order == "desc")
        return result

    def url(self, endpoint: str = "targets.page", **changes) -> str:
        params = {"q": self.q or None, "place": list(self.place) or None, "level": list(self.level) or None,
                  "province": list(self.province) or None, "year": list(self.year) or None,
                  "rule": self.rule or None, "sort": self.sort or None,
                  "order": self.order if self.sort and self.order != "asc" else None}
        params.update(changes)
        return url_for(endpoint, **params)

    def sort_url(self, column: str) -> str:
        order = "desc" if self.sort == column and self.order == "asc" else "asc"
        return self.url(sort=column, order=order if order != "asc" else None)


def sorted_rows(rows: list[dict], column: str, descending: bool) -> list[dict]:
    """Rows by one column, empty cells last whichever the direction."""
    present = [r for r in rows if r.get(column) is not None and r.get(column) != ""]
    empty = [r for r in rows if r not in present] if len(present) != len(rows) else []
    return sorted(present, key=lambda r: r[column], reverse=descending) + empty


@bp.get("/targets")
@accepts(*LedgerArgs.PARAMETERS)
@costs(2)
def page():
    args = LedgerArgs.from_args(request.args)
    engine = get_engine()
    result = args.run(engine)
    return render_template("targets.html", args=args, result=result, rules=RULES, sources=SOURCES,
                           places=place_choices(engine.reports()),
                           indicators=indicator_names(), sortable=SORTABLE, charts=ledger_charts(result["rows"]),
                           counts=_counts(result["rows"]))


@bp.get("/api/targets")
@accepts(*LedgerArgs.PARAMETERS)
@costs(2)
def api():
    args = LedgerArgs.from_args(request.args)
    result = args.run(get_engine())
    return jsonify({**result, "columns": [{"name": n, "label": label} for n, label in COLUMNS]})


@bp.get("/targets.csv")
@accepts(*LedgerArgs.PARAMETERS)
@costs(2)
def download_csv():
    args = LedgerArgs.from_args(request.args)
    return csv_response(args.run(get_engine())["rows"], request.url_root)


@bp.get("/targets.xlsx")
@accepts(*LedgerArgs.PARAMETERS)
@costs(3)
def download_xlsx():
    args = LedgerArgs.from_args(request.args)
    return xlsx_response(args.run(get_engine()), request.url_root)


def _counts(rows: list[dict]) -> dict:
    return {"met": sum(r["met"] is True for r in rows), "missed": sum(r["met"] is False for r in rows),
            "open": sum(r["met"] is None for r in rows)}
