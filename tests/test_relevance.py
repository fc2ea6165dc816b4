"""Relevance cases must all pass: the shared dev cases, and the project's own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from search.relevance import run_case

CASES_DIR = Path(__file__).parent / "eval"
CASES = [case for path in sorted(CASES_DIR.glob("*.json"))
         for case in json.loads(path.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(engine, case):
    outcome = run_case(engine, case)
    missing = [rel for rel, rank in zip(case["relevant"], outcome["ranks"]) if rank is None]
    assert not missing, f"{case['query']} ({case.get('note', '')}): not in the top 10: {missing}"
