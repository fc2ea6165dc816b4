"""The web site: search the reports, narrow by facets, read passages in their report.

Every HTML page has a JSON twin under ``/api/``. Pages are plain HTML that works without JavaScript;
``static/app.js`` only adds conveniences. The app talks to the index only through
``search.engine.Engine`` (one per app, shared by all threads: see ``webui.searcher``).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from search import settings

from . import api, errors, pages, passages, searcher, security, templating


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(INDEX_DIR=settings.get("index_dir"))
    if test_config:
        app.config.from_mapping(test_config)
    app.config["INDEX_DIR"] = Path(app.config["INDEX_DIR"])
    # Chinese text reads better unescaped, and the engine's key order (query, filters, total, …) is
    # the documented shape: keep it.
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    searcher.init_app(app)
    templating.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(passages.bp)
    app.register_blueprint(api.bp)
    return app
