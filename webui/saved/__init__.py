"""Saved searches (保存的检索) on the site: the 保存此搜索 form on the results page, the saved
search's private page with what is new since the last visit, its Atom feed (``pages``, blueprint
``saved``), ``POST /api/saved-searches`` (``api``, blueprint ``saved_api``) and the store of an app
(``store``).

May import: ``search.*`` and ``webui.site``. Never another feature package: links to searches and
passages go through their endpoint names.
"""

from __future__ import annotations

from flask import Flask

from . import api, pages, store


def init_app(app: Flask) -> None:
    store.init_app(app)  # before the blueprints: it adds the URL converter they use
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.jinja_env.globals.update(save_search_form=pages.save_search_form)
