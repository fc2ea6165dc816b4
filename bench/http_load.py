"""HTTP load on the production server (waitress), over loopback only.

Starts ``policy-search serve`` on 127.0.0.1 in a child process, sends the benchmark's query set as
``/search`` pages from ``CONCURRENCY`` client threads (one keep-alive connection each) for a fixed
number of requests, and reads the server's peak memory from /proc. Bounded in count and time; it
stops the server itself.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

CONCURRENCY = 8
REQUESTS_PER_CLIENT = 60
DEADLINE_S = 300


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _paths() -> list[str]:
    from bench.run import QUERIES

    paths = []
    for spec in QUERIES:
        params = [("q", spec["q"])] + [(k, v) for k in ("county", "year", "section") for v in spec.get(k, [])]
        paths.append("/search?" + urlencode(params))
    return paths


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
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


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


def run_http(index_dir: Path) -> dict:
    from bench.run import percentile

    port = _free_port()
    env = {**os.environ, "POLICY_SEARCH_RATE_LIMIT": "0"}  # one client sending 8 at once is the test
    proc = subprocess.Popen(
        [sys.executable, "-c", "from search.cli import cli; cli()", "serve", "--host", "127.0.0.1",
         "--port", str(port), "--index", str(index_dir)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_ready(port, proc)
        paths = _paths()
        # One warm-up pass, as a user's first visit after start would also have paid it.
        _client(port, paths, 0, [], [], time.monotonic() + DEADLINE_S)
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
                "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99),
                "peak_rss_mb": _peak_rss_mb(proc.pid), "concurrency": CONCURRENCY}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
