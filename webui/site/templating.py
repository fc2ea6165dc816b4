"""What every template may use besides the view's own variables."""

from __future__ import annotations

import re

from flask import Flask

from search import settings
from search.briefings import INTRO_MAX, NOTE_MAX, TITLE_MAX
from search.exports import numbered_citation

from ..figures.charts import chart_bars
from ..searching import fragments
from ..searching.params import FACET_LABELS, FACET_NAMES, facet_value_label
from .urls import fixed_url

CONTROL_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def printable(text) -> str:
    """Text with control characters (a NUL from %00, say) shown as �, as browsers would anyway:
    autoescaping makes them harmless, this makes them visible and keeps the HTML valid."""
    return CONTROL_CHARS_RE.sub("\N{REPLACEMENT CHARACTER}", str(text or ""))


def init_app(app: Flask) -> None:
    from ..searching import hit_cards  # not at the top: it needs webui.sessions, which needs webui.errors, which needs this

    app.jinja_env.filters["printable"] = printable
    app.jinja_env.globals.update(
        FACET_NAMES=FACET_NAMES,
        FACET_LABELS=FACET_LABELS,
        facet_value_label=facet_value_label,
        render_facet_group=fragments.facet_group,
        chart_bars=chart_bars,
        hit_cards=hit_cards.HitCards,
        fixed_url=fixed_url,
        render_passage_text=hit_cards.passage_text,
        render_notices=hit_cards.notices,
        render_add_to_briefing=hit_cards.add_to_briefing,
        max_page=settings.get("max_page"),
        numbered_citation=numbered_citation,
        TITLE_MAX=TITLE_MAX,
        INTRO_MAX=INTRO_MAX,
        NOTE_MAX=NOTE_MAX,
    )
