"""The parameters of a search as the site reads them, and the links that change one of them.

``/search`` and ``/api/search`` read the same parameters (``API_PARAMETERS``): ``q``, ``place`` (地区;
``county`` is its old name and still works), ``province``, ``level``, ``year`` and ``section`` (each may
repeat), ``report`` (search within one report), ``sort`` (relevance, year or place), ``page`` and
``per_page``; the HTML page adds ``ctx``, the hit whose context is shown (``PARAMETERS``). Any other
parameter is refused (``webui.site.parameters``). Values go to the engine as typed, because the engine owns validation and explains its
refusals; links are rebuilt from the engine's normalized filters, so 云阳 in a URL becomes 重庆市云阳县
in every link of the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from werkzeug.datastructures import MultiDict

from search.engine import Engine

from ..site.urls import with_query

FACET_NAMES = ("place", "province", "level", "year", "section")
# The query parameters each endpoint reads (``webui.site.parameters.accepts``); ``county``: ``place``'s old name.
API_PARAMETERS = ("q", *FACET_NAMES, "county", "report", "sort", "page", "per_page")
PARAMETERS = (*API_PARAMETERS, "ctx")
FACET_LABELS = {"place": "地区", "province": "省份", "level": "层级", "year": "年份", "section": "部分"}
# What a facet's name means where it is not obvious: a passage's year is the year it speaks about
# (the front page's 年份 is the report's own year), and the parts are the report's sections.
FACET_HINTS = {
    "year": ("段落所说的年份", "工作回顾部分说的是上一年，目标安排和重点任务说的是计划的当年；与首页报告列表的“年份”（报告的年份）不同。"),
    "section": ("段落在报告中的部分", "工作回顾：上一年的实绩；目标安排：当年的目标和总体要求；重点任务：当年要做的事；其他：标题和开头。"),
}
QUOTES = {'"': '"', "“": "”", "「": "」"}


def facet_value_label(name: str, value: str, rows: list[dict] | None = None) -> str:
    """How a filter value is shown: the engine's label from the facet's rows (云阳 for 重庆市云阳县)."""
    for row in rows or ():
        if row["value"] == value:
            return row.get("label", value)
    return f"{value}年" if name == "year" else value


@dataclass(frozen=True)
class SearchArgs:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    report: str | None = None  # a report's id: search within it
    sort: str | None = None  # None: by relevance
    page: str = "1"
    per_page: str | None = None  # None: the engine's default
    context_id: str | None = None

    @classmethod
    def from_args(cls, args: MultiDict) -> SearchArgs:
        return cls(
            q=args.get("q", ""),
            filters=_filters(args),
            report=args.get("report") or None,
            sort=args.get("sort") or None,
            # An empty field (a form that sent page=) means the default, not an error.
            page=args.get("page") or "1",
            per_page=args.get("per_page") or None,
            context_id=args.get("ctx") or None,
        )

    def run(self, engine: Engine) -> dict:
        return engine.search(self.q, **self.filters, report=self.report, sort=self.sort, page=self.page,
                             per_page=self.per_page)

    def normalized(self, result: dict) -> SearchArgs:
        """These arguments as the engine understood them (known filter names and values)."""
        return replace(self, q=result["query"], filters=result["filters"], page=str(result["page"]),
                       report=result["report"]["id"] if result.get("report") else None,
                       sort=None if result.get("sort", "relevance") == "relevance" else result["sort"])

    def url(self, endpoint: str = "pages.search", **changes) -> str:
        """This search's URL with some parameters changed; a change to None drops the parameter."""
        params = {
            "q": self.q or None,
            **self.filters,
            "report": self.report,
            "sort": self.sort,
            "page": None if self.page == "1" else self.page,
            "per_page": self.per_page,
            "ctx": self.context_id,
        }
        params.update(changes)
        anchor = params.pop("_anchor", None)
        return with_query(endpoint, params, anchor)

    def api_url(self) -> str:
        """The JSON twin of this page of results."""
        return self.url("api.search", ctx=None)

    def page_url(self, page: int) -> str:
        return self.url(page=None if page == 1 else str(page), ctx=None)

    def without_value(self, name: str, value: str) -> str:
        """The same search with one ticked value unticked, from its first page."""
        remaining = [v for v in self.filters.get(name, []) if v != value]
        return self.url(**{name: remaining or None}, page=None, ctx=None)

    def sorted_by(self, sort: str) -> str:
        """The same search in another order, from its first page."""
        return self.url(sort=None if sort == "relevance" else sort, page=None, ctx=None)

    def without_report(self) -> str:
        """The same search across every report, from its first page."""
        return self.url(report=None, page=None, ctx=None)

    def without_facet(self, name: str) -> str:
        return self.url(**{name: None}, page=None, ctx=None)

    def without_filters(self) -> str:
        return self.url(**{name: None for name in FACET_NAMES}, page=None, ctx=None)

    def with_context(self, passage_id: str | None) -> str:
        """Open (or, with None, close) the context of one hit, and come back to that hit."""
        anchor = f"hit-{passage_id or self.context_id}"
        return self.url(ctx=passage_id, _anchor=anchor)


def _filters(args: MultiDict) -> dict[str, list[str]]:
    filters = {name: args.getlist(name) for name in FACET_NAMES if args.getlist(name)}
    if args.getlist("county"):  # links and scripts from before places were national
        filters["place"] = [*filters.get("place", []), *args.getlist("county")]
    return filters


def shown_query(q: str) -> str:
    """The query as a page quotes it inside “…”: a query that is one quoted phrase without its own
    quotes, and quotes inside a longer query as ‘…’, as Chinese nests them (“‘乡村振兴’ 农村”)."""
    q = q.strip()
    if len(q) >= 2 and q[0] in QUOTES and q[-1] == QUOTES[q[0]] and not any(c in QUOTES or c in QUOTES.values()
                                                                          for c in q[1:-1]):
        return q[1:-1]
    out, opened = [], False
    for c in q:
        if c == '"':
            c, opened = ("’" if opened else "‘"), not opened
        elif c in "“「":
            c = "‘"
        elif c in "”」":
            c = "’"
        out.append(c)
    return "".join(out)


def literal_query(q: str, term: str) -> str:
    """``q`` with every word that is ``term`` quoted: a quoted term is searched literally, without
    its synonyms. Words are as the engine splits them (by spaces); "OR" and "-x" are left alone."""
    return " ".join(f'"{word}"' if word == term else word for word in q.split())
