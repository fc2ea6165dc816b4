"""The web site: search the reports, narrow by facets, read passages in their report, and collect
passages into briefings (简报) to share and export.

Every HTML page has a JSON twin under ``/api/``. Pages are plain HTML that works without JavaScript;
``static/app.js`` only adds conveniences. The app talks to the index only through
``search.engine.Engine`` (one per app, shared by all threads: see ``webui.site.searcher``), and to the
briefings only through ``search.briefings.store.BriefingStore`` (see ``webui.briefings.store``).

Config: ``INDEX_DIR``; ``BRIEFINGS_DB`` (default: ``briefings.sqlite3`` in the instance folder);
``SECRET_KEY`` (default: a random key kept in the instance folder); ``MAX_CONTENT_LENGTH``;
``RATE_LIMIT`` (tokens a minute per client on the API, forms and expensive pages; an ordinary request
costs one) and ``RATE_LIMIT_LOOPBACK`` (limit this machine's clients too; see ``webui.site.limits``);
``ADMIN_TOKEN`` (the maintainer's pages for adding reports exist only with one: ``webui.admin``).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from search import settings

from . import admin, briefings, figures, saved, searching
from .site import errors, limits, parameters, searcher, security, sessions, templating

# No form or JSON body of the site comes near this (an intro of 5000 characters, form-encoded, is
# about 45 KiB); anything bigger is refused with 413 before it is read.
MAX_CONTENT_LENGTH = 64 * 1024


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    # A doubled slash (/api/passages//x) is a 404 in the page's own language, not an HTML redirect
    # from Werkzeug that an API client would not expect.
    app.url_map.merge_slashes = False
    app.config.from_mapping(INDEX_DIR=settings.get("index_dir"), MAX_CONTENT_LENGTH=MAX_CONTENT_LENGTH)
    if test_config:
        app.config.from_mapping(test_config)
    app.config["INDEX_DIR"] = Path(app.config["INDEX_DIR"])
    # Chinese text reads better unescaped, and the engine's key order (query, filters, total, …) is
    # the documented shape: keep it.
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    searcher.init_app(app)
    sessions.init_app(app)
    templating.init_app(app)
    security.init_app(app)
    limits.init_app(app)
    errors.init_app(app)
    parameters.init_app(app)
    searching.init_app(app)
    briefings.init_app(app)
    figures.init_app(app)
    admin.init_app(app)
    saved.init_app(app)
    return app
