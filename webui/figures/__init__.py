"""Figures: comparing an indicator across places (``comparison``: the arguments and what the compare
page shows), targets against results (``targets``: its page and API, blueprint ``targets``), and the
SVG bar charts they and the results page draw (``charts``).

May import: ``search.*`` and ``webui.site``. Never a feature package (``webui.searching`` imports
this one, not the other way round; ``webui.briefings``).
"""

from __future__ import annotations

from flask import Flask

from . import targets
from .charts import chart_bars


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(chart_bars=chart_bars)
    app.register_blueprint(targets.bp)
