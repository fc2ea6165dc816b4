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
