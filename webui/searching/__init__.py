"""Searching and reading: the front page, the results page, a passage and a report, their JSON
twins under ``/api/``, and the comparison page and API (blueprints ``pages``, ``passages`` and
``api``), their downloads (``downloads``), with what they render (``params``, ``hit_cards``, ``fragments``, ``report_layout``).

May import: ``search.*``, ``webui.site``, and ``webui.figures``: the results page draws its facet
charts with ``figures.charts`` and links to the comparison, whose page and API stay here under their
endpoint names ``pages.compare`` and ``api.compare`` with ``figures.comparison`` doing the work;
and the query language's help page (blueprint ``help``).
Never ``webui.briefings``: the "加入简报" form only names its endpoint (``briefings.add``).
"""

from __future__ import annotations

from flask import Flask
from markupsafe import Markup

from . import api, downloads, fragments, hit_cards, pages, passages, query_help
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
        ocr_tag=Markup(hit_cards.OCR_TAG),
    )
    app.register_blueprint(pages.bp)
    app.register_blueprint(passages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(downloads.bp)
    app.register_blueprint(query_help.bp)
