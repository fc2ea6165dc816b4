"""Briefings (简报): the pages (``pages``, blueprint ``briefings``), the JSON API (``api``, blueprint
``briefing_api``), the exports (``exports``), the store of an app (``store``) and what their error
pages say (``errors``).

May import: ``search.*`` and ``webui.site``. Never another feature package: links to passages and
searches go through their endpoint names.
"""

from __future__ import annotations

from flask import Flask

from . import api, pages, store


def init_app(app: Flask) -> None:
    store.init_app(app)  # before the blueprints: it adds the URL converters they use
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
