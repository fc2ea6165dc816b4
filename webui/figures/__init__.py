"""Figures: comparing an indicator across places (``comparison``: the arguments and what the compare
page shows), the targets ledger (``targets``: its page, API and downloads, blueprint ``targets``;
``ledger_charts``, ``ledger_exports``), what the index holds (``coverage``), and the SVG bar charts
the compare and results pages draw (``charts``).

May import: ``search.*`` and ``webui.site``. Never a feature package (``webui.searching`` imports
this one, not the other way round; ``webui.briefings``).
"""

from __future__ import annotations

from flask import Flask

from . import coverage, targets
from .charts import chart_bars


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(chart_bars=chart_bars)
    app.register_blueprint(targets.bp)
    app.register_blueprint(coverage.bp)
