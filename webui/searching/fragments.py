"""The results page's repeated fragments, written in Python: the facet checkboxes and the links of
each hit (the bars of its charts are ``webui.figures.charts.chart_bars``).

A results page lists up to 30 values for each of five facets and two charts of up to 30 bars. As
Jinja macros those rows were two thirds of the page's rendering time (about 7 of 10 ms of CPU per
page at 110,000 passages: a macro call, a dozen attribute lookups and escapes per row). Here a row
is one format string; every value still goes through ``escape``. The markup is the macros' markup,
and ``_partials.html`` calls these as it called its own macros.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import url_for
from markupsafe import Markup, escape

from .params import FACET_LABELS, facet_value_label

_OPTION = ('<label class="facet-option{selected_class}">\n'
           '    <input type="checkbox" name="{name}" value="{value}" form="search-form"{checked}>\n'
           '    <span class="facet-value" title="{value}">{label}</span>\n'
           '    <span class="facet-count">{count}</span>\n'
           '  </label>')


def facet_group(name: str, rows: list[dict], hint: tuple[str, str] | None = None) -> Markup:
    """A facet's fieldset of checkboxes (``hint``: short and long words on what the facet means)."""
    legend = escape(FACET_LABELS[name])
    if hint:
        legend += Markup(' <small class="facet-hint" title="{}">{}</small>').format(hint[1], hint[0])
    name_html = escape(name)
    options = [
        _OPTION.format(
            selected_class=" is-selected" if row.get("selected") else "",
            checked=" checked" if row.get("selected") else "",
            name=name_html,
            value=escape(row["value"]),
            label=escape(row.get("label") or facet_value_label(name, row["value"])),
            count=escape(row["count"]),
        )
        for row in rows
    ]
    return Markup('<fieldset class="facet">\n  <legend>{}</legend>\n  {}\n</fieldset>').format(
        legend, Markup("\n  ".join(options)))


# -- a hit's links ----------------------------------------------------------------------------------

_SLOT = "__hit__"  # stands for a passage id in a URL built once per page


class HitLinks:
    """The links of every hit card on one results page, from four URLs built once for the page
    (``url_for`` per link was a fifth of the page's rendering): a hit's id goes into each."""

    def __init__(self, args):
        self._report = url_for("passages.report", report_id=_SLOT)
        self._passage = url_for("passages.passage", passage_id=_SLOT)
        self._context = args.url(ctx=_SLOT, _anchor=f"hit-{_SLOT}")
        self._back = args.url(_anchor=f"hit-{_SLOT}")

    @staticmethod
    def _fill(url: str, value: str) -> str:
        return url.replace(_SLOT, quote(value, safe=""))

    def report(self, hit: dict) -> str:
        """The hit in its report: the report's page, at the passage."""
        return self._fill(self._report, hit["report_id"]) + "#" + quote(hit["id"], safe="")

    def passage(self, hit: dict) -> str:
        return self._fill(self._passage, hit["id"])

    def context(self, hit: dict) -> str:
        """This page with the hit's context open, scrolled to the hit."""
        return self._fill(self._context, hit["id"])

    def back(self, hit: dict) -> str:
        """This page, scrolled to the hit (where a form posted from the hit returns)."""
        return self._fill(self._back, hit["id"])
