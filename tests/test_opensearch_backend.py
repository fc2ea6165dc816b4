"""The OpenSearch backend as its callers see it: the site and the CLI against a real node, loading
with ``push`` (a new index, then the alias moved), and a cluster that does not answer."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from search.cli import cli
from search.engine import Engine
from search.errors import ClusterUnavailable
from search.opensearch.backend import OpenSearchBackend
from search.opensearch.client import connect
from search.opensearch.push import push
from search.query.parse import parse
from webui import create_app

NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing listens there


@pytest.fixture
def down_app(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICY_SEARCH_BACKEND", "opensearch")
    monkeypatch.setenv("POLICY_SEARCH_OPENSEARCH_URL", NOWHERE)
    monkeypatch.setenv("POLICY_SEARCH_OPENSEARCH_TIMEOUT", "2")
    return create_app({"INDEX_DIR": tmp_path / "none", "TESTING": True, "SECRET_KEY": "test",
                       "BRIEFINGS_DB": tmp_path / "b.db"})


@pytest.mark.parametrize("url", [
    "/search?q=GDP",  # a results page
    "/p/0123456789ab",  # a permalink
    "/",  # the home page (it lists the reports)
])
def test_an_unreachable_cluster_is_a_chinese_503_page(down_app, url):
    page = down_app.test_client().get(url)
    assert page.status_code == 503
    body = page.data.decode()
    assert "检索集群暂不可用" in body and "Traceback" not in body


def test_an_unreachable_cluster_is_a_503_in_json(down_app):
    api = down_app.test_client().get("/api/search?q=GDP")
    assert api.status_code == 503 and api.json["code"] == "cluster_unavailable" and "OpenSearch" in api.json["error"]


def test_the_library_says_cluster_unavailable():
    engine = Engine(backend=OpenSearchBackend(url=NOWHERE))
    with pytest.raises(ClusterUnavailable):
        engine.search("GDP")


def test_push_to_an_unreachable_cluster_is_one_line(seed_index):
    result = CliRunner().invoke(cli, ["push", "--index", str(seed_index), "--opensearch", NOWHERE])
    assert result.exit_code == 1 and "连不上 OpenSearch 集群" in result.output and "Traceback" not in result.output


def test_push_writes_a_new_index_and_moves_the_alias(opensearch_url, seed_index):
    client = connect(opensearch_url)
    first = push(seed_index, client, "twice")
    second = push(seed_index, client, "twice")  # the same passages again: same ids, no duplicates
    assert second["previous"] == [first["index"]] and not client.indices.exists(index=first["index"])
    assert list(client.indices.get_alias(name="twice")) == [second["index"]]
    engine = Engine(seed_index, backend=OpenSearchBackend(url=opensearch_url, alias="twice", client=client))
    assert engine.info()["passages"] == first["passages"] == second["passages"]


def test_push_command_reports_progress_and_rate(opensearch_url, seed_index):
    result = CliRunner().invoke(cli, ["push", "--index", str(seed_index), "--opensearch", opensearch_url,
                                      "--alias", "by-cli"])
    assert result.exit_code == 0, result.output
    assert "passages/s" in result.output and "alias by-cli" in result.output


@pytest.fixture
def os_client(opensearch_engine, opensearch_url, tmp_path, monkeypatch):
    monkeypatch.setenv("POLICY_SEARCH_BACKEND", "opensearch")
    monkeypatch.setenv("POLICY_SEARCH_OPENSEARCH_URL", opensearch_url)
    monkeypatch.setenv("POLICY_SEARCH_OPENSEARCH_ALIAS", "seeds")
    return create_app({"INDEX_DIR": tmp_path / "none", "TESTING": True, "SECRET_KEY": "test",
                       "BRIEFINGS_DB": tmp_path / "b.db"}).test_client()


@pytest.mark.parametrize("url", [
    "/search?q=GDP&place=云阳",  # results with a facet ticked
    "/api/search?q=城镇新增就业",  # exact and near matches
    "/compare?q=地区生产总值",  # the compare page
    "/targets?q=地区生产总值",  # the targets page
    "/",  # the home page (it lists the reports)
])
def test_the_site_answers_from_opensearch(os_client, url):
    assert os_client.get(url).status_code == 200


def test_a_permalink_answers_from_opensearch(os_client, engine):
    passage = engine.search("X波段天气雷达")["hits"][0]
    page = os_client.get(passage["url"])
    assert page.status_code == 200 and "X波段天气雷达" in page.data.decode()


def test_a_search_within_a_report_is_a_term_filter_on_its_report_field():
    from search.opensearch import dsl

    clauses = dsl.filters({"place": ["重庆市云阳县"], "report_id": ["fz2dohx6"]})
    assert clauses == [{"terms": {"place": ["重庆市云阳县"]}}, {"term": {"report_id": "fz2dohx6"}}]
    # Each facet's counts stay within the report (only the facet's own filter is skipped).
    assert {"term": {"report_id": "fz2dohx6"}} in dsl.filters({"place": ["x"], "report_id": ["fz2dohx6"]}, skip="place")


def test_a_load_without_passage_lengths_is_served_in_the_clusters_order(opensearch_url, seed_index, engine,
                                                                        monkeypatch, caplog):
    """An index written by an older push carries no passage lengths, so Whoosh's BM25F cannot be
    computed for its candidates (``search.opensearch.candidates``): it is still served, with the
    same matches, ranked by the cluster's BM25, and the log says to push again."""
    from search.opensearch import push as push_module
    from search.opensearch.mapping import passage_document

    def older(stored, order):
        doc = passage_document(stored, order)
        del doc["lengths"]
        return doc

    monkeypatch.setattr(push_module, "passage_document", older)
    push(seed_index, connect(opensearch_url), "older-load")
    with caplog.at_level("WARNING", logger="search.opensearch.backend"):
        older_engine = Engine(seed_index, backend=OpenSearchBackend(url=opensearch_url, alias="older-load"))
        found = older_engine.search("地区生产总值", per_page=50)
    assert "重新运行 policy-search push" in caplog.text
    expected = engine.search("地区生产总值", per_page=50)
    assert found["total"] == expected["total"]
    matches = older_engine.generation().match(parse("地区生产总值"), {})
    assert not matches.rescore
    # The cluster's scores, not Whoosh's: the same passages score otherwise.
    assert {h["id"]: h["score"] for h in found["hits"]} != {h["id"]: h["score"] for h in expected["hits"]}


def test_rescoring_can_be_turned_off(opensearch_engine, monkeypatch):
    monkeypatch.setenv("POLICY_SEARCH_RESCORE_POOL", "0")
    matches = opensearch_engine.generation().match(parse("地区生产总值"), {})
    assert not matches.rescore and matches.asked == [100, 100]
    monkeypatch.setenv("POLICY_SEARCH_RESCORE_POOL", "20")  # never fewer than the first page reranks
    matches = opensearch_engine.generation().match(parse("地区生产总值"), {})
    assert matches.rescore and matches.asked == [100, 100]
