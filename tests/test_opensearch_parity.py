"""The contract between the backends: the same queries against the Whoosh index and against a real
OpenSearch node holding the same passages (``search.opensearch``) give the same totals, facet
counts, matching passages (exact and near, tier by tier) and highlight spans.

The first page after reranking is the same too. The cluster's BM25 picks candidates, and those are
scored as the Whoosh index scores them (``search.opensearch.candidates``) before the same Python
reranks them. What may still differ, named in ``first_page_differences`` and in the README: passages
tied on a score (Whoosh breaks ties by document number, the cluster by reading order), and, rarely,
a passage the cluster ranks below the candidates it scores. Past the first ``RERANK_DEPTH`` of a
tier, deeper pages keep the cluster's order.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from search.errors import UserError
from search.query.parse import parse

DEV = Path("/work/shared/eval/dev.json")
EVAL = Path(__file__).parent / "eval" / "dev.json"


def _dev_queries() -> list[str]:
    path = EVAL if EVAL.exists() else DEV
    return list(dict.fromkeys(c["query"] for c in json.loads(path.read_text(encoding="utf-8"))))


def _bench_queries(n: int = 60) -> list[tuple[str, dict]]:
    try:
        from bench.corpus import sample_queries
    except ImportError:  # the benchmark is not installed with the package
        return []
    out = []
    for spec in sample_queries(n):
        out.append((spec["q"], {"year": spec["year"]} if "year" in spec else {}))
    return out


CASES = [
    *[(q, {}) for q in _dev_queries()],
    ("", {}),  # no query: every passage in reading order
    ("", {"place": ["云阳"], "year": ["2023"]}),  # filters alone
    ("云", {}),  # one character: a prefix of bigrams, or the one-character word
    ("城镇新增就业", {}),  # near matches (城镇新就业) in a tier after the exact ones
    ("零碳供电所", {}),  # through the marks inside a name (“零碳”供电所)
    ("增长5.5%", {}),  # a figure with words in front, within NEAR_TOKENS
    ("200亿", {}),  # a scale's prefix: 200亿元, 200亿大关, never 200万亿
    ("GDP", {"place": ["云阳", "奉节"]}),  # a synonym, two places ticked (disjunctive facets)
    ("地区生产总值 2022", {"section": ["工作回顾"]}),  # a year term, and a section filter
    ("抽水 蓄能 电站", {}),  # terms typed apart, found side by side (the adjacency bonus)
    ("电站 -抽水", {}),  # an exclusion
    ("乡村振兴 OR 共同富裕", {"level": ["县级"]}),  # OR, and the level facet
    ('"群众说事、干部答题"', {}),  # a quoted phrase with a mark in it
    *_bench_queries(),
]


def _ids(tiers) -> list[set[str]]:
    return [{ref["id"] if isinstance(ref, dict) else None for ref, _, _ in tier} for tier in tiers]


def _whoosh_ids(snap, tiers) -> list[set[str]]:
    return [{snap.fields(ref)["id"] for ref, _, _ in tier} for tier in tiers]


def assert_same_answers(engine, opensearch_engine, q: str, filters: dict) -> None:
    """The same refusal, or the same total, facets, matching passages tier by tier, and highlight
    spans on the passages both first pages show."""
    try:
        a = engine.search(q, per_page=20, **filters)
    except UserError as exc:  # a year the index does not have: the same refusal, in the same words
        with pytest.raises(type(exc)) as refused:
            opensearch_engine.search(q, per_page=20, **filters)
        assert str(refused.value) == str(exc)
        return
    b = opensearch_engine.search(q, per_page=20, **filters)
    assert (a["total"], a["filters"], a["also_searched"]) == (b["total"], b["filters"], b["also_searched"])
    assert a["facets"] == b["facets"]
    # Every matching passage, tier by tier (exact, then near).
    plan = parse(q)
    ws, os_ = engine.generation(), opensearch_engine.generation()
    wm, om = ws.match(plan, a["filters"]), os_.match(plan, b["filters"])
    assert (wm.total, wm.near_total) == (om.total, om.near_total)
    assert _whoosh_ids(ws, wm.tiers(wm.total)) == _ids(om.tiers(om.total))
    # Highlights are computed in Python from the same text: the same spans on the same passage.
    mine = {h["id"]: h for h in a["hits"]}
    for hit in b["hits"]:
        if hit["id"] in mine:
            assert (hit["spans"], hit["html"], hit["match"]) == (mine[hit["id"]]["spans"], mine[hit["id"]]["html"],
                                                                mine[hit["id"]]["match"])
    if a["total"] <= 20:  # the whole result on one page: the same passages, whatever their order
        assert {h["id"] for h in a["hits"]} == {h["id"] for h in b["hits"]}


def first_page_differences(engine, opensearch_engine, cases) -> tuple[int, dict[str, list]]:
    """Compare the first pages of every case: (pages compared, the cases whose pages differ,
    by why). Whoosh's scores are computed for the cluster's candidates (search.opensearch.candidates),
    so a difference is one of:

    - ``tie``: the same scores page position by page position; passages tied on a score swapped
      (Whoosh breaks ties by document number, the cluster by reading order);
    - ``beyond the pool``: Whoosh's best ``RERANK_DEPTH`` of a tier holds a passage the cluster
      ranked below the candidates it scores (``rescore_pool``);
    - ``unexplained``: anything else (a bug)."""
    from search.query.rank import RERANK_DEPTH

    pages, differing = 0, {"tie": [], "beyond the pool": [], "unexplained": []}
    for q, filters in cases:
        try:
            a = engine.search(q, **filters)
        except UserError:
            continue
        b = opensearch_engine.search(q, **filters)
        if not a["hits"]:
            continue
        pages += 1
        plan = parse(q)
        om = opensearch_engine.generation().match(plan, b["filters"])
        om.tiers(RERANK_DEPTH)
        assert om.unscored == 0, (q, filters)  # every candidate the cluster sent was scored
        if [h["id"] for h in a["hits"]] == [h["id"] for h in b["hits"]]:
            continue
        if [h["score"] for h in a["hits"]] == [h["score"] for h in b["hits"]]:
            differing["tie"].append((q, filters))
            continue
        ws = engine.generation()
        best = {ws.fields(ref)["id"] for tier in ws.match(plan, a["filters"]).tiers(RERANK_DEPTH) for ref, _, _ in tier}
        pool = {hit["_source"]["id"] for tier in om._first for hit in tier}
        differing["beyond the pool" if best - pool else "unexplained"].append((q, filters))
    return pages, differing


@pytest.mark.parametrize("q, filters", CASES, ids=[f"{q}|{f}" for q, f in CASES])
def test_same_totals_facets_matches_and_highlights(engine, opensearch_engine, q, filters):
    assert_same_answers(engine, opensearch_engine, q, filters)


def assert_whooshs_scores(engine, opensearch_engine, q: str, filters: dict) -> None:
    """Every candidate the cluster sends for a first page is scored exactly as the Whoosh index
    scores the same passage (``search.opensearch.candidates``): the same tokens, document
    frequencies, passage count, field lengths and formula, to the last bit."""
    from search.opensearch.candidates import CandidateEvaluator

    try:
        resolved = engine.search(q, per_page=1, **filters)["filters"]
    except UserError:
        return
    plan = parse(q)
    ws, os_ = engine.generation(), opensearch_engine.generation()
    candidates = [hit for tier in os_.match(plan, resolved)._first for hit in tier]
    scores = CandidateEvaluator(candidates, os_.stats).scores(plan)
    assert len(scores) == len(candidates)
    whoosh = ws._scored(plan)  # every match's score, looked up by document number
    docnums = [ws.docnum(passage) for passage in scores]
    where = np.searchsorted(whoosh.docs, docnums)
    assert whoosh.docs[where].tolist() == docnums  # all of them match on the Whoosh index too
    assert scores == dict(zip(scores, whoosh.scores[where].tolist()))


@pytest.mark.parametrize("q, filters", [c for c in CASES if c[0]], ids=[f"{q}|{f}" for q, f in CASES if q])
def test_the_clusters_candidates_get_whooshs_scores(engine, opensearch_engine, q, filters):
    assert_whooshs_scores(engine, opensearch_engine, q, filters)


def test_the_first_pages_are_the_same(engine, opensearch_engine):
    """The first page after reranking is the same on both backends, except for ties and for a
    passage the cluster ranks below the candidates it scores (``first_page_differences``)."""
    cases = [(q, f) for q, f in CASES if q]
    pages, differing = first_page_differences(engine, opensearch_engine, cases)
    print(f"first pages: {pages} compared; differing: " + ", ".join(f"{k} {len(v)}" for k, v in differing.items()))
    assert pages > 40
    assert differing["unexplained"] == [] and differing["beyond the pool"] == []


# Queries that find nothing: each kind of offer (without filters, a quoted term with its synonyms,
# close words, the query without one AND group).
NOTHING_FOUND = [
    ("森林覆盖路", {}), ("抽水蓄能电占", {}), ("城镇化律 2022", {}), ("城镇化律 发展", {}),
    ("安吉游戏", {"county": ["城口"]}), ("锰污染 安吉游戏", {}), ('"GDP"', {"county": ["云阳"]}),
    ("锰污染 OR 安吉游戏 森林覆盖路 -云阳", {}), ('“群众说事、干部答题” 不存在的词语', {}),
    ("森林覆盖路 发展", {"level": ["县级"]}), ("森林覆盖路 OR 抽水蓄能电占 发展", {"year": ["2023"]}),
    ('"地区生产总值" 锰污染', {}),
]


@pytest.mark.parametrize("q, filters", NOTHING_FOUND, ids=[f"{q}|{f}" for q, f in NOTHING_FOUND])
def test_same_suggestions_when_nothing_is_found(engine, opensearch_engine, q, filters):
    a, b = engine.search(q, **filters), opensearch_engine.search(q, **filters)
    assert a["suggestions"], a  # each case offers something on the reference backend
    assert b["suggestions"] == a["suggestions"]


@pytest.mark.parametrize("passage_id_of", ["first", "last"])
def test_passages_context_and_reports_are_the_same(engine, opensearch_engine, passage_id_of):
    report = engine.reports()[0 if passage_id_of == "first" else -1]
    assert opensearch_engine.report(report["id"]) == engine.report(report["id"])
    passages = engine.report(report["id"])["passages"]
    for p in (passages[0], passages[len(passages) // 2], passages[-1]):
        assert opensearch_engine.context(p["id"]) == engine.context(p["id"])
        assert opensearch_engine.passage(p["id"]) == engine.passage(p["id"])


def test_reports_and_export_are_the_same(engine, opensearch_engine):
    assert opensearch_engine.reports() == engine.reports()
    assert [p["id"] for p in opensearch_engine.export()] == [p["id"] for p in engine.export()]
    assert opensearch_engine.info()["passages"] == engine.info()["passages"]


@pytest.mark.parametrize("word", ["发屐", "建没", "经挤", "城镇化律", "GDQ"])
def test_same_close_words(engine, opensearch_engine, word):
    """Words with many neighbours one edit away (发展, 发挥, 发布…): the same three, in the same
    order (the most passages first on both backends)."""
    from search.opensearch.suggest import Counts
    from search.query.budget import Work
    from search.whoosh_index.suggest import close_words

    plan = parse(word)
    mine = close_words(engine.generation(), word.lower(), Work())
    assert mine and Counts(opensearch_engine.generation(), plan, {}).close_words(word.lower()) == mine


@pytest.mark.parametrize("sort", ["year", "place"])
def test_same_orders_and_search_within_a_report(engine, opensearch_engine, sort):
    """Grouped by year or by place, and within one report: the same groups in the same order, and
    the same passages in the same order in each."""
    report = engine.reports()[1]["id"]
    for kwargs in ({"sort": sort}, {"sort": sort, "report": report}):
        a = engine.search("发展", per_page=50, **kwargs)
        b = opensearch_engine.search("发展", per_page=50, **kwargs)
        assert (a["total"], a["report"], a["facets"]) == (b["total"], b["report"], b["facets"])
        assert [(h[sort], h["id"]) for h in a["hits"]] == [(h[sort], h["id"]) for h in b["hits"]]


@pytest.mark.parametrize("q, filters", [
    ("", {"place": ["云阳"]}),  # no query: a place's passages in reading order
    ("城镇新增就业", {}),  # an exact tier, then a near one
    ("乡村振兴 OR 共同富裕", {"level": ["县级"]}),
])
def test_every_hit_for_a_download_is_the_same_set_tier_by_tier(engine, opensearch_engine, q, filters):
    """``iter_hits`` (the downloads) reads every match from both backends: the same passages, exact
    ones before near ones, in the order each backend's own pages give them, the first of them in
    the same order on both."""
    whoosh_rows = list(engine.iter_hits(q, **filters))
    os_rows = list(opensearch_engine.iter_hits(q, **filters))
    assert len(os_rows) == len(whoosh_rows) == engine.search(q, **filters, per_page=1)["total"]
    for rows in (whoosh_rows, os_rows):  # exact before near
        kinds = [r["match"] for r in rows]
        assert kinds == sorted(kinds, key=lambda k: k == "near")
    assert [{r["id"] for r in whoosh_rows if r["match"] == k} for k in ("exact", "near", None)] == \
           [{r["id"] for r in os_rows if r["match"] == k} for k in ("exact", "near", None)]
    if not q:  # reading order is the same on both
        assert [r["id"] for r in os_rows] == [r["id"] for r in whoosh_rows]
    # The first rows are the first page's, ranked alike on both (search.opensearch.candidates).
    assert [r["id"] for r in os_rows[:50]] == [r["id"] for r in whoosh_rows[:50]]
    paged = opensearch_engine.search(q, **filters, per_page=50)["hits"]
    assert [r["id"] for r in os_rows[:len(paged)]] == [h["id"] for h in paged]


@pytest.mark.parametrize("q, filters", [("森林覆盖率", {}), ("发展", {"place": ["云阳", "奉节"]}), ("", {"year": ["2023"]})])
def test_saved_searches_see_the_same_arrivals(engine, opensearch_engine, q, filters):
    """A saved search's page and feed (``Engine.arrivals``): the same passages in the same order,
    each dated by its report's arrival, which ``push`` copies with the report records."""
    a, b = engine.arrivals(q, **filters, limit=30), opensearch_engine.arrivals(q, **filters, limit=30)
    assert a["total"] == b["total"] and a["passages"]
    assert [(p["id"], p["added_at"]) for p in b["passages"]] == [(p["id"], p["added_at"]) for p in a["passages"]]


def test_past_the_scored_depth_pages_go_on_in_the_clusters_order(engine, opensearch_engine, monkeypatch):
    """Results down to ``RESCORED_DEPTH`` are ranked as on the Whoosh index; a deeper page keeps
    them as they were and goes on in the cluster's order, with no passage twice and none lost."""
    from search.opensearch import backend

    monkeypatch.setattr(backend, "RESCORED_DEPTH", 120)
    plan = parse("发展")
    ws, os_ = engine.generation(), opensearch_engine.generation()
    wm, om = ws.match(plan, {}), os_.match(plan, {})
    assert om.total > 300
    shallow = [source["id"] for source, _, _ in om.tiers(120)[0]]
    deep = [source["id"] for source, _, _ in om.tiers(300)[0]]
    assert shallow == [ws.fields(ref)["id"] for ref, _, _ in wm.tiers(120)[0]]
    assert deep[:120] == shallow
    assert len(set(deep)) == len(deep) == 300
    everything = {source["id"] for source, _, _ in om.tiers(om.total)[0]}
    assert len(everything) == len(om.tiers(om.total)[0]) == om.total - om.near_total
