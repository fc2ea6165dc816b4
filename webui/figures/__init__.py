"""Figures: comparing an indicator across places, targets against results, and charts."""

from __future__ import annotations

from flask import Flask

from . import targets
from .charts import chart_bars


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(chart_bars=chart_bars)
    app.register_blueprint(targets.bp)
