"""The backends' contract (``tests/test_opensearch_parity.py``) on the whole shared corpus: every
real report of ../shared/corpus plus the seeds (about 180 reports, 80,000 passages), built once and
pushed once to a real node for the module.

The queries: the dev eval's (with their place), the benchmark's 300 drawn ones (some with a
year), and a table of facet filters that only a national corpus has (provinces, levels, two places
ticked at once). For each, the same totals, facets, matching passages tier by tier and highlights,
and the same first pages, with the differences the parity module names counted.
"""

from __future__ import annotations

import json

import pytest

from search.engine import Engine

from .conftest import ROOT, SEEDS
from .test_opensearch_parity import (DEV, _bench_queries, assert_same_answers, assert_whooshs_scores,
                                     first_page_differences)

SHARED_CORPUS = ROOT.parent / "shared" / "corpus"

pytestmark = pytest.mark.skipif(not SHARED_CORPUS.is_dir(),
                                reason="the shared corpus of real reports (../shared/corpus) is not on this machine")


def _dev_cases() -> list[tuple[str, dict]]:
    if not DEV.exists():
        return []
    cases = json.loads(DEV.read_text(encoding="utf-8"))
    return list(dict.fromkeys((c["query"], json.dumps({"place": [c["county"]]} if c.get("county") else {},
                                                      ensure_ascii=False)) for c in cases))


FILTERED = [
    ("地区生产总值", {"level": ["省级"]}),
    ("一般公共预算收入", {"province": ["湖北省", "湖南省"]}),  # two provinces: disjunctive
    ("新质生产力", {"level": ["地级"], "year": ["2024"]}),
    ("城镇新增就业", {"place": ["北京市", "上海市"]}),  # near matches, within two places
    ("赤字率", {"level": ["国家级"], "section": ["目标安排"]}),
    ("乡村振兴 OR 共同富裕", {"province": ["浙江省"], "level": ["地级", "县级"]}),
    ("", {"level": ["省级"], "year": ["2025"]}),  # filters alone, in reading order
]

CASES = ([(q, json.loads(f)) for q, f in _dev_cases()] + _bench_queries(300) + FILTERED)


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory):
    from search.whoosh_index.indexing import build

    index = tmp_path_factory.mktemp("shared-corpus-index")
    build([SHARED_CORPUS, SEEDS], index)
    return index


@pytest.fixture(scope="module")
def engines(corpus_index, opensearch_url):
    from search.opensearch.backend import OpenSearchBackend
    from search.opensearch.client import connect
    from search.opensearch.push import push

    push(corpus_index, connect(opensearch_url, timeout=120), "shared-corpus")
    return Engine(corpus_index), Engine(corpus_index, backend=OpenSearchBackend(url=opensearch_url,
                                                                                alias="shared-corpus"))


def test_the_corpus_is_national(engines):
    whoosh, cluster = engines
    assert cluster.info()["passages"] == whoosh.info()["passages"] > 70_000
    assert cluster.reports() == whoosh.reports()


@pytest.mark.parametrize("q, filters", CASES, ids=[f"{q}|{f}" for q, f in CASES])
def test_same_answers_on_the_whole_corpus(engines, q, filters):
    assert_same_answers(*engines, q, filters)


@pytest.mark.parametrize("q, filters", [c for c in CASES if c[0]], ids=[f"{q}|{f}" for q, f in CASES if q])
def test_the_clusters_candidates_get_whooshs_scores_on_the_whole_corpus(engines, q, filters):
    assert_whooshs_scores(*engines, q, filters)


def test_the_first_pages_are_the_same_on_the_whole_corpus(engines):
    """The first page after reranking, on a national corpus: the same on both backends except for
    ties (counted here, with -s)."""
    pages, differing = first_page_differences(*engines, [(q, f) for q, f in CASES if q])
    print(f"whole corpus, first pages: {pages} compared; differing: "
          + ", ".join(f"{k} {len(v)}" for k, v in differing.items()))
    print("beyond the pool:", differing["beyond the pool"])
    assert pages > 200
    assert differing["unexplained"] == []
    # With rescore_pool at 500, none (with 300: two OR queries of a common term, 对外贸易 OR 循环).
    assert differing["beyond the pool"] == []
