"""Misbehaving people and processes: a rebuild under load, a build killed with SIGKILL, hostile text.

Everything runs on 127.0.0.1 with bounded loops that stop by themselves.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

from html.parser import HTMLParser

import pytest

from search.whoosh_index import store
from search.engine import Engine
from search.whoosh_index.indexing import build
from webui.server import make_server

from .conftest import MINI_REPORT, SEEDS, write_report

CLI = [sys.executable, "-c", "from search.cli import cli; cli()"]


def run_server(index_dir: Path, tmp_path: Path):
    config = {"BRIEFINGS_DB": tmp_path / "b.sqlite3", "SECRET_KEY": "hardening", "RATE_LIMIT": 0}
    server = make_server(index_dir, host="127.0.0.1", port=0, threads=8, config=config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    return server, thread


def get(port: int, path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        conn.close()


def test_rebuild_under_load_fails_no_request_and_switches(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for path in sorted(SEEDS.glob("*.txt"))[:2]:
        shutil.copy(path, src / path.name)
    index = tmp_path / "index"
    build(src, index)
    server, thread = run_server(index, tmp_path)
    port = server.effective_port
    before = Engine(index).search("发展")["total"]
    statuses, totals, stop = [], [], threading.Event()

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        deadline = time.monotonic() + 120
        while not stop.is_set() and time.monotonic() < deadline:
            conn.request("GET", "/api/search?q=" + quote("发展") + "&per_page=1")
            response = conn.getresponse()
            body = response.read()
            statuses.append(response.status)
            if response.status == 200:
                import json

                totals.append(json.loads(body)["total"])
        conn.close()

    clients = [threading.Thread(target=client) for _ in range(8)]
    for c in clients:
        c.start()
    try:
        time.sleep(0.5)
        for path in sorted(SEEDS.glob("*.txt"))[2:]:
            shutil.copy(path, src / path.name)
        result = subprocess.run([*CLI, "build", "--source", str(src), "--index", str(index)],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        switched_at = time.monotonic()
        after = Engine(index).search("发展")["total"]
        assert after > before
        # Answers switch to the new index within seconds.
        while time.monotonic() - switched_at < 10 and (not totals or totals[-1] != after):
            time.sleep(0.1)
    finally:
        stop.set()
        for c in clients:
            c.join(timeout=30)
        server.close()
        thread.join(timeout=5)
    assert len(statuses) > 50
    assert set(statuses) == {200}, [s for s in statuses if s != 200][:5]
    assert totals[0] == before and totals[-1] == after


@pytest.mark.parametrize("delay", [0.3, 1.5, 3.0, 5.0])
def test_a_build_killed_at_any_point_leaves_the_old_index_serving(tmp_path, delay):
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(sorted(SEEDS.glob("*.txt"))[0], src)
    index = tmp_path / "index"
    build(src, index)
    served = store.current_generation(index)
    engine = Engine(index)
    total = engine.search("发展")["total"]
    for path in SEEDS.glob("*.txt"):
        shutil.copy(path, src / path.name)
    proc = subprocess.Popen([*CLI, "build", "--source", str(src), "--index", str(index)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    current = store.current_generation(index)
    if current == served:  # killed before the switch: the old index is untouched and serving
        assert Engine(index).search("发展")["total"] == total
        assert engine.search("发展")["total"] == total
    else:  # the build had finished: the new index is complete
        assert (current / store.META).exists()
    result = subprocess.run([*CLI, "build", "--source", str(src), "--index", str(index)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert Engine(index).search("发展")["total"] > total
    assert len(list(index.glob("gen-*"))) <= 2


def test_an_add_during_a_build_is_refused_and_the_build_completes(tmp_path):
    # With the old lock an add could take over a running build's lock and delete its folder.
    index = tmp_path / "index"
    build_proc = subprocess.Popen([*CLI, "build", "--source", str(SEEDS), "--index", str(index)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lock = index / store.LOCK
    deadline = time.monotonic() + 120
    while not (lock.exists() and lock.read_text().strip() == str(build_proc.pid)):
        assert build_proc.poll() is None and time.monotonic() < deadline, "the build never held the lock"
        time.sleep(0.02)
    report = write_report(tmp_path, "mini.txt", MINI_REPORT)
    added = subprocess.run([*CLI, "add", str(report), "--index", str(index)], capture_output=True, text=True,
                           timeout=300)
    assert added.returncode == 1
    assert added.stderr.strip() == f"Error: 另一个构建正在进行（进程 {build_proc.pid}），请等它结束"
    _, errors = build_proc.communicate(timeout=300)
    assert build_proc.returncode == 0, errors
    assert Engine(index).search("", county=["奉节"])["total"] > 0
    subprocess.run([*CLI, "add", str(report), "--index", str(index)], check=True, capture_output=True, timeout=300)
    assert Engine(index).search("", county=["巫山"])["total"] > 0


XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "<iframe src=javascript:alert(1)>",
    "<body onload=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "{{7*7}}",
    "{% raw %}<script>{% endraw %}",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "<object data=javascript:alert(1)>",
    "<meta http-equiv=refresh content=0;url=javascript:alert(1)>",
    "<style>*{background:url(javascript:alert(1))}</style>",
    "</textarea><script>alert(1)</script>",
]
class _Elements(HTMLParser):
    """Every element and attribute the browser would build from a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def assert_inert(html: str) -> None:
    parser = _Elements()
    parser.feed(html)
    tags = [tag for tag, _ in parser.elements]
    assert tags.count("body") == 1 and tags.count("html") == 1
    for tag, attrs in parser.elements:
        assert tag not in ("iframe", "object", "embed", "math", "style", "mglyph"), (tag, attrs)
        if tag == "meta":
            assert "http-equiv" not in attrs, attrs
        if tag == "script":
            assert (attrs.get("src") or "").startswith("/static/"), attrs  # only our own static file
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in ("href", "src", "action", "formaction", "data", "xlink:href"):
                assert not (value or "").strip().lower().startswith("javascript:"), (tag, name, value)
        if tag == "input":
            assert "autofocus" not in attrs or attrs.get("name") == "q", attrs


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    """A site over one report whose own text carries every payload."""
    src = tmp_path_factory.mktemp("hostile-src")
    body = "\n".join(f"恶意文本{i}：{p}。" for i, p in enumerate(XSS))
    write_report(src, "hostile.txt", MINI_REPORT + body + "\n")
    index = tmp_path_factory.mktemp("hostile-index")
    build(src, index)
    server, thread = run_server(index, tmp_path_factory.mktemp("hostile-db"))
    yield server.effective_port, Engine(index)
    server.close()
    thread.join(timeout=5)


@pytest.mark.parametrize("payload", XSS)
def test_payload_in_a_query_is_inert(hostile_site, payload):
    port, _ = hostile_site
    status, html = get(port, "/search?q=" + quote(payload))
    assert status in (200, 400)
    assert_inert(html)
    if payload == "{{7*7}}":
        assert "{{7*7}}" in html  # echoed as text, never evaluated as a template


def test_payloads_in_a_report_are_inert(hostile_site):
    port, engine = hostile_site
    hits = engine.search("恶意文本", per_page=50)["hits"]
    assert len(hits) == len(XSS)
    status, html = get(port, "/search?q=" + quote("恶意文本") + "&per_page=50")
    assert status == 200
    assert_inert(html)
    status, html = get(port, f"/reports/{hits[0]['report_id']}")
    assert status == 200 and "恶意文本0" in html
    assert_inert(html)
    for hit in hits[:5]:
        status, html = get(port, f"/p/{hit['id']}")
        assert status == 200
        assert_inert(html)
