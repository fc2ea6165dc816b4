"""Slow clients against the production server: are ordinary requests still answered in under 1 s?

Starts the site as ``policy-search serve`` runs it (gunicorn with 2 workers, or waitress with
``--workers 1``) on 127.0.0.1, then opens ``--slow`` connections held the way slow or hostile
clients hold them, in equal shares:

- ``headers``: a request line, then one header byte every half second;
- ``body``: a POST announcing 1,000 bytes of JSON, then one byte every half second;
- ``idle``: connected, sending nothing.

Each reconnects at once when the server drops it, so the connections stay held for the whole run.
Meanwhile one client sends ordinary searches one after another, each on a new connection, for
``--seconds``, and the script prints their latencies. Loopback only; bounded in count and time
(every socket has a timeout, the run a deadline); it stops its clients and the server itself.

    .venv/bin/python -m bench.slow_clients [--server gunicorn|waitress|both] [--slow 20] [--seconds 20]
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

KINDS = ("headers", "body", "idle")
SEARCHES = ("森林覆盖率", "城镇新增就业", "地区生产总值", "乡村振兴", "抽水蓄能电站", "固定资产投资")
DRIP_SECONDS = 0.5
REQUEST_TIMEOUT = 10.0  # an ordinary request that takes longer is counted at this

SERVE = """
import sys
from pathlib import Path
from webui.server import serve
index, workers, folder = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
config = {"BRIEFINGS_DB": folder / "b.sqlite3", "SECRET_KEY": "bench", "RATE_LIMIT": 0}
serve(Path(index), port=0, workers=workers, config=config, announce=lambda line: print(line, flush=True))
"""


def start_server(index: Path, workers: int, folder: Path) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen([sys.executable, "-c", SERVE, str(index), str(workers), str(folder)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline().strip()  # "serving http://127.0.0.1:PORT/ with …"
    if not line.startswith("serving http://127.0.0.1:"):
        proc.kill()
        raise RuntimeError(f"the server did not start: {line!r}")
    port = int(line.split(":")[2].split("/")[0])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if search(port, SEARCHES[0]) < REQUEST_TIMEOUT:
                return proc, port
        except OSError:
            time.sleep(0.1)
    stop_server(proc)
    raise RuntimeError("the server did not answer")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    proc.stdout.close()


def search(port: int, q: str) -> float:
    """Seconds until a whole answer to one ordinary search arrived, on a new connection."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("GET", f"/api/search?q={quote(q)}")
        response = connection.getresponse()
        json.loads(response.read())
        if response.status != 200:
            raise RuntimeError(f"an ordinary search got {response.status}")
    except (TimeoutError, socket.timeout):
        return REQUEST_TIMEOUT
    finally:
        connection.close()
    return time.perf_counter() - started


def opening(kind: str) -> bytes:
    if kind == "headers":
        return b"GET /api/search?q=x HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    if kind == "body":
        return (b"POST /api/briefings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"Content-Length: 1000\r\n\r\n{")
    return b""


def hold(port: int, kind: str, stop: threading.Event, drops: list) -> None:
    """One slow client: holds a connection in its way until ``stop``, reconnecting when dropped."""
    drip = b"X-Slow: " + b"a" * 10_000 if kind == "headers" else b" " * 10_000
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=DRIP_SECONDS) as sock:
                sock.sendall(opening(kind))
                sent = 0
                while not stop.is_set():
                    if kind == "idle":
                        try:
                            if sock.recv(1) == b"":
                                break  # the server closed it
                        except (TimeoutError, socket.timeout):
                            continue
                    else:
                        sock.sendall(drip[sent % len(drip):][:1])
                        sent += 1
                        stop.wait(DRIP_SECONDS)
        except OSError:
            pass  # dropped by the server: connect again
        drops.append(kind)
        stop.wait(0.05)


def measure(index: Path, server: str, slow: int = 20, seconds: float = 20.0) -> dict:
    """Latencies of ordinary searches while ``slow`` slow clients hold connections."""
    workers = 2 if server == "gunicorn" else 1
    with tempfile.TemporaryDirectory() as folder:
        proc, port = start_server(index, workers, Path(folder))
        stop, drops = threading.Event(), []
        clients = [threading.Thread(target=hold, args=(port, KINDS[i % len(KINDS)], stop, drops), daemon=True)
                   for i in range(slow)]
        try:
            for client in clients:
                client.start()
            time.sleep(1.0)  # let them connect and start dripping
            latencies = []
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                latencies.append(search(port, SEARCHES[len(latencies) % len(SEARCHES)]))
        finally:
            stop.set()
            for client in clients:
                client.join(timeout=5)
            stop_server(proc)
    ms = sorted(1000 * s for s in latencies)
    return {"server": server, "workers": workers, "slow_clients": slow, "seconds": seconds,
            "requests": len(ms), "p50_ms": round(statistics.median(ms), 1),
            "p99_ms": round(ms[min(len(ms) - 1, int(len(ms) * 0.99))], 1), "max_ms": round(ms[-1], 1),
            "over_1s": sum(1 for m in ms if m >= 1000), "slow_reconnects": len(drops)}


def build_seed_index(folder: Path) -> Path:
    from search.whoosh_index.indexing import build

    index = folder / "index"
    build(Path(__file__).resolve().parent.parent / "seeds", index)
    return index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", choices=("gunicorn", "waitress", "both"), default="both")
    parser.add_argument("--slow", type=int, default=20, help="slow connections held at once (at most 200)")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long to measure (at most 300)")
    parser.add_argument("--index", type=Path, help="an index to serve (default: the seeds, built in a temporary folder)")
    args = parser.parse_args(argv)
    slow, seconds = min(max(args.slow, 0), 200), min(max(args.seconds, 1.0), 300.0)
    servers = ("gunicorn", "waitress") if args.server == "both" else (args.server,)
    if sys.platform == "win32":
        servers = tuple(s for s in servers if s != "gunicorn")
    with tempfile.TemporaryDirectory() as folder:
        index = args.index or build_seed_index(Path(folder))
        results = [measure(index, server, slow, seconds) for server in servers]
    for result in results:
        print(json.dumps(result))
    return 0 if all(r["over_1s"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
