"""The costliest queries on an index: their work, CPU and wall time, cold and under parallel load.

Each query of ``costly_queries()`` (figures near words, as in 提高6% 完成5.5% 增长7% 提高1.9%
3个百分点; common words and phrases) runs from cold caches (the engine's and the evaluator's; the
index files in the OS page cache): the work it did (``search.query.budget``, in cost units), its
CPU time (this thread's), and so the microseconds of CPU per unit, which is what the budget's
weights are set from. Then ``--parallel`` threads run them again and again, cold, while one more
thread times an ordinary search: the worst answered query's wall and CPU time under that load.

    .venv/bin/python -m bench.costly_queries --index INDEX [--parallel 8] [--seconds 20]

In-process and bounded: the queries once each, then the parallel part for ``--seconds``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import sys
import threading
import time
from pathlib import Path

from search.engine import Engine
from search.errors import UserError
from search.query.budget import metered

WORDS = ("提高", "完成", "增长", "下降", "达到", "突破")
FIGURES = ("6%", "5.5%", "7%", "1.9%", "3个百分点", "10%", "8%", "100亿元", "2.5%", "4%")
PLAIN = ("固定资产投资 增长 亿元", "发展 建设 推进 实施 加快", "经济社会发展 主要目标", "城镇新增就业 万人 增长",
         "地区生产总值 增长 亿元 百分点")


def costly_queries(n: int = 40, seed: int = 3) -> list[str]:
    """The report's query, others of its shape (five figures near words), and common words."""
    rng = random.Random(seed)
    queries = ["提高6% 完成5.5% 增长7% 提高1.9% 3个百分点", *PLAIN]
    while len(queries) < n:
        queries.append(" ".join(rng.choice(WORDS) + f for f in rng.sample(FIGURES, 5)))
    return queries


def run_cold(engine: Engine, q: str) -> dict:
    engine._cache.clear()
    engine.generation().evaluator._cache.clear()
    wall, cpu = time.perf_counter(), time.thread_time()
    with metered() as work:
        try:
            outcome = engine.search(q)["total"]
        except UserError as refused:
            outcome = refused.code
    cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
    return {"q": q, "outcome": outcome, "work": work.cost, "cpu_ms": round(cpu * 1000, 1),
            "wall_ms": round(wall * 1000, 1), "us_per_unit": round(cpu * 1e6 / max(work.cost, 1), 2)}


def parallel(index: Path, queries: list[str], threads: int, seconds: float) -> dict:
    """``threads`` engines' worth of costly queries at once (each its own engine, so each cold), and
    an ordinary search timed meanwhile."""
    stop, results, ordinary = threading.Event(), [], []

    def costly(k: int) -> None:
        engine = Engine(index)
        for q in itertools.cycle(queries[k::threads] or queries):
            if stop.is_set():
                return
            results.append(run_cold(engine, q))

    def plain() -> None:
        engine = Engine(index)
        for q in itertools.cycle(("森林覆盖率", "乡村振兴", "抽水蓄能电站", "城镇新增就业")):
            if stop.is_set():
                return
            ordinary.append(run_cold(engine, q)["wall_ms"])
            time.sleep(0.05)

    workers = [threading.Thread(target=costly, args=(k,)) for k in range(threads)] + [threading.Thread(target=plain)]
    for w in workers:
        w.start()
    time.sleep(seconds)
    stop.set()
    for w in workers:
        w.join()
    answered = [r for r in results if isinstance(r["outcome"], int)]
    worst = max(answered, key=lambda r: r["wall_ms"]) if answered else None
    ordinary.sort()
    return {"threads": threads, "queries_run": len(results), "answered": len(answered),
            "worst_answered_wall_ms": worst and worst["wall_ms"], "worst_answered_cpu_ms": worst and worst["cpu_ms"],
            "worst_query": worst and worst["q"],
            "ordinary_p50_ms": ordinary and round(statistics.median(ordinary), 1),
            "ordinary_p90_ms": ordinary and ordinary[int(len(ordinary) * 0.9)]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--parallel", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--queries", type=int, default=40)
    args = parser.parse_args(argv)
    engine = Engine(args.index)
    engine.search("森林覆盖率")  # opened, and the files in the page cache
    queries = costly_queries(args.queries)
    cold = [run_cold(engine, q) for q in queries]
    for row in sorted(cold, key=lambda r: -r["cpu_ms"])[:10]:
        print(json.dumps(row, ensure_ascii=False))
    answered = [r for r in cold if isinstance(r["outcome"], int)]
    budget = engine.generation().evaluator.budget().limit
    print(json.dumps({"passages": engine.info()["passages"], "budget": budget,
                      "worst_answered_cpu_ms": max(r["cpu_ms"] for r in answered),
                      "most_us_per_unit": max(r["us_per_unit"] for r in answered if r["work"] > budget // 10),
                      "refused": len(cold) - len(answered)}))
    if args.parallel:
        print(json.dumps(parallel(args.index, queries, min(args.parallel, 32), min(args.seconds, 120.0)),
                         ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
