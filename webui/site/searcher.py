"""The one search engine of an app, shared by every request and thread.

``Engine`` is thread-safe and reopens the index itself when a rebuild switches generations, so
unlike flaskr's per-request database connection there is nothing to open or close per request.
"""

from __future__ import annotations

from flask import Flask, current_app

from search.engine import Engine

_EXTENSION = "policy_search.engine"


def init_app(app: Flask) -> None:
    # Opening is lazy (first request), so the app starts even before the index is built and a
    # missing index becomes an explanatory page rather than a crash at start-up.
    app.extensions[_EXTENSION] = Engine(app.config["INDEX_DIR"])


def get_engine() -> Engine:
    return current_app.extensions[_EXTENSION]
