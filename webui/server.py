"""The production server: waitress (pure Python, so it runs on Windows too), with a request log.

``policy-search serve`` builds the index when it is missing and then calls ``serve``; tests call
``make_server`` with port 0 and run it in a thread.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote_plus

import waitress

from search.errors import UserError

from . import create_app
from .searcher import get_engine

log = logging.getLogger("webui.requests")


class RequestLog:
    """WSGI middleware: one line per request (method, path and query, status, milliseconds).

    The time is taken when the server closes the response, so it includes sending the body.
    """

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        status = ["-"]

        def recording_start_response(status_line, headers, exc_info=None):
            status[0] = status_line.split(" ", 1)[0]
            return start_response(status_line, headers, exc_info)

        body = self.app(environ, recording_start_response)
        return _LoggedBody(body, lambda: self._log(environ, status[0], started))

    @staticmethod
    def _log(environ, status: str, started: float) -> None:
        path = environ.get("PATH_INFO", "")
        if environ.get("QUERY_STRING"):
            path += "?" + redact_tokens(environ["QUERY_STRING"])
        elapsed_ms = (time.perf_counter() - started) * 1000
        log.info("%s %s %s %.1f ms", environ.get("REQUEST_METHOD", "-"), path, status, elapsed_ms)


def redact_tokens(query_string: str) -> str:
    """The query string with the value of every ``token`` (a briefing's edit token) hidden: logs are
    read and kept by more people than the edit link is meant for. Names are compared decoded, as the
    site reads them (``%74oken=`` is ``token=`` too)."""
    parts = []
    for part in query_string.split("&"):
        name, equals, _ = part.partition("=")
        parts.append(f"{name}=***" if equals and unquote_plus(name) == "token" else part)
    return "&".join(parts)


class _LoggedBody:
    """A response body that reports when the server is done with it (PEP 3333 ``close``)."""

    def __init__(self, body, on_close):
        self.body = body
        self.on_close = on_close

    def __iter__(self):
        return iter(self.body)

    def close(self):
        try:
            if hasattr(self.body, "close"):
                self.body.close()
        finally:
            self.on_close()


def _configure_logging() -> None:
    # Only when nothing else has: a host application's logging setup wins.
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s")
    log.setLevel(logging.INFO)


def make_server(index_dir: Path, host: str = "127.0.0.1", port: int = 8000, threads: int = 8,
                warm: bool = False, config: dict | None = None):
    """A waitress server for the site over ``index_dir``; port 0 picks a free port
    (``server.effective_port``). Call ``run()`` to serve and ``close()`` to stop. ``config`` adds
    to the app's config (tests give their own ``BRIEFINGS_DB`` and ``SECRET_KEY``)."""
    app = create_app({**(config or {}), "INDEX_DIR": Path(index_dir)})
    if warm:
        warm_up(app)
    return StoppableServer(waitress.create_server(RequestLog(app), host=host, port=port, threads=threads,
                                                  ident="policy-search"))


class StoppableServer:
    """A waitress server whose ``close()`` from another thread ends ``run()`` quietly.

    Closing the listening socket under waitress's running select loop can make that loop fail with
    EBADF; after ``close()`` that is the expected way for ``run()`` to end, not an error.
    """

    def __init__(self, server):
        self._server = server
        self._closing = threading.Event()

    def __getattr__(self, name):
        return getattr(self._server, name)

    def run(self) -> None:
        try:
            self._server.run()
        except (OSError, ValueError):
            if not self._closing.is_set():
                raise

    def close(self) -> None:
        self._closing.set()
        self._server.close()


def warm_up(app) -> None:
    """Open the index and load the word segmenter's dictionary now, so the first visitor does not
    wait for them (about a second and a half)."""
    with app.app_context():
        try:
            get_engine().search("森林覆盖率", per_page=1)
        except UserError as exc:  # no index yet: each request will explain it
            log.warning("index not ready: %s", exc)


def serve(index_dir: Path, host: str = "127.0.0.1", port: int = 8000, threads: int = 8) -> None:
    _configure_logging()
    server = make_server(index_dir, host=host, port=port, threads=threads, warm=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
