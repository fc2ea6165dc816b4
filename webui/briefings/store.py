"""The one briefing store of an app (``search.briefings.store.BriefingStore``), like ``webui.site.searcher``.

The database is ``app.config["BRIEFINGS_DB"]``, by default ``briefings.sqlite3`` in Flask's instance
folder. The store opens a connection per operation, so it is shared by every request and thread;
it is created on first use, so an app that never touches a briefing never creates the file.
"""

from __future__ import annotations

import os
import threading

from flask import Flask, current_app
from werkzeug.routing import BaseConverter

from search.briefings.store import BriefingStore
from search.briefings.model import with_status
from search.errors import IndexUnavailable

from ..site.searcher import get_engine

_EXTENSION = "policy_search.briefings"
_LOCK = threading.Lock()


class BriefingIdConverter(BaseConverter):
    """Briefing ids are URL-safe base64 (``secrets.token_urlsafe``): no dot, so ``/b/<id>.md`` is
    unambiguous, and anything else is a 404 before it reaches the database."""

    regex = r"[A-Za-z0-9_-]{1,64}"


class ItemIdConverter(BaseConverter):
    """An item id: a positive integer of at most 18 digits, so it fits SQLite's integers (a larger
    one would be a 500, not a 404). Checked by the pattern, so a wrong one is a plain 404."""

    regex = r"[1-9][0-9]{0,17}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


def init_app(app: Flask) -> None:
    app.config.setdefault("BRIEFINGS_DB", os.path.join(app.instance_path, "briefings.sqlite3"))
    app.config.setdefault("BRIEFINGS_BUSY_SECONDS", 2.0)
    # Before the blueprints that use them.
    app.url_map.converters.update(bid=BriefingIdConverter, iid=ItemIdConverter)
    app.extensions[_EXTENSION] = None


def get_store() -> BriefingStore:
    app = current_app._get_current_object()
    if app.extensions[_EXTENSION] is None:
        with _LOCK:  # two first requests at once must not both run the migrations
            if app.extensions[_EXTENSION] is None:
                app.extensions[_EXTENSION] = BriefingStore(app.config["BRIEFINGS_DB"],
                                                           busy_seconds=app.config["BRIEFINGS_BUSY_SECONDS"])
    return app.extensions[_EXTENSION]


def load_with_status(briefing_id: str) -> dict:
    """The briefing, each item marked ok, changed or missing; without an index, items are shown
    from their snapshots and marked nothing (status None): a briefing outlives its index."""
    briefing = get_store().get(briefing_id)
    try:
        return with_status(briefing, get_engine())
    except IndexUnavailable:
        for item in briefing["items"]:
            item["status"], item["current_text"] = None, None
        return briefing
