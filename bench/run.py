"""The benchmark: build and search timings on corpora made from every real report at hand.

    python -m bench.run                    # one copy of every real report (1x)
    python -m bench.run --scale 1 --scale 50 --http

Corpora are generated into a temporary folder (never committed) by ``bench.corpus``: N copies of
the seeds and the fixtures' real reports, each copy under made-up places, so facets have many
values. Cold queries are several hundred distinct ones drawn from the corpus; the build is also
compared with its floor (``bench.floor``: the same postings written by numpy alone). Results are
printed and appended, with the machine they ran on, to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.measures import QUERIES, percentile

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"

# A fixed query set: single terms, AND, phrases, synonyms, filters, empty query with filters.
def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def bench_search(engine_factory, rounds: int, sampled: list[dict]) -> dict:
    """Per-query latencies in ms. Cold: the sampled queries, each seen for the first time (the
    index files already in the OS page cache), then the fixed set for the first time. Warm: the
    fixed set again, as when a user ticks a filter or pages: the query cache answers."""
    engine = engine_factory()
    engine.search("预热")  # open the index: not part of any query's latency
    from search.errors import UserError

    cold = []
    for spec in sampled + QUERIES:
        started = time.perf_counter()
        try:
            engine.search(**spec)
        except UserError:  # a year the corpus does not have, a query too broad: refusing is the answer
            pass
        cold.append((time.perf_counter() - started) * 1000)
    warm = []
    for _ in range(rounds):
        for spec in QUERIES:
            started = time.perf_counter()
            engine.search(**spec)
            warm.append((time.perf_counter() - started) * 1000)
    return {"cold_p50_ms": percentile(cold, 50), "cold_p95_ms": percentile(cold, 95),
            "cold_max_ms": max(cold), "cold_n": len(cold),
            "p50_ms": percentile(warm, 50), "p95_ms": percentile(warm, 95), "n": len(cold) + len(warm)}


def bench_scale(scale: int, work: Path, rounds: int, http: bool, tantivy: bool, sampled: list[dict]) -> dict:
    from bench import floor
    from bench.corpus import make_corpus
    from search.engine import Engine
    from search.whoosh_index.indexing import build

    src, places = make_corpus(scale, work)
    os.environ["POLICY_SEARCH_PLACES_FILE"] = str(places)
    index = work / f"index-{scale}x"
    started = time.perf_counter()
    summary = build(src, index)
    build_s = time.perf_counter() - started
    row = {
        "scale": scale,
        "reports": len(summary.reports),
        "passages": summary.passages,
        "build_s": build_s,
        "passages_per_s": summary.passages / build_s,
        "index_mb": folder_size(index) / 2**20,
        "search": bench_search(lambda: Engine(index), rounds, sampled),
    }
    row["floor"] = floor.build((p["text"] for p in Engine(index).export()), work / f"floor-{scale}x")
    row["cli"] = bench_cli(index)
    row["add_s"] = bench_add(src, index, work)
    if tantivy:
        row["tantivy"] = bench_tantivy(Engine(index), rounds)
    if http:
        from bench.http_load import run_http

        row["http"] = run_http(index)
    return row


def bench_cli(index: Path, runs: int = 5) -> dict:
    """Median wall time of whole ``policy-search`` processes: a search (a new query each run, so no
    cache can answer) and ``--help``."""
    def median_of(args_for) -> float:
        times = []
        for n in range(runs):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", "import sys; from search.cli import main; sys.exit(main())",
                            *args_for(n)], capture_output=True, check=True)
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    words = ["森林覆盖率", "乡村振兴", "地区生产总值", "高标准农田", "营商环境", "城镇新增就业"]
    return {"search_s": median_of(lambda n: ["search", words[n % len(words)], "--index", str(index)]),
            "help_s": median_of(lambda n: ["--help"])}


def bench_add(src: Path, index: Path, work: Path, runs: int = 3) -> float:
    """Median wall time of ``add`` replacing one report (edited, so it is a new version)."""
    from search.whoosh_index.indexing import add

    report = sorted(src.glob("*.txt"))[0]
    text = report.read_text(encoding="utf-8")
    times = []
    for n in range(runs):
        edited = work / f"edited-{index.name}-{n}.txt"
        edited.write_text(text.replace("。", "。 ", n + 1), encoding="utf-8")
        started = time.perf_counter()
        add([edited], index)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bench_tantivy(engine, rounds: int) -> dict:
    from bench import tantivy_ref

    index, build_s, count = tantivy_ref.build(engine.export())
    for spec in QUERIES:
        tantivy_ref.search(index, spec)
    timings = []
    for _ in range(rounds):
        for spec in QUERIES:
            started = time.perf_counter()
            tantivy_ref.search(index, spec)
            timings.append((time.perf_counter() - started) * 1000)
    return {"build_s": build_s, "passages": count, "p50_ms": percentile(timings, 50),
            "p95_ms": percentile(timings, 95)}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def render(rows: list[dict]) -> str:
    lines = [
        f"## {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "",
        f"Machine: {machine()}",
        "",
        "| corpus | reports | passages | build s | passages/s | index MB | cold p50 ms | cold p95 ms | warm p50 ms | warm p95 ms |"
        + (" HTTP req/s | HTTP p50 ms | HTTP p99 ms | API req/s | API p99 ms | first-time pages req/s | "
           "first-time p50 ms | first-time p99 ms | server peak MB |" if any("http" in r for r in rows) else ""),
        "|---|---|---|---|---|---|---|---|---|---|" + ("---|---|---|---|---|---|---|---|---|" if any("http" in r for r in rows) else ""),
    ]
    for r in rows:
        line = (f"| {r['scale']}x | {r['reports']} | {r['passages']} | {r['build_s']:.1f} | "
                f"{r['passages_per_s']:.0f} | {r['index_mb']:.1f} | {r['search']['cold_p50_ms']:.1f} | "
                f"{r['search']['cold_p95_ms']:.1f} | {r['search']['p50_ms']:.2f} | {r['search']['p95_ms']:.2f} |")
        if "http" in r:
            h = r["http"]
            first = h.get("first_time", {})
            line += (f" {h['rps']:.0f} | {h['p50_ms']:.1f} | {h['p99_ms']:.1f} | {h['api']['rps']:.0f} | "
                     f"{h['api']['p99_ms']:.1f} | {first.get('rps', float('nan')):.0f} | "
                     f"{first.get('p50_ms', float('nan')):.1f} | {first.get('p99_ms', float('nan')):.1f} | "
                     f"{h['peak_rss_mb']:.0f} |")
        lines.append(line)
    lines += ["", "| corpus | `add` one report s | CLI search s (whole process) | CLI --help s |", "|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['scale']}x | {r['add_s']:.2f} | {r['cli']['search_s']:.2f} | {r['cli']['help_s']:.2f} |")
    if any("tantivy" in r for r in rows):
        lines += ["", "Reference: tantivy on the same passages and tokens (top 10, total, facet aggregations).", "",
                  "| corpus | tantivy build s | ours / tantivy build | tantivy p50 ms | tantivy p95 ms | "
                  "ours / tantivy p50 (cold) | ours / tantivy p95 (cold) | ours / tantivy p50 (warm) |",
                  "|---|---|---|---|---|---|---|---|"]
        for r in rows:
            if "tantivy" not in r:
                continue
            t, s = r["tantivy"], r["search"]
            lines.append(f"| {r['scale']}x | {t['build_s']:.1f} | {r['build_s'] / t['build_s']:.0f} | "
                         f"{t['p50_ms']:.2f} | {t['p95_ms']:.2f} | {s['cold_p50_ms'] / t['p50_ms']:.0f} | "
                         f"{s['cold_p95_ms'] / t['p95_ms']:.0f} | {s['p50_ms'] / t['p50_ms']:.1f} |")
    lines += ["", "Floor: our tokens, postings as numpy arrays written with np.save (no Whoosh).", "",
              "| corpus | tokenize s | write s | floor s | ours / floor build | postings |", "|---|---|---|---|---|---|"]
    for r in rows:
        f = r["floor"]
        lines.append(f"| {r['scale']}x | {f['tokenize_s']:.1f} | {f['write_s']:.1f} | {f['total_s']:.1f} | "
                     f"{r['build_s'] / f['total_s']:.1f} | {f['postings']} |")
    lines += ["", f"Search: cold = {rows[0]['search']['cold_n'] if rows else 0} distinct queries drawn from the corpus (words, pairs, "
              "phrases, figures, OR, NOT, a year filter) plus the fixed set, each the first time; warm = the "
              f"{len(QUERIES)} fixed queries (terms, AND, phrases, OR, NOT, synonyms, filters, "
              "empty query with filters), each with facet counts and highlighting, in-process. Cold: first "
              "time on a fresh engine; warm: repeated (the query cache answers). HTTP: /search pages from "
              "8 keep-alive connections (wrk) against `policy-search serve` (gunicorn, one worker per core) on "
              "loopback for 10 s each, after one warm-up pass (the same 15 URLs again and again: the page cache "
              "answers); API: the same for /api/search; first-time pages: 4,000 distinct /search URLs drawn like the "
              "cold queries, each sent once, for 10 s, on a server whose caches have not seen them; peak memory is "
              "VmHWM summed over the server's processes. Scale: 1x is the seeds' size (2,205 passages), made "
              "of copies of every real report at hand under made-up places. add: replacing one report, "
              "median of 3. CLI: median of 5 whole processes, each search a new word.", ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, action="append",
                        help="corpus size in copies of every real report (seeds and fixtures' corpus)")
    parser.add_argument("--rounds", type=int, default=20, help="timed warm rounds over the fixed query set")
    parser.add_argument("--queries", type=int, default=300, help="distinct cold queries drawn from the corpus")
    parser.add_argument("--http", action="store_true", help="also load the production server over loopback")
    parser.add_argument("--no-save", action="store_true", help="print only; do not append to RESULTS.md")
    parser.add_argument("--no-tantivy", action="store_true", help="skip the tantivy reference")
    args = parser.parse_args(argv)
    scales = args.scale or [1]
    from bench.corpus import sample_queries

    sampled = sample_queries(args.queries)
    rows = []
    with tempfile.TemporaryDirectory(prefix="policy-search-bench-") as tmp:
        os.environ.setdefault("POLICY_SEARCH_CACHE_DIR", str(Path(tmp) / "cache"))
        for scale in scales:
            row = bench_scale(scale, Path(tmp), args.rounds, args.http, not args.no_tantivy, sampled)
            print(json.dumps(row, ensure_ascii=False), file=sys.stderr)
            rows.append(row)
    text = render(rows)
    print(text)
    if not args.no_save:
        with open(RESULTS, "a", encoding="utf-8") as f:
            f.write(("" if RESULTS.exists() and RESULTS.stat().st_size else "# Benchmark results\n\n") + text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
