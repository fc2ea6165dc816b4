"""Comparing an indicator across counties: the parameters of ``/compare`` and what its page shows
besides ``search.figures.compare``'s result.

``/compare`` and ``/api/compare`` read ``q`` (the indicator) and ``year`` and ``section`` (each may
repeat), given to ``search.figures.compare.compare`` as typed: the engine validates them and explains its
refusals (400). A query that names nothing (empty, ``OR``, punctuation) is the page's starting
point, with the main indicators offered; under /api/ it is a 400.

A row is the best passage for one county, one year and one kind of statement (result or target);
rows from the plan sections speak about the plan year's targets, not results, and the page says
which is which, and its chart draws them lighter. Only figures the extraction is sure of are shown,
as the report writes them (超过126万亿元, 350亿元以上); a table row's target and result are labelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from flask import url_for
from werkzeug.datastructures import MultiDict

from search.figures.compare import compare
from search.documents import SECTION_GOALS, SECTION_REVIEW, SECTION_TASKS
from search.errors import NothingToSearch, QueryError
from search.figures.extraction import shown_text
from search.figures.indicators import indicator_key
from search.figures.ledger import indicator_names
from search.query.parse import parse

from .charts import BarChart, figure_chart

# What every report states: offered on the front page and on the compare page.
MAIN_INDICATORS = ["地区生产总值", "一般公共预算收入", "固定资产投资", "社会消费品零售总额", "城乡居民人均可支配收入",
                   "城镇新增就业"]
PLAN_SECTIONS = (SECTION_GOALS, SECTION_TASKS)
# The section filter as the page offers it: results, targets, or both.
SECTION_CHOICES = [("全部", ()), ("实绩（工作回顾）", (SECTION_REVIEW,)), ("目标（目标安排、重点任务）", PLAN_SECTIONS)]


@dataclass(frozen=True)
class CompareArgs:
    q: str = ""
    year: tuple[str, ...] = ()
    section: tuple[str, ...] = ()

    @classmethod
    def from_args(cls, args: MultiDict) -> CompareArgs:
        return cls(q=args.get("q", "").strip(), year=tuple(args.getlist("year")),
                   section=tuple(args.getlist("section")))

    def names_something(self) -> bool:
        """Whether ``q`` names something to compare; a query that cannot run raises ``QueryError``."""
        try:
            return not parse(self.q).is_empty
        except NothingToSearch:  # punctuation or an operator alone: the starting page, as for no query
            return False

    def run(self, engine) -> dict:
        return compare(engine, self.q, year=self.year, section=self.section)

    def run_for_api(self, engine) -> dict:
        if not self.names_something():
            raise QueryError("请输入要对比的指标，例如：" + "、".join(MAIN_INDICATORS[:3]))
        return self.run(engine)

    def url(self, endpoint: str = "pages.compare", **changes) -> str:
        params = {"q": self.q or None, "year": list(self.year) or None, "section": list(self.section) or None}
        params.update(changes)
        return url_for(endpoint, **params)


def compare_url(result: dict) -> str | None:
    """From a search's results: the comparison of its query, with its years and sections kept."""
    if not result["total"] or not result["query"]:
        return None
    filters = result["filters"]
    return CompareArgs(q=result["query"], year=tuple(filters.get("year", ())),
                       section=tuple(filters.get("section", ()))).url()


def shown(result: dict, args: CompareArgs) -> dict:
    """What the page needs besides the result: which rows are plans, each row's figures grouped by
    indicator, the chart, the links."""
    plans = {row["passage"]["id"] for row in result["rows"] if row["section"] in PLAN_SECTIONS}
    named = {result["query"], *result["also_searched"], *sum(result["also_searched"].values(), [])}
    with_figures = sum(1 for row in result["rows"] if row["figures"])
    return {
        "plans": plans,
        "figures": {row["passage"]["id"]: figure_groups(row["figures"], named, row["role"]) for row in result["rows"]},
        # The ledger takes its own indicators only; for another, it opens on all of them.
        "targets_url": url_for("targets.page", q=result["query"] if indicator_key(result["query"]) in
                               indicator_names() else None),
        "chart": chart_of(result, plans),
        "unplotted": with_figures - len(result["chart"]["bars"]) if result["chart"] else 0,
        "sections": [(label, args.url(section=list(values) or None), set(values) == set(args.section))
                     for label, values in SECTION_CHOICES],
        "all_years": args.url(year=None) if args.year else None,
    }


ROLE_LABELS = {"target": "目标", "actual": "实绩"}


def figure_groups(figures: list[dict], named: set[str], role: str = "") -> list[tuple[str, list[dict]]]:
    """A row's figures in the report's order, each once, as the report writes them ("shown"), under
    the indicator they state when the query does not name it (城镇居民人均可支配收入 4% under
    城乡居民人均可支配收入); a figure of the other kind than its row (a table row's target) says so."""
    keys = {indicator_key(n) for n in named}
    seen: set[str] = set()
    unique = [f for f in figures if not (f["text"] in seen or seen.add(f["text"]))]
    label = lambda f: "" if indicator_key(f.get("indicator")) in keys else f.get("indicator") or ""  # noqa: E731
    shown = [{**f, "shown": shown_text(f),
              "role_label": ROLE_LABELS.get(f["role"], "") if f.get("role") != role else ""} for f in unique]
    return [(name, list(group)) for name, group in groupby(shown, key=label)]


def chart_of(result: dict, plans: set[str]) -> BarChart | None:
    if not result["chart"]:
        return None
    title = f"各地区“{result['query']}”（单位：{result['chart']['unit']}）"
    return figure_chart(result["chart"], title, targets=plans)
