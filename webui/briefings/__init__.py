"""Briefings (简报): pages, JSON API, exports and the store."""

from __future__ import annotations

from flask import Flask

from . import api, pages, store


def init_app(app: Flask) -> None:
    store.init_app(app)  # before the blueprints: it adds the URL converters they use
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
