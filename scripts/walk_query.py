"""Walk one query through the library and count how it travels: the modules it passes through,
the steps between them (distinct caller -> callee module pairs) and the climbs (a step to a module
of a higher layer), and how often the query's own text is folded.

    python scripts/walk_query.py INDEX_DIR ["query" ...]

Layers, highest first: the engine; the backend seam; the index (Whoosh and what reads it); the
query stages; figures; text. The same script reads the tree before and after the packages of
issue 17 (old module names are mapped to their layers too), so the two can be compared.
"""

from __future__ import annotations

import sys
from collections import Counter

LAYERS = [  # (module name prefixes, layer); first match wins
    (("search.engine",), 6),
    (("search.backend",), 5),
    (("search.whoosh_index", "search.evaluate", "search.scored", "search.facets", "search.index_arrays",
      "search.suggest", "search.schema", "search.store"), 4),
    (("search.query", "search.near", "search.numbers", "search.joined", "search.work", "search.ranking",
      "search.highlight", "search.cache", "search.byte_lru"), 3),
    (("search.figures", "search.indicators", "search.compare", "search.targets", "search.documents"), 2),
    (("search.text", "search.analysis"), 1),
]


def layer(module: str) -> int | None:
    for prefixes, n in LAYERS:
        if module.startswith(prefixes):
            return n
    return None


def walk(engine, q: str) -> dict:
    steps: Counter = Counter()
    folds: Counter = Counter()
    terms = set(q.replace('"', " ").replace("“", " ").replace("”", " ").split())

    def profile(frame, event, arg):
        if event != "call":
            return
        callee = frame.f_globals.get("__name__", "")
        caller_frame = frame.f_back
        caller = caller_frame.f_globals.get("__name__", "") if caller_frame else ""
        if frame.f_code.co_name == "fold" and frame.f_locals.get("text") in terms:
            folds[f"{caller}.{caller_frame.f_code.co_name}"] += 1
        if layer(callee) is None or layer(caller) is None or callee == caller:
            return
        steps[(caller, callee)] += 1

    sys.setprofile(profile)
    try:
        engine.search(q)
    finally:
        sys.setprofile(None)
    modules = {m for pair in steps for m in pair}
    climbs = [pair for pair in steps if layer(pair[1]) > layer(pair[0])]
    return {"modules": len(modules), "steps": len(steps), "climbs": len(climbs), "climb_pairs": sorted(climbs),
            "query_folds": sum(folds.values()), "fold_sites": dict(folds)}


def main(argv: list[str]) -> None:
    from search.engine import Engine

    index, queries = argv[0], argv[1:] or ["森林覆盖率", "地区生产总值 增长", "GDP", "城镇新增就业", "突破200亿"]
    for q in queries:
        result = walk(Engine(index), q)  # a new engine each time: a cold query, nothing cached
        print(f"{q}: {result['modules']} modules, {result['steps']} steps, {result['climbs']} climbs, "
              f"the query's text folded {result['query_folds']} times")
        for caller, callee in result["climb_pairs"]:
            print(f"    climb  {caller} -> {callee}")
        for site, n in result["fold_sites"].items():
            print(f"    fold   {site} x{n}")


if __name__ == "__main__":
    main(sys.argv[1:])
