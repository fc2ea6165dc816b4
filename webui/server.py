"""The production server, with a request log.

On Linux and macOS ``policy-search serve`` runs gunicorn: one worker process per core
(``--workers``), each with many threads (slow clients: ``webui.gunicorn_worker``), and no
keep-alive, so that requests spread over the workers. The app is created once in the master and preloaded into the forked workers: the imported
code, the compiled templates, the session key and the briefings database's migrations are done once.
The master never opens the index: a file opened before the fork would share its read offset with
every worker (Whoosh seeks, then reads), so each worker opens the generation named by CURRENT
itself, warms it up as it starts, and reopens it on its own when a build or add switches CURRENT
(``search.engine.Engine`` checks on every request). Index files are read, not mapped, so the workers
share their pages in the kernel's page cache. Each worker has its own query caches and rate-limit
buckets (see docs/operations.md).

waitress (pure Python) serves where gunicorn cannot run (Windows, or gunicorn missing) and for a
single process (``--workers 1``); tests call ``make_server`` with port 0 and run it in a thread.

Both servers refuse what the app would refuse anyway before reading it: request bodies over the
app's 64 KiB cap (with the admin pages, twice their upload cap: ``webui.admin.body_limit``), and
oversized headers. Both also refuse a request line with raw non-ASCII bytes
(``/api/search?county=奉节`` typed into curl unencoded) with a plain 400 of their own; browsers
percent-encode, and the README shows ``curl -G --data-urlencode``.
"""

from __future__ import annotations

import errno
import logging
import os
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Callable
from urllib.parse import unquote_plus

from search.errors import UserError

from . import admin, create_app
from .site.limits import MAX_QUERY_STRING
from .site.searcher import get_engine

# Request line and headers: room for a query string just over the app's cap, so that the app's
# own 414 explains it, and for ordinary headers; anything bigger is refused unread (431).
MAX_HEADER_BYTES = 2 * MAX_QUERY_STRING
# 0 is gunicorn's "no limit of its own" (it still stops at 1 MiB): at its highest limit, 8190, a
# query of about 905 Chinese characters got gunicorn's English 414, where waitress lets the app say
# in Chinese that a query is at most 200 characters (and, past 64 KiB, that the URL is too long).
GUNICORN_MAX_REQUEST_LINE = 0
GUNICORN_MAX_HEADER_FIELDS = 50  # Chromium sends about 20; proxies add a few
GUNICORN_MAX_HEADER_FIELD = 8190
WAITRESS_CONNECTION_LIMIT = 1000
WAITRESS_IDLE_SECONDS = 10
# Connections one gunicorn worker serves at once, slow clients included: each waits on its socket in
# a thread of its own, for at most webui.gunicorn_worker.READ_SECONDS. 20 slow clients spread over 2
# workers leave most threads to everyone else (bench/slow_clients.py).
THREADS_PER_WORKER = 32


class PortUnavailable(UserError):
    """The address to serve on is taken or cannot be used."""


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
                warm: bool = False, config: dict | None = None, sock: socket.socket | None = None):
    """A waitress server for the site over ``index_dir``; port 0 picks a free port
    (``server.effective_port``), ``sock`` serves an already listening socket instead. Call
    ``run()`` to serve and ``close()`` to stop. ``config`` adds to the app's config (tests give
    their own ``BRIEFINGS_DB`` and ``SECRET_KEY``)."""
    import waitress

    app = create_app({**(config or {}), "INDEX_DIR": Path(index_dir)})
    if warm:
        warm_up(app)
    where = {"sockets": [sock]} if sock is not None else {"host": host, "port": port}
    # waitress reads a whole body before the app sees it, so the app's cap must be waitress's too
    # (it refuses a body of max_request_body_size bytes or more, unread).
    body_limit = admin.body_limit(app) + 1
    return StoppableServer(waitress.create_server(
        RequestLog(app), threads=threads, ident="policy-search",
        max_request_body_size=body_limit, max_request_header_size=MAX_HEADER_BYTES,
        # waitress reads requests in its event loop, so slow clients hold no thread; what they hold
        # is a connection. Past 100 of them (its default) it accepted nobody else: 120 idle
        # connections stopped the site. Room for many more, idle ones closed sooner (120 s by
        # default) and looked for every 2 s, and poll(), as select() stops at 1024 descriptors.
        connection_limit=WAITRESS_CONNECTION_LIMIT, channel_timeout=WAITRESS_IDLE_SECONDS,
        cleanup_interval=2, asyncore_use_poll=True,
        # waitress drops X-Forwarded-For and the like unless told to trust a proxy: a forwarded
        # request then looked like this machine's own, exempt from the rate limit (see
        # webui.site.limits.is_local). The app sees them; only ProxyFix, when applied, believes them.
        clear_untrusted_proxy_headers=False, **where))


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
    """Open the index and run one search now, so the first visitor does not wait for them."""
    with app.app_context():
        try:
            get_engine().search("森林覆盖率", per_page=1)
        except UserError as exc:  # no index yet: each request will explain it
            log.warning("index not ready: %s", exc)


def default_workers() -> int:
    """One worker process per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on host:port, bound before anything is announced, so that a port in use
    is one line saying so rather than a server's traceback."""
    if not 0 <= port <= 65535:
        raise PortUnavailable(f"端口须是 0 到 65535 之间的整数，不是 {port}：例如 policy-search serve --port 8000")
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        return socket.create_server((host, port), family=family, backlog=2048)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PortUnavailable(f"端口 {port} 已被占用（{host}:{port}）：请用 --port 换一个端口，"
                                  f"例如 policy-search serve --port {port + 1}") from None
        raise PortUnavailable(f"无法在 {host}:{port} 上提供服务（{exc.strerror or exc}）："
                              "请用 --host 和 --port 换一个地址") from None


def _gunicorn_application():
    """gunicorn's application base class, or None where gunicorn cannot run."""
    if sys.platform == "win32":
        return None
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:
        return None
    return BaseApplication


def serve(index_dir: Path, host: str = "127.0.0.1", port: int = 8000, workers: int | None = None,
          config: dict | None = None, announce: Callable[[str], None] | None = None) -> None:
    """Serve the site until interrupted: gunicorn with ``workers`` processes (default: one per
    core), or waitress for one process or where gunicorn cannot run. ``announce`` receives the
    line saying where the site is, once the port is held; a port in use raises ``PortUnavailable``."""
    _configure_logging()
    sock = listen(host, port)
    port = sock.getsockname()[1]
    workers = max(1, workers or default_workers())
    base = _gunicorn_application() if workers > 1 else None
    how = f"gunicorn, {workers} workers" if base else "waitress"
    if announce:
        where = f"[{host}]" if ":" in host else host  # an IPv6 address
        announce(f"serving http://{where}:{port}/ with {how} (Ctrl-C stops)")
    if base is None:
        server = make_server(index_dir, warm=True, config=config, sock=sock)
        try:
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()
        return
    from .gunicorn_worker import SiteWorker

    app = create_app({**(config or {}), "INDEX_DIR": Path(index_dir)})
    _prepare_for_workers(app)
    options = {
        "bind": [f"fd://{sock.detach()}"],  # gunicorn's listener owns the socket from here on
        "workers": workers,
        "worker_class": SiteWorker,
        "threads": THREADS_PER_WORKER,
        # A connection kept alive stays with the worker that accepted it, and one worker accepted
        # all 8 connections a client opened at once (measured), leaving the other cores idle.
        # Closed after each response, every request goes to whichever worker is free. (A new
        # connection that sends nothing holds a thread for 5 s, gunicorn's bound, then is closed.)
        "keepalive": 0,
        "preload_app": True,
        # In the background: a worker still opening a large index when gunicorn's timeout (30 s)
        # passes without its first heartbeat would be killed and started again, endlessly.
        "post_worker_init": lambda worker: threading.Thread(target=warm_up, args=(app,), daemon=True).start(),
        "limit_request_line": GUNICORN_MAX_REQUEST_LINE,
        "limit_request_fields": GUNICORN_MAX_HEADER_FIELDS,
        "limit_request_field_size": GUNICORN_MAX_HEADER_FIELD,
        "loglevel": "warning",  # the request log says the rest
    }

    class Site(base):
        def load_config(self):
            for name, value in options.items():
                self.cfg.set(name, value)

        def load(self):
            return RequestLog(app)

    Site().run()


def _prepare_for_workers(app) -> None:
    """What the master does once for every worker before forking: the briefings database's
    migrations (workers racing to run them would collide). Nothing here opens the index."""
    import sqlite3

    from .briefings.store import get_store

    with app.app_context():
        try:
            get_store()
        except (OSError, sqlite3.Error) as exc:  # each request that needs the database will say what is wrong
            log.warning("briefings database not ready: %s", exc)
