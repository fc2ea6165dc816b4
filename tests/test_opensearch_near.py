"""Near-match candidates on the cluster (``search.opensearch.near``): the span pairs leave out only
passages the check in Python would reject, and the Whoosh index's cut at ``MAX_CANDIDATES`` is kept.
"""

from __future__ import annotations

import pytest

from search.engine import Engine
from search.opensearch import dsl
from search.opensearch import near
from search.opensearch.backend import OpenSearchBackend
from search.query.parse import parse

# Terms with near matches on the seeds, with a measure tail (就业, 强度), and short common words whose
# bigrams stand apart in many passages (产业 … 发展).
TERMS = ["城镇新增就业", "抽水蓄能电站", "研发投入强度", "经济发展质量", "全面落实", "城乡建设", "全面实施",
         "农业产业", "公共服务", "产业发展"]


def _searched(term):
    [[typed]] = parse(term).groups
    return [s for s in typed.searched if s.near is not None]


def test_the_pairs_leave_out_only_what_the_check_rejects(opensearch_engine):
    snap = opensearch_engine.generation()
    sent = unpruned = 0
    for term in TERMS:
        exact = dsl.group(parse(term).groups[0])
        for searched in _searched(term):
            bodies = near.near_requests(searched, exact)
            candidates, cut = snap.msearch(bodies)
            every = snap.search({**bodies[0], "query": bodies[1]["query"]})  # without the pairs
            assert {h["_id"] for h in candidates["hits"]["hits"]} <= {h["_id"] for h in every["hits"]["hits"]}
            assert near.near_kept(searched, candidates, cut) == near.near_kept(searched, every, cut)
            sent += len(candidates["hits"]["hits"])
            unpruned += len(every["hits"]["hits"])
    assert sent < unpruned / 2, (sent, unpruned)  # what the change is for: fewer texts sent


@pytest.mark.parametrize("cap", [1, 3, 10])
def test_the_cut_at_max_candidates_is_the_whoosh_index_s(engine, opensearch_engine, opensearch_url, monkeypatch, cap):
    """With few candidates allowed, both backends check the same ones: the passages that share the
    most bigrams, in reading order, so the near matches found are the same."""
    from search.scoring import near_matches

    monkeypatch.setattr(near_matches, "MAX_CANDIDATES", cap)
    monkeypatch.setattr(near, "MAX_CANDIDATES", cap)
    whoosh = Engine(engine.index_dir)
    cluster = Engine(engine.index_dir, backend=OpenSearchBackend(url=opensearch_url, alias="seeds"))
    found = 0
    for term in TERMS:
        plan = parse(term)
        wm, om = whoosh.generation().match(plan, {}), cluster.generation().match(plan, {})
        assert wm.near_total == om.near_total, term
        ws = whoosh.generation()
        assert [{ws.fields(r)["id"] for r, _, _ in t} for t in wm.tiers(wm.total)] == \
               [{r["id"] for r, _, _ in t} for t in om.tiers(om.total)], term
        found += om.near_total
    assert found > 0
