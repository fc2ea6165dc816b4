"""Relevance cases: does a search put the passages that must be there in its top 10?

A case is ``{"id", "query", "county"?, "relevant": [substrings], ...}`` (the format of
``shared/eval/dev.json``). It passes when every substring is in one of the top-10 hits, searched
with the case's county filter. MRR uses the rank of the first relevant hit.
"""

from __future__ import annotations

import json
from pathlib import Path

from .errors import UserError

TOP_K = 10


def load_cases(path: Path) -> list[dict]:
    try:
        cases = json.loads(Path(path).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"{path}: not a JSON list of cases ({exc})") from None
    if not isinstance(cases, list) or not all(isinstance(c, dict) and "query" in c and "relevant" in c
                                               for c in cases):
        raise UserError(f"{path}: expected a JSON list of objects with 'query' and 'relevant'")
    return cases


def run_case(engine, case: dict) -> dict:
    county = [case["county"]] if case.get("county") else []
    result = engine.search(case["query"], county=county, per_page=TOP_K)
    texts = [hit["text"] for hit in result["hits"]]
    ranks = [next((i for i, text in enumerate(texts, 1) if wanted in text), None)
             for wanted in case["relevant"]]
    found = [r for r in ranks if r]
    return {"id": case.get("id", case["query"]), "query": case["query"], "county": case.get("county"),
            "ranks": ranks, "passed": all(ranks), "found": len(found),
            "reciprocal_rank": 1 / min(found) if found else 0.0}


def run_cases(engine, cases: list[dict]) -> dict:
    results = [run_case(engine, c) for c in cases]
    wanted = sum(len(c["relevant"]) for c in cases)
    return {
        "cases": results,
        "total": len(results),
        "passed": sum(r["passed"] for r in results),
        "recall": sum(r["found"] for r in results) / wanted if wanted else 0.0,
        "mrr": sum(r["reciprocal_rank"] for r in results) / len(results) if results else 0.0,
    }
