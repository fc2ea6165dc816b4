"""HTTP load on the production server (gunicorn on Linux, waitress elsewhere), over loopback only.

Starts ``policy-search serve`` on 127.0.0.1 in a child process, sends the benchmark's query set as
``/search`` pages and as ``/api/search`` JSON from ``CONCURRENCY`` keep-alive connections (these
repeat, so the server's caches answer them), then thousands of distinct result pages, each asked
for once (first-time pages, which the engine has to answer), and reads
the server's peak memory from /proc (summed over its processes). The load comes from wrk where it is
installed (a C client: a Python client on the same two cores took a large share of them), else from
Python threads for a fixed number of requests. Bounded in time; it stops the server itself.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.measures import QUERIES, percentile

CONCURRENCY = 8
REQUESTS_PER_CLIENT = 60
DEADLINE_S = 300


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


WRK_SECONDS = 10
FIRST_TIME_PAGES = 4000  # distinct result pages: more than 10 s of first-time pages at 8 connections


def _paths(endpoint: str = "/search", specs: list[dict] | None = None) -> list[str]:
    """The benchmark's fixed query set (or ``specs``) as URLs of ``endpoint``."""
    paths = []
    for spec in QUERIES if specs is None else specs:
        params = [("q", spec["q"])] + [(k, v) for k in ("county", "year", "section") for v in spec.get(k, [])]
        paths.append(f"{endpoint}?" + urlencode(params))
    return paths


def _tree(pid: int) -> list[int]:
    """The process and its descendants (gunicorn's workers)."""
    found, pending = [], [pid]
    while pending:
        p = pending.pop()
        found.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def _wrk(port: int, paths: list[str]) -> dict | None:
    """Requests per second and latencies from wrk, cycling through ``paths``; None without wrk."""
    if not shutil.which("wrk"):
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("paths = {" + ", ".join(json.dumps(p) for p in paths) + "}\n"
                     "i = 0\nrequest = function()\n  i = i + 1\n"
                     "  return wrk.format(\"GET\", paths[(i % #paths) + 1])\nend\n")
    try:
        out = subprocess.run(["wrk", "-t1", f"-c{CONCURRENCY}", f"-d{WRK_SECONDS}s", "--latency", "-s", script.name,
                              f"http://127.0.0.1:{port}"], capture_output=True, text=True, timeout=WRK_SECONDS + 60).stdout
    finally:
        os.unlink(script.name)

    def ms(label: str) -> float:
        m = re.search(rf"^\s*{re.escape(label)}\s+([\d.]+)(us|ms|s)\b", out, re.M)
        return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)] if m else float("nan")

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    total = re.search(r"(\d+) requests in", out)
    return {"requests": int(total.group(1)) if total else 0, "errors": int(bad.group(1)) if bad else 0,
            "rps": float(rps.group(1)) if rps else float("nan"), "p50_ms": ms("50%"), "p99_ms": ms("99%"),
            "client": "wrk"}


def _wait_ready(port: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/reports")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not become ready")


def _peak_rss_mb(pid: int) -> float:
    """Peak resident memory summed over the server's processes (pages the workers share with the
    preloaded parent are counted in each)."""
    total = 0.0
    for p in _tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            pass
    return total or float("nan")


def _client(port: int, paths: list[str], offset: int, latencies: list, errors: list, stop_at: float) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for i in range(REQUESTS_PER_CLIENT):
        if time.monotonic() > stop_at:
            break
        path = paths[(offset + i) % len(paths)]
        started = time.perf_counter()
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(response.status)
        except (OSError, http.client.HTTPException) as exc:
            errors.append(repr(exc))
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        latencies.append((time.perf_counter() - started) * 1000)
    conn.close()


def _python_load(port: int, paths: list[str]) -> dict:
    latencies: list[float] = []
    errors: list = []
    stop_at = time.monotonic() + DEADLINE_S
    threads = [threading.Thread(target=_client, args=(port, paths, n * 7, latencies, errors, stop_at))
               for n in range(CONCURRENCY)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {"requests": len(latencies), "errors": len(errors), "rps": len(latencies) / elapsed,
            "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99), "client": "python"}


def run_http(index_dir: Path, serve_args: tuple[str, ...] = (), env: dict | None = None,
             port: int | None = None, first_time_only: bool = False) -> dict:
    """Load ``policy-search serve`` (with ``serve_args``, e.g. another backend) on ``port``: the
    fixed pages and API again and again, then first-time pages (only those with ``first_time_only``)."""
    port = port or _free_port()
    env = {**os.environ, **(env or {}), "POLICY_SEARCH_RATE_LIMIT": "0"}  # one client sending 8 at once is the test
    proc = subprocess.Popen(
        [sys.executable, "-c", "from search.cli import cli; cli()", "serve", "--host", "127.0.0.1",
         "--port", str(port), "--index", str(index_dir), *serve_args],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_ready(port, proc)
        result = {"html": {}, "api": {}}
        for name, endpoint in (() if first_time_only else (("html", "/search"), ("api", "/api/search"))):
            paths = _paths(endpoint)
            # One warm-up pass, as a user's first visit after start would also have paid it.
            _client(port, paths, 0, [], [], time.monotonic() + DEADLINE_S)
            result[name] = _wrk(port, paths) or _python_load(port, paths)
        # Pages seen for the first time: distinct queries, more than wrk gets through in its time,
        # so neither the page cache nor the query cache answers them (the index files are in the
        # OS page cache). wrk sends them once each, in order, and stops at WRK_SECONDS.
        from bench.corpus import sample_queries

        first_time = _paths("/search", sample_queries(FIRST_TIME_PAGES, seed=11))
        result["first_time"] = _wrk(port, first_time) or _python_load(port, first_time)
        result["first_time"]["distinct"] = len(first_time)
        return {**result["html"], "api": result["api"], "first_time": result["first_time"],
                "peak_rss_mb": _peak_rss_mb(proc.pid), "concurrency": CONCURRENCY}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
