"""The numpy evaluator against Whoosh's own query execution of the same query.

``search.whoosh_index.whoosh_query.to_whoosh`` states the query semantics in Whoosh's terms; the evaluator must match
exactly the same documents, and score them the same wherever Whoosh's scoring is sound (it is not
for ``DisjunctionMax``, which adds stale scores, so synonym queries are compared on matches only).
"""

from __future__ import annotations

import os
from unittest import mock

import pytest

from search.whoosh_index import indexing
from search.engine import Engine
from search.query.parse import parse
from search.whoosh_index.whoosh_query import to_whoosh

from .conftest import SEEDS

QUERIES = [
    "森林覆盖率", "发展", "地区生产总值 增长", "地区生产总值 2022", "\"群众说事、干部答题\"", "污染 -锰",
    "锰", "县", "X波段", "5G基站", "4.7", "557.7", "PM2.5", "抽水 蓄能 电站", "乡村振兴 OR 文旅", "总值",
    "人民共和国", "REITs", "2023年", "GDP", "社零", "两岸青山·千里林带", "不存在的词语",
    "\"全年实现地区生产总值557.7亿元、增长4.7%\"",  # common marks read only where the rare bigrams are
]


@pytest.fixture(scope="module")
def one_segment(tmp_path_factory) -> Engine:
    """The seeds in one segment. Whoosh's own scores are the reference there: across segments its
    prefix queries (a single character) score differently from one segment, so the comparison
    with Whoosh is made on one, and ``test_segments_change_nothing`` covers several."""
    index = tmp_path_factory.mktemp("one") / "index"
    with mock.patch.dict(os.environ, {"POLICY_SEARCH_BUILD_PROCS": "1"}):
        indexing.build(SEEDS, index)
    engine = Engine(index)
    assert len(engine.generation().reader.leaf_readers()) == 1
    return engine


@pytest.mark.parametrize("q", QUERIES)
def test_segments_change_nothing(engine, one_segment, q):
    # The served index is written by several processes, one segment each: matches and scores are
    # the single segment's.
    assert len(engine.generation().reader.leaf_readers()) > 1
    results = []
    for e in (engine, one_segment):
        gen = e.generation()
        scored = gen.evaluator.query(parse(q))
        results.append({gen.stored(d)["id"]: round(s, 9) for d, s in zip(scored.docs.tolist(), scored.scores.tolist())})
    assert results[0] == results[1]


@pytest.mark.parametrize("q", QUERIES)
def test_same_matches_as_whoosh(one_segment, q):
    parsed = parse(q)
    gen = one_segment.generation()
    expected = {hit.docnum: hit.score for hit in gen.searcher().search(to_whoosh(parsed, gen.evaluator.has_word), limit=None)}
    scored = gen.evaluator.query(parsed)
    near = set(scored.near.tolist()) if scored.near is not None else set()  # search.query.near: not Whoosh's
    got = {d: s for d, s in zip(scored.docs.tolist(), scored.scores.tolist()) if d not in near}
    assert set(got) == set(expected)
    if not any(t.synonyms for g in parsed.groups for t in g):
        for docnum, score in expected.items():
            assert got[docnum] == pytest.approx(score, rel=1e-6), docnum
