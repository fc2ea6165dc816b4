"""A build in batches (the setting ``build_batch_passages``): what it holds in memory is one batch,
and what it serves is what a build of everything at once serves."""

from __future__ import annotations

import pytest

from search.engine import Engine
from search.whoosh_index import indexing

from .conftest import SEEDS
from .test_evidence import report_text
from .test_manifest import own_words

QUERIES = ["发展", "地区生产总值", "乡村振兴 OR 共同富裕", "城镇新增就业", '"生态环境"', "增长5.5%"]


def _answers(engine: Engine) -> list:
    out = [engine.info()["passages"], [(r["id"], r["sequence"], r["passage_count"]) for r in engine.reports()]]
    for q in QUERIES:
        found = engine.search(q, per_page=50)
        out.append((q, found["total"], found["facets"], [(h["id"], h["score"], h["match"]) for h in found["hits"]]))
    return out


@pytest.fixture(scope="module")
def at_once(tmp_path_factory):
    index = tmp_path_factory.mktemp("at-once")
    indexing.build(SEEDS, index)
    return _answers(Engine(index))


@pytest.mark.parametrize("batch", [1, 700, 3000])  # a report a batch; a few; more than a report but not all
def test_a_build_in_batches_serves_what_a_build_at_once_serves(tmp_path, monkeypatch, at_once, batch):
    monkeypatch.setenv("POLICY_SEARCH_BUILD_BATCH_PASSAGES", str(batch))
    summary = indexing.build(SEEDS, tmp_path / "index")
    engine = Engine(tmp_path / "index")
    assert summary.passages == engine.info()["passages"]
    assert _answers(engine) == at_once
    segments = engine.generation().reader.leaf_readers()
    assert len(segments) > 1  # written a batch at a time: a segment (or two) per batch


def test_a_fuller_copy_in_a_later_batch_replaces_the_written_one(tmp_path, monkeypatch):
    """The shorter copy is read (and, a report a batch, written) first; the fuller one read later
    replaces it: its passages are deleted, the fuller one's served, and the build says which it kept."""
    monkeypatch.setenv("POLICY_SEARCH_BUILD_BATCH_PASSAGES", "1")
    src = tmp_path / "src"
    (src / "副本").mkdir(parents=True)
    full = report_text(body=own_words("宜昌"))
    short = full.rsplit("全", 1)[0] + "。"
    (src / "副本" / "宜昌.txt").write_text(short, encoding="utf-8")  # 副本/ sorts first: read first
    (src / "宜昌.txt").write_text(full, encoding="utf-8")
    (src / "宜都.txt").write_text(report_text(body=own_words("宜都")), encoding="utf-8")
    summary = indexing.build(src, tmp_path / "index")
    assert sorted(r["source"] for r in summary.reports) == ["宜昌.txt", "宜都.txt"]
    assert any("同一份报告" in m and "保留了段落更多的 宜昌.txt" in m for m in summary.refused)
    engine = Engine(tmp_path / "index")
    assert engine.info()["passages"] == summary.passages == sum(r["passage_count"] for r in summary.reports)
    # Said by both copies and by 宜都's report: once per report served, the deleted copy's gone.
    assert engine.search('"团结奋斗"')["total"] == 2
    assert engine.search('"再接再厉"')["total"] == 2  # the fuller copy's last sentence is served
