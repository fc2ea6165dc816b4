"""The production servers: gunicorn's workers (Linux) and waitress (one process, the fallback).

Each server is driven over a real socket, with raw requests where the point is what a client
sends before the app sees it: a body claiming 1 GiB, oversized headers, unencoded UTF-8 in a URL.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from search.whoosh_index.indexing import build
from webui import MAX_CONTENT_LENGTH
from webui.server import make_server

from .conftest import ROOT, SEEDS

needs_gunicorn = pytest.mark.skipif(sys.platform == "win32", reason="gunicorn runs on POSIX systems only")

SERVE = """
import sys
from pathlib import Path
from webui.server import serve
index, workers, folder = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
config = {"BRIEFINGS_DB": folder / "b.sqlite3", "SECRET_KEY": "test", "RATE_LIMIT": 0}
serve(Path(index), port=0, workers=workers, config=config, announce=lambda line: print(line, flush=True))
"""


class ServeProcess:
    """``webui.server.serve`` in a child process on a free port, as ``policy-search serve`` runs it."""

    def __init__(self, index: Path, workers: int, folder: Path):
        self.proc = subprocess.Popen([sys.executable, "-c", SERVE, str(index), str(workers), str(folder)],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.announced = self.proc.stdout.readline().strip()  # "serving http://127.0.0.1:PORT/ with …"
        assert self.announced.startswith("serving http://127.0.0.1:"), self.announced
        self.port = int(self.announced.split(":")[2].split("/")[0])
        wait_until_ready(self.port)

    def workers(self, expected: int = 0, timeout: float = 30) -> list[int]:
        """gunicorn's worker processes. The port answers as soon as the first worker runs, before
        the arbiter has forked the rest: wait (up to ``timeout``) until ``expected`` are there."""
        deadline = time.monotonic() + timeout
        while True:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
            if len(children) >= expected or time.monotonic() > deadline:
                return [int(pid) for pid in children]
            time.sleep(0.05)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()


def wait_until_ready(port: int, attempts: int = 600) -> None:
    for _ in range(attempts):
        try:
            if get_json(port, "/api/reports")[0] == 200:
                return
        except OSError:
            threading.Event().wait(0.1)
    raise AssertionError("the server did not answer")


def get_json(port: int, path: str) -> tuple[int, dict]:
    """A GET on a fresh connection (so that any worker may take it)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        return response.status, json.loads(body) if response.getheader("Content-Type", "").startswith(
            "application/json") else {}
    finally:
        connection.close()


def exchange(port: int, request: bytes, timeout: float = 15) -> tuple[int, bytes]:
    """Send raw bytes; the status and body of the answer, read as far as its Content-Length (the
    server may keep the connection open, waiting for the rest of what was announced)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        try:
            conn.sendall(request)
        except (BrokenPipeError, ConnectionResetError):  # refused before all was sent: read the answer
            pass
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        length = next((int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:")), 0)
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
    return int(lines[0].split()[1]), body


@pytest.fixture(scope="module")
def waitress_site(seed_index, tmp_path_factory):
    folder = tmp_path_factory.mktemp("waitress")
    server = make_server(seed_index, port=0, threads=4,
                         config={"BRIEFINGS_DB": folder / "b.sqlite3", "SECRET_KEY": "test", "RATE_LIMIT": 0})
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield server.effective_port
    server.close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def gunicorn_site(seed_index, tmp_path_factory):
    if sys.platform == "win32":
        pytest.skip("gunicorn runs on POSIX systems only")
    site = ServeProcess(seed_index, 2, tmp_path_factory.mktemp("gunicorn"))
    yield site
    site.stop()


@pytest.fixture(params=["waitress", "gunicorn"])
def port(request):
    if request.param == "waitress":
        return request.getfixturevalue("waitress_site")
    return request.getfixturevalue("gunicorn_site").port


def post_json(path: str, length: int, body: bytes = b"") -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {length}\r\n\r\n").encode() + body


# -- limits ----------------------------------------------------------------------------------------


def test_a_body_claiming_half_a_gibibyte_is_refused_before_it_is_read(port):
    # Only a kilobyte follows the headers: an answer can only come before the body was read.
    # (waitress used to read up to 1 GiB before the app's 64 KiB cap could apply.)
    status, _ = exchange(port, post_json("/api/briefings", 2**29, b"{" + b" " * 1023))
    assert status == 413


def test_a_body_at_the_cap_still_reaches_the_app(port):
    prefix, suffix = b'{"title": "', b'"}'
    body = prefix + b"x" * (MAX_CONTENT_LENGTH - len(prefix) - len(suffix)) + suffix
    status, answer = exchange(port, post_json("/api/briefings", len(body), body))
    assert status == 400 and "标题" in json.loads(answer)["error"]  # the app's own answer: too long a title


def test_headers_past_the_limit_are_refused_unread(port):
    cookie = "a=" + "x" * 200_000
    status, _ = exchange(port, f"GET /api/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n\r\n".encode())
    assert status in (400, 431)  # gunicorn measures each header (400), waitress all of them (431)


# -- URLs ------------------------------------------------------------------------------------------


def test_raw_utf8_in_a_url_gets_the_servers_400_and_the_readme_shows_the_way_that_works(port):
    """Neither waitress nor gunicorn accepts unencoded UTF-8 in a request line (both check it
    before the app could), so the README shows ``curl -G --data-urlencode``, which encodes."""
    raw = "GET /api/search?q=GDP&county=奉节 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    status, _ = exchange(port, raw.encode("utf-8"))
    assert status == 400
    # What `curl -G --data-urlencode 'q=GDP' --data-urlencode 'county=奉节' …` sends.
    status, data = get_json(port, f"/api/search?q=GDP&county={quote('奉节')}")
    assert status == 200 and data["filters"]["place"] == ["重庆市奉节县"] and data["total"] > 0
    assert "curl -G --data-urlencode" in (ROOT / "README.md").read_text(encoding="utf-8")


# -- gunicorn's workers ----------------------------------------------------------------------------


@needs_gunicorn
def test_serve_runs_the_asked_number_of_gunicorn_workers_and_spreads_requests_over_them(gunicorn_site):
    assert "with gunicorn, 2 workers" in gunicorn_site.announced
    assert len(gunicorn_site.workers(expected=2)) == 2
    # A kept-alive connection would stay with one worker: each response closes it instead.
    connection = http.client.HTTPConnection("127.0.0.1", gunicorn_site.port, timeout=30)
    try:
        connection.request("GET", "/api/reports")
        response = connection.getresponse()
        response.read()
        assert response.getheader("Connection") == "close"
    finally:
        connection.close()


@needs_gunicorn
def test_one_worker_is_served_by_waitress(seed_index, tmp_path):
    site = ServeProcess(seed_index, 1, tmp_path)
    try:
        assert "with waitress" in site.announced
        assert get_json(site.port, "/api/search?q=" + quote("森林覆盖率"))[1]["total"] > 0
    finally:
        site.stop()


def _open_files(pid: int) -> list[str]:
    folder = Path(f"/proc/{pid}/fd")
    names = []
    for fd in folder.iterdir():
        try:
            names.append(os.readlink(fd))
        except OSError:  # closed meanwhile
            pass
    return names


@needs_gunicorn
def test_every_worker_serves_a_rebuilt_index_and_the_master_holds_none_of_it(tmp_path):
    seeds = sorted(SEEDS.glob("*.txt"))
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, seed in ((first, seeds[0]), (second, seeds[1])):
        folder.mkdir()
        shutil.copy(seed, folder / seed.name)
    index = tmp_path / "index"
    build(first, index)
    site = ServeProcess(index, 2, tmp_path)
    try:
        before = {tuple(r["id"] for r in get_json(site.port, "/api/reports")[1]["reports"]) for _ in range(10)}
        # A file the master opened before forking would share its read offset with every worker.
        assert not [name for name in _open_files(site.proc.pid) if name.startswith(str(index))]
        build(second, index)
        # Fresh connections, so that both workers answer; each must have switched on its own.
        after = {tuple(r["id"] for r in get_json(site.port, "/api/reports")[1]["reports"]) for _ in range(30)}
        assert len(before) == 1 and len(after) == 1 and before != after
        assert {pid for pid in site.workers(expected=2) for name in _open_files(pid) if name.startswith(str(index))} == \
            set(site.workers())  # both workers opened the index themselves
    finally:
        site.stop()


# -- what a client may send wrong: the site's own answer on both servers ----------------------------


def test_a_query_over_the_length_limit_gets_the_sites_chinese_400(port):
    # About 905 Chinese characters used to pass gunicorn's request-line limit and get its English 414.
    q = quote("中" * 1000)
    status, data = get_json(port, f"/api/search?q={q}")
    assert status == 400 and data["code"] == "bad_query" and "最多只能有 200 个" in data["error"]
    status, page = exchange(port, f"GET /search?q={q} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    assert status == 400 and "最多只能有 200 个" in page.decode("utf-8")


def test_json_nested_past_the_parsers_depth_is_bad_json(port):
    body = b"[" * 50_000  # well under the 64 KiB cap; the parser gives up long before the end
    status, answer = exchange(port, post_json("/api/briefings", len(body), body))
    assert status == 400 and json.loads(answer)["code"] == "bad_json"


@needs_gunicorn
@pytest.mark.parametrize("path, kind", [
    ("/api/reports", "application/json"),  # the API's error shape
    ("/", "text/html"),
])
def test_a_script_name_the_path_is_not_under_is_a_404_not_a_500(gunicorn_site, path, kind):
    # gunicorn believes a SCRIPT_NAME header from a proxy on this machine, and said 500 when the path
    # was not under it.
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nSCRIPT_NAME: /elsewhere\r\nConnection: close\r\n\r\n"
    status, body = exchange(gunicorn_site.port, request.encode())
    assert status == 404 and "没有这个页面" in body.decode("utf-8")
    if kind == "application/json":
        assert json.loads(body)["code"] == "not_found"
