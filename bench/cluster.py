"""The OpenSearch backend beside the Whoosh one, in the same run: bulk load rate through
``push`` into a local cluster (N nodes on loopback, N primary shards, one replica), and cold query
latency through the library (distinct first-time queries, fresh engines) on both backends.

    python -m bench.cluster --scale 20 --nodes 3
    python -m bench.cluster --scale 460 --nodes 1 --heap-mb 4096 --rounds 3 --http   # the crossover
    python -m bench.cluster --scale 1800 --whoosh-only --http                       # Whoosh alone
    python -m bench.cluster --scale 200 --nodes 1 --rescore-pools 500,0             # what rescoring costs

A benchmark, not a test: it prints one Markdown table line per backend, then where the
OpenSearch backend's cold time goes: HTTP requests per query and the milliseconds spent in them,
by endpoint (BENCH_TRACE=1 lists the slowest queries' requests too). With ``--rounds N`` the cold
runs alternate between the backends so that the machine's load falls on both; the table gives the
medians and each round. With ``--http`` it gives the served site's peak memory too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from search.backend import open_backend
from search.engine import Engine
from search.opensearch import node
from search.opensearch.backend import OpenSearchBackend
from search.opensearch.client import connect
from search.opensearch.push import push
from search.whoosh_index.indexing import build

from .corpus import make_corpus, sample_queries
from .run import folder_size


class Trace:
    """Every HTTP request a client makes, timed, by endpoint (the last path part: _search,
    _msearch, _count...), so a run says how many round trips a cold query costs and what they
    cost beside the Python around them."""

    def __init__(self, client):
        self.calls: list[tuple[str, float]] = []
        transport = client.transport
        inner = transport.perform_request

        def perform_request(method, url, *args, **kwargs):
            started = time.perf_counter()
            try:
                return inner(method, url, *args, **kwargs)
            finally:
                self.calls.append((url.rstrip("/").rsplit("/", 1)[-1].split("?")[0],
                                   (time.perf_counter() - started) * 1000))

        transport.perform_request = perform_request

    def report(self, queries: int, total_ms: float) -> str:
        by: dict[str, list[float]] = defaultdict(list)
        for endpoint, ms in self.calls:
            by[endpoint].append(ms)
        spent = sum(ms for _, ms in self.calls)
        lines = [f"requests/query {len(self.calls) / queries:.2f}; in requests {spent / queries:.1f} ms/query "
                 f"of {total_ms / queries:.1f} ms/query"]
        lines += [f"  {e}: {len(v) / queries:.2f}/query, median {statistics.median(v):.1f} ms, "
                  f"total {sum(v) / queries:.1f} ms/query" for e, v in sorted(by.items(), key=lambda i: -sum(i[1]))]
        return "\n".join(lines)


def cold(engine: Engine, queries: list[dict], trace: Trace | None = None) -> tuple[float, float]:
    times, slowest = [], []
    for spec in queries:
        before = len(trace.calls) if trace else 0
        started = time.perf_counter()
        try:
            engine.search(spec["q"], year=spec.get("year", ()))
        except Exception:  # a year the corpus lacks: still a measured round trip
            pass
        times.append((time.perf_counter() - started) * 1000)
        if trace:
            slowest.append((times[-1], spec["q"], trace.calls[before:]))
    if trace:
        print(trace.report(len(queries), sum(times)))
        if os.environ.get("BENCH_TRACE"):
            for ms, q, calls in sorted(slowest, key=lambda s: -s[0])[:10]:
                print(f"  {ms:6.1f} ms {q!r}: " + ", ".join(f"{e} {c:.1f}" for e, c in calls))
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--nodes", type=int, default=3)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--port", type=int, default=9600)
    parser.add_argument("--transport-port", type=int, default=None, help="default: PORT+100")
    parser.add_argument("--heap-mb", type=int, default=512)
    parser.add_argument("--http", action="store_true",
                        help="also first-time result pages over HTTP from `policy-search serve` on each backend")
    parser.add_argument("--site-port", type=int, default=None, help="the served site's port (default: a free one)")
    parser.add_argument("--serve-workers", type=int, default=2, help="`serve --workers` for the HTTP runs")
    parser.add_argument("--rounds", type=int, default=1,
                        help="cold runs per backend, alternating Whoosh and OpenSearch, a fresh engine each")
    parser.add_argument("--whoosh-only", action="store_true", help="no cluster: the Whoosh side alone (a large scale)")
    parser.add_argument("--work", default=None,
                        help="a folder of an earlier run (its index/ and places file) to measure again without building")
    parser.add_argument("--rescore-pools", default=None,
                        help="OpenSearch rows for these values of the rescore_pool setting, comma-separated (500,0); "
                             "the first one is served for the HTTP run (default: the setting as it is)")
    args = parser.parse_args()
    pools = [int(x) for x in args.rescore_pools.split(",")] if args.rescore_pools else [None]
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.work:  # measured again: the build's time is not
        work = Path(args.work)
        os.environ["POLICY_SEARCH_PLACES_FILE"] = str(next(work.glob("places-*.tsv")))
        index, build_s = work / "index", float("nan")
    else:
        work = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
        src, places = make_corpus(args.scale, work)
        os.environ["POLICY_SEARCH_PLACES_FILE"] = str(places)
        index = work / "index"
        started = time.perf_counter()
        build(src, index)
        build_s = time.perf_counter() - started
    queries = sample_queries(args.queries)
    print(f"built {build_s:.1f} s; index {folder_size(index) / 2**20:.0f} MB; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    home = work / "cluster"
    serve_args = ("--workers", str(args.serve_workers))
    url = f"http://127.0.0.1:{args.port}"
    names = {pool: "opensearch" if pool is None else f"opensearch pool {pool}" for pool in pools}
    rounds: dict[str, list[tuple[float, float]]] = {"whoosh": [], **{name: [] for name in names.values()}}
    pages = {}
    loaded = {"passages": None, "seconds": float("nan")}
    if not args.whoosh_only:
        node.start(home, port=args.port, nodes=args.nodes, heap_mb=args.heap_mb, transport_port=args.transport_port)
    try:
        if not args.whoosh_only:
            loaded = push(index, connect(url, timeout=120), "bench", shards=args.nodes,
                          replicas=min(1, args.nodes - 1))
            print(f"pushed {loaded['seconds']:.1f} s; load average "
                  f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
        for n in range(args.rounds):
            rounds["whoosh"].append(cold(Engine(index, backend=open_backend(index, "whoosh")), queries))
            for pool, name in names.items() if not args.whoosh_only else ():
                if pool is not None:  # read by every query (search.opensearch.candidates.pool_size)
                    os.environ["POLICY_SEARCH_RESCORE_POOL"] = str(pool)
                backend = OpenSearchBackend(url=url, alias="bench")
                rounds[name].append(cold(Engine(index, backend=backend), queries,
                                         Trace(backend.client) if n == 0 else None))
            print(f"round {n + 1}: " + "; ".join(f"{k} p50 {r[-1][0]:.1f} p95 {r[-1][1]:.1f} ms"
                                                 for k, r in rounds.items() if r), flush=True)
        if args.http:
            from .http_load import run_http

            pages["whoosh"] = run_http(index, serve_args, port=args.site_port, first_time_only=True)
            if not args.whoosh_only:
                env = {"POLICY_SEARCH_OPENSEARCH_ALIAS": "bench"}
                if pools[0] is not None:
                    env["POLICY_SEARCH_RESCORE_POOL"] = str(pools[0])
                pages[names[pools[0]]] = run_http(index, (*serve_args, "--backend", "opensearch", "--opensearch", url),
                                                  env=env, port=args.site_port, first_time_only=True)
    finally:
        if not args.whoosh_only:
            node.stop(home)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    n = loaded["passages"] or open_backend(index, "whoosh").snapshot().passage_count()

    def median_cold(name: str) -> str:
        runs = rounds[name]
        return (f"{statistics.median(r[0] for r in runs):.1f} | {statistics.median(r[1] for r in runs):.1f} |"
                + (f" {', '.join(f'{r[0]:.1f}/{r[1]:.1f}' for r in runs)} |" if len(runs) > 1 else ""))

    def http(name: str) -> str:
        if name not in pages:
            return ""
        p = pages[name]["first_time"]
        return f" {p['rps']:.0f} | {p['p99_ms']:.0f} | {p['errors']} | {pages[name]['peak_rss_mb']:.0f} |"

    print("| backend | scale | passages | load s | passages/s | cold p50 ms | cold p95 ms |"
          + (" each round p50/p95 |" if args.rounds > 1 else "")
          + (" first-time pages/s | first-time p99 ms | errors | server peak RSS MB |" if pages else ""))
    print(f"| whoosh | {args.scale}x | {n} | {build_s:.1f} (build) | {n / build_s:.0f} | {median_cold('whoosh')}"
          + http("whoosh"))
    for name in names.values() if not args.whoosh_only else ():
        print(f"| {name} ({args.nodes} nodes) | {args.scale}x | {n} | {loaded['seconds']:.1f} (push) | "
              f"{n / loaded['seconds']:.0f} | {median_cold(name)}" + http(name))

if __name__ == "__main__":
    main()
