"""gunicorn's threaded worker, made to hold out against slow clients (``webui.server`` runs it).

gunicorn's gthread worker gives each connection a thread from the moment it has sent a first byte
until its response is written, reading the request head and body with blocking reads. With a few
threads, a dozen clients sending their headers a byte at a time, or a body slowly, held every
thread, and no other request was answered for as long as they lasted. So this worker:

- has many threads (``webui.server.THREADS_PER_WORKER``): a slow client costs a thread waiting on
  a socket, not a core;
- gives every request ``READ_SECONDS`` to arrive, head and body together, counted from the moment
  a thread takes the connection. Past it the connection's reading side is shut down (the worker's
  main loop checks every second): a client still sending headers is dropped, one still sending a
  body gets 408. An honest client sends a request of this site (at most 64 KiB) in well under it;
- reads the body (at most the app's cap; a larger one is left to the app to refuse unread) before
  the app runs, so the deadline covers it and the app never waits on a client;
- answers a ``SCRIPT_NAME`` that does not prefix the path (a proxy's header, or the environment)
  with 404, where gunicorn says 500.
"""

from __future__ import annotations

import io
import json
import socket
import threading
import time

from gunicorn.http.errors import ConfigurationProblem
from gunicorn.workers.gthread import ThreadWorker

from . import MAX_CONTENT_LENGTH

READ_SECONDS = 10.0
TIMEOUT_CODE = "timeout"  # the JSON error's code for a request not sent in time
TIMED_OUT = "请求没有在 {seconds:g} 秒内发送完，连接已关闭；请重试".format(seconds=READ_SECONDS)
NO_SUCH_PAGE = "没有这个页面：网址不在本站的路径（SCRIPT_NAME）之下，请检查网址或代理的设置"


class SiteWorker(ThreadWorker):
    """gthread with a deadline for reading each request (see the module docstring)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._deadlines: dict[object, float] = {}  # connection still being read → when it must be read
        self._deadlines_lock = threading.Lock()
        self._reading = threading.local()  # the connection this thread reads, for the body reader

    def load_wsgi(self):
        super().load_wsgi()
        self.wsgi = ReadBodyFirst(self.wsgi, self.read_done)

    def handle(self, conn):
        with self._deadlines_lock:
            self._deadlines[conn] = time.monotonic() + READ_SECONDS
        self._reading.conn = conn
        try:
            return super().handle(conn)
        finally:
            self.read_done()

    def read_done(self) -> None:
        """This thread's request has been read: its deadline no longer applies."""
        conn, self._reading.conn = getattr(self._reading, "conn", None), None
        with self._deadlines_lock:
            self._deadlines.pop(conn, None)

    def murder_keepalived(self, force=False):
        # Called by the main loop at least once a second: the place to enforce the deadlines too.
        super().murder_keepalived(force)
        now = time.monotonic()
        with self._deadlines_lock:
            late = [conn for conn, deadline in self._deadlines.items() if deadline <= now]
            for conn in late:
                del self._deadlines[conn]
        for conn in late:
            try:
                # The thread blocked in recv() wakes up with an end of file and lets go.
                conn.sock.shutdown(socket.SHUT_RD)
            except OSError:
                pass  # already closed

    def handle_error(self, req, client, addr, exc):
        if not isinstance(exc, ConfigurationProblem):
            return super().handle_error(req, client, addr, exc)
        path = getattr(req, "path", "") or ""
        if path.startswith("/api/"):
            body, kind = json.dumps({"error": NO_SUCH_PAGE, "code": "not_found"}, ensure_ascii=False), "application/json"
        else:
            body, kind = f"<!doctype html><meta charset=utf-8><title>没有这个页面</title><p>{NO_SUCH_PAGE}</p>", "text/html"
        data = body.encode("utf-8")
        head = (f"HTTP/1.1 404 Not Found\r\nContent-Type: {kind}; charset=utf-8\r\n"
                f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n").encode("ascii")
        try:
            client.sendall(head + data)
        except OSError:
            pass  # the client has gone


class ReadBodyFirst:
    """WSGI middleware: read the request body (up to the app's cap) before the app runs, then say
    so (``read_done``). A body over the cap is not read: the app refuses it from its length."""

    def __init__(self, app, read_done, cap: int = MAX_CONTENT_LENGTH):
        self.app = app
        self.read_done = read_done
        self.cap = cap

    def __call__(self, environ, start_response):
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # the app answers a bad length
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if (length or chunked) and length <= self.cap:
            want = length if length else self.cap + 1
            try:
                body = environ["wsgi.input"].read(want)
            except Exception:  # cut short by the deadline, or the client went away
                body = None
            if body is None or (length and len(body) < length):
                self.read_done()
                return timed_out(environ, start_response)
            environ["wsgi.input"] = io.BytesIO(body)
            if chunked:  # the app reads a known length
                environ["CONTENT_LENGTH"] = str(len(body))
        self.read_done()
        return self.app(environ, start_response)


def timed_out(environ, start_response):
    if environ.get("PATH_INFO", "").startswith("/api/"):
        body, kind = json.dumps({"error": TIMED_OUT, "code": TIMEOUT_CODE}, ensure_ascii=False), "application/json"
    else:
        body, kind = TIMED_OUT, "text/plain"
    data = body.encode("utf-8")
    start_response("408 Request Timeout", [("Content-Type", f"{kind}; charset=utf-8"),
                                           ("Content-Length", str(len(data))), ("Connection", "close")])
    return [data]
