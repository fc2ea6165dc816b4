"""docs/operations.md's recipe for serving behind a reverse proxy, run as written: ``wsgi.py`` with
werkzeug's ``ProxyFix``, served by waitress-serve or gunicorn on loopback, the proxy played by
requests carrying ``X-Forwarded-For``. Each forwarded client gets its own budget, and none is
exempt as this machine's own. (waitress-serve drops the forwarding headers unless told not to:
with the recipe's first version every request looked local, and 120 requests from 120 addresses,
or from one, all passed.)"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import ROOT

OPERATIONS = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
PROXY_SECTION = OPERATIONS.split("Behind a reverse proxy", 1)[1].split("\n## ", 1)[0]
WSGI_PY = "\n".join(line[4:] for line in re.search(r"\n((?:    .*ProxyFix.*\n|    from .*\n|    app = .*\n)+)",
                                                    PROXY_SECTION).group(1).splitlines())


def command(program: str) -> str:
    return next(line.strip() for line in PROXY_SECTION.splitlines() if line.startswith(f"    {program} "))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, forwarded_for: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"X-Forwarded-For": forwarded_for})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


@pytest.mark.skipif(sys.platform == "win32", reason="runs the servers' scripts from the virtual environment")
@pytest.mark.parametrize("program", ["waitress-serve", "gunicorn"])
def test_the_readmes_proxy_recipe_limits_each_forwarded_client(seed_index, tmp_path, program):
    (tmp_path / "wsgi.py").write_text(WSGI_PY + "\n", encoding="utf-8")
    port = free_port()
    line = command(program).replace("127.0.0.1:8000", f"127.0.0.1:{port}")  # the only change: a free port
    env = {**os.environ, "POLICY_SEARCH_INDEX_DIR": str(seed_index), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    env.pop("POLICY_SEARCH_RATE_LIMIT", None)  # the default limit, as a site has it
    server = subprocess.Popen(line.split(), cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get(port, "/static/style.css", "198.51.100.250")  # static files cost nothing
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
                time.sleep(0.2)
        # The default burst is 30, per worker (gunicorn runs two, and either may take a request).
        one_client = [get(port, "/api/reports", "198.51.100.1") for _ in range(100)]
        assert one_client[0] == 200 and 429 in one_client and one_client.count(200) <= 2 * 30 + 10
        assert get(port, "/api/reports", "198.51.100.2") == 200  # another client has a budget of its own
    finally:
        server.terminate()
        server.wait(timeout=30)
