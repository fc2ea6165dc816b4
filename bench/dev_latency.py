"""Latency over the dev queries: in-process (cold, warm) and HTTP against the production server.

    python -m bench.dev_latency INDEX_DIR
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.measures import percentile
from search.engine import Engine

DEV_CASES = Path(__file__).resolve().parent.parent / "tests" / "eval" / "dev.json"


def _timed(run_one, cases) -> list[float]:
    times = []
    for case in cases:
        started = time.perf_counter()
        run_one(case)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(index: str) -> None:
    cases = json.loads(DEV_CASES.read_text(encoding="utf-8"))
    engine = Engine(index)
    engine.search("预热")

    def in_process(case):
        engine.search(case["query"], place=[case["county"]] if case["county"] else [])

    cold = _timed(in_process, cases)
    warm = _timed(in_process, cases) + _timed(in_process, cases)
    print(f"in-process cold p50 {percentile(cold, 50):.1f} p95 {percentile(cold, 95):.1f} | "
          f"warm p50 {percentile(warm, 50):.2f} p95 {percentile(warm, 95):.2f} ms")

    port = _free_port()
    server = subprocess.Popen([sys.executable, "-c", "from search.cli import cli; cli()", "serve", "--port", str(port),
                               "--index", index], env={**os.environ, "POLICY_SEARCH_RATE_LIMIT": "0"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                probe.request("GET", "/")
                probe.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

        def over_http(case):
            params = [("q", case["query"])] + ([("place", case["county"])] if case["county"] else [])
            conn.request("GET", "/search?" + urlencode(params))
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status

        first = _timed(over_http, cases)
        again = _timed(over_http, cases) + _timed(over_http, cases)
        print(f"HTTP /search first p50 {percentile(first, 50):.1f} p95 {percentile(first, 95):.1f} | "
              f"again p50 {percentile(again, 50):.1f} p95 {percentile(again, 95):.1f} ms")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main(sys.argv[1])
