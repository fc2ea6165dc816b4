"""The one saved-search store of an app (``search.saved.store.SavedSearchStore``), and what saving
one means on the site: the engine checks the query and the filters and names them as it does in
every link (云阳 becomes 重庆市云阳县) before anything is kept.

The database is ``app.config["SAVED_SEARCHES_DB"]``, by default ``saved_searches.sqlite3`` in
Flask's instance folder, created on first use.
"""

from __future__ import annotations

import os
import threading

from flask import Flask, current_app, url_for
from werkzeug.routing import BaseConverter

from search.saved.model import FEED_ENTRIES, FILTER_NAMES
from search.saved.store import SavedSearchStore

from ..site.searcher import get_engine

_EXTENSION = "policy_search.saved_searches"
_LOCK = threading.Lock()


class SavedIdConverter(BaseConverter):
    """Ids are URL-safe base64 (``secrets.token_urlsafe``): no dot, so ``/saved/<id>.atom`` is
    unambiguous, and anything else is a 404 before it reaches the database."""

    regex = r"[A-Za-z0-9_-]{1,64}"


def init_app(app: Flask) -> None:
    app.config.setdefault("SAVED_SEARCHES_DB", os.path.join(app.instance_path, "saved_searches.sqlite3"))
    app.url_map.converters.update(sid=SavedIdConverter)
    app.extensions[_EXTENSION] = None


def get_store() -> SavedSearchStore:
    app = current_app._get_current_object()
    if app.extensions[_EXTENSION] is None:
        with _LOCK:  # two first requests at once must not both create the table
            if app.extensions[_EXTENSION] is None:
                app.extensions[_EXTENSION] = SavedSearchStore(app.config["SAVED_SEARCHES_DB"])
    return app.extensions[_EXTENSION]


def save(q: str, filters: dict[str, list[str]]) -> dict:
    """Check the search with the engine (a refused query or an unknown filter value raises its
    ``UserError``), keep it as the engine named it; its id, token and addresses."""
    result = get_engine().search(q, **filters, per_page=1)
    named = {name: result["filters"][name] for name in FILTER_NAMES if result["filters"].get(name)}
    made = get_store().create(result["query"].strip(), named)
    return {**made, "url": url_for("saved.view", saved_id=made["id"], token=made["token"], _external=True),
            "feed_url": url_for("saved.feed", saved_id=made["id"], token=made["token"], _external=True),
            "query": result["query"].strip(), "filters": named}


def arrivals(saved: dict) -> dict:
    """What the saved search matches now, newest report first (``Engine.arrivals``)."""
    return get_engine().arrivals(saved["query"], **saved["filters"], limit=FEED_ENTRIES)
