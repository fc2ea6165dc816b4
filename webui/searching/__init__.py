"""Searching and reading: the search and report pages and their JSON twins."""

from __future__ import annotations

from flask import Flask

from . import api, fragments, hit_cards, pages, passages
from .params import FACET_LABELS, FACET_NAMES, facet_value_label


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        FACET_NAMES=FACET_NAMES,
        FACET_LABELS=FACET_LABELS,
        facet_value_label=facet_value_label,
        render_facet_group=fragments.facet_group,
        hit_cards=hit_cards.HitCards,
        render_passage_text=hit_cards.passage_text,
        render_add_to_briefing=hit_cards.add_to_briefing,
    )
    app.register_blueprint(pages.bp)
    app.register_blueprint(passages.bp)
    app.register_blueprint(api.bp)
