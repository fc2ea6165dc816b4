"""``add`` and ``remove`` on a served cluster (``--opensearch``), against a real node.

Each change is made twice, with the same command: on an embedded index and on a cluster loaded
from the same index. Afterwards both must answer alike (reports, searches, facets, a report's
passages and their context), as after a rebuild and a push, and the alias must name a new index.
"""

from __future__ import annotations

import shutil
import time

import pytest
from click.testing import CliRunner

from search.cli import cli
from search.engine import Engine
from search.opensearch.backend import ALIAS_TTL, OpenSearchBackend
from search.opensearch.client import connect
from search.opensearch.push import push
from search.query.parse import parse

from .conftest import MINI_REPORT, SEEDS, write_report

NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing listens there
CHENGKOU = SEEDS / "003_acdff93d03fcc2c7.txt"  # 城口 2023 政府工作报告
OTHERS = [SEEDS / "000_d0fe4f7f7cc8ad9c.txt", SEEDS / "004_650584b8d763417a.txt"]
REPLACEMENT_SENTENCE = "新增一句用于验证集群中的替换，含有独一无二的词语鹦鹉螺号。"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def small_index(tmp_path_factory):
    """Three seeds, built once; each test works on its own copy."""
    source = tmp_path_factory.mktemp("changes-src")
    for path in [CHENGKOU, *OTHERS]:
        shutil.copy(path, source / path.name)
    index = tmp_path_factory.mktemp("changes-index")
    assert run("build", "--source", source, "--index", index).exit_code == 0
    return index


@pytest.fixture
def pair(small_index, opensearch_url, tmp_path, request):
    """(embedded index folder, alias, client): the same reports in both."""
    index = tmp_path / "index"
    shutil.copytree(small_index, index)
    alias = f"changes-{request.node.name.lower().replace('[', '-').replace(']', '')}"[:60]
    client = connect(opensearch_url)
    push(index, client, alias)
    return index, alias, client


def _engines(index, alias, client, url):
    return Engine(index), Engine(index, backend=OpenSearchBackend(url=url, alias=alias, client=client))


def _untimed(value):
    """``value`` without the arrival times: each add stamps the time it ran, and the two adds
    compared here may fall in different seconds."""
    if isinstance(value, dict):
        return {k: _untimed(v) for k, v in value.items() if k != "added_at"}
    if isinstance(value, list):
        return [_untimed(v) for v in value]
    return value


def _assert_alike(whoosh: Engine, cluster: Engine, queries):
    assert _untimed(cluster.reports()) == _untimed(whoosh.reports())
    assert all(r["added_at"] for r in cluster.reports())
    assert cluster.info()["passages"] == whoosh.info()["passages"]
    assert [p["id"] for p in cluster.export()] == [p["id"] for p in whoosh.export()]
    for q in queries:
        a, b = whoosh.search(q, per_page=50), cluster.search(q, per_page=50)
        assert (a["total"], a["facets"]) == (b["total"], b["facets"]), q
        wm = whoosh.generation().match(parse(q), {})
        om = cluster.generation().match(parse(q), {})
        assert [{whoosh.generation().fields(r)["id"] for r, _, _ in t} for t in wm.tiers(wm.total)] == \
               [{r["id"] for r, _, _ in t} for t in om.tiers(om.total)], q
    for report in whoosh.reports():
        assert _untimed(cluster.report(report["id"])) == _untimed(whoosh.report(report["id"]))
        passages = whoosh.report(report["id"])["passages"]
        for p in (passages[0], passages[-1]):
            assert _untimed(cluster.context(p["id"])) == _untimed(whoosh.context(p["id"]))


def _writable(client, index: str) -> bool:
    blocks = client.indices.get_settings(index=index)[index]["settings"]["index"].get("blocks", {})
    return blocks.get("write", "false") == "false"


def _new_report(tmp_path):
    return write_report(tmp_path, "巫山2023.txt", MINI_REPORT)


def _replacement(tmp_path):
    edited = tmp_path / "城口2023.txt"
    edited.write_text(CHENGKOU.read_text(encoding="utf-8") + "\n" + REPLACEMENT_SENTENCE + "\n", encoding="utf-8")
    return edited


# (what is added, what the output says, a query that must find something afterwards)
ADDS = [
    ("a new report", _new_report, None, "首次突破百亿"),
    ("a replacement", _replacement, "replaced: 重庆市城口县 2023 政府工作报告", "鹦鹉螺号"),
]


@pytest.mark.parametrize("what, make, says, finds", ADDS, ids=[a[0] for a in ADDS])
def test_add_on_the_cluster_answers_as_add_on_the_embedded_index(pair, opensearch_url, tmp_path,
                                                                  what, make, says, finds):
    index, alias, client = pair
    served_before = list(client.indices.get_alias(name=alias))
    whoosh, cluster = _engines(index, alias, client, opensearch_url)
    assert cluster.search(finds)["total"] == 0
    path = make(tmp_path)
    local = run("add", path, "--index", index)
    remote = run("add", path, "--opensearch", opensearch_url, "--alias", alias)
    assert local.exit_code == 0 and remote.exit_code == 0, remote.output
    if says:
        assert says in local.output and says in remote.output
    assert f"{opensearch_url} {alias}" in remote.output
    # A load's rule: the alias names a new index, the old one is gone, and a running site sees it.
    served_after = list(client.indices.get_alias(name=alias))
    assert served_after != served_before and not client.indices.exists(index=served_before[0])
    time.sleep(ALIAS_TTL)
    assert cluster.search(finds)["total"] > 0
    _assert_alike(Engine(index), cluster, [finds, "地区生产总值", "GDP", "城镇新增就业", "森林覆盖率"])


def test_remove_on_the_cluster_answers_as_remove_on_the_embedded_index(pair, opensearch_url):
    index, alias, client = pair
    whoosh, cluster = _engines(index, alias, client, opensearch_url)
    chengkou = next(r["id"] for r in whoosh.reports() if r["county"] == "城口")
    assert cluster.search("城口")["total"] > 0
    local = run("remove", chengkou, "--index", index)
    remote = run("remove", chengkou, "--opensearch", opensearch_url, "--alias", alias)
    assert local.exit_code == 0 and remote.exit_code == 0, remote.output
    assert remote.output == local.output  # the same line: reports and passages left
    time.sleep(ALIAS_TTL)
    assert chengkou not in {r["id"] for r in cluster.reports()}
    _assert_alike(Engine(index), cluster, ["城口", "地区生产总值", "GDP", "森林覆盖率"])


def test_a_refused_change_leaves_the_served_index_as_it_was(pair, opensearch_url, tmp_path):
    index, alias, client = pair
    served = list(client.indices.get_alias(name=alias))
    count = client.count(index=alias)["count"]
    unknown = run("remove", "no-such-report", "--opensearch", opensearch_url, "--alias", alias)
    assert unknown.exit_code == 1 and "没有这些报告：no-such-report" in unknown.output
    unreadable = write_report(tmp_path, "空.txt", "")
    nothing = run("add", unreadable, "--opensearch", opensearch_url, "--alias", alias)
    assert nothing.exit_code == 1 and "集群中的索引保持原样" in nothing.output
    assert "Traceback" not in unknown.output + nothing.output
    assert list(client.indices.get_alias(name=alias)) == served and client.count(index=alias)["count"] == count
    assert _writable(client, served[0])
    # Still writable: a later change goes through.
    assert run("add", _new_report(tmp_path), "--opensearch", opensearch_url, "--alias", alias).exit_code == 0


def test_a_change_that_fails_midway_lifts_the_block_and_keeps_the_alias(pair, opensearch_url, tmp_path, monkeypatch):
    from search.opensearch import changes

    index, alias, client = pair
    served = list(client.indices.get_alias(name=alias))
    indices_before = set(client.indices.get(index=f"{alias}-*"))

    def broken(*args, **kwargs):
        raise RuntimeError("bulk failed")

    monkeypatch.setattr(changes, "_bulk", broken)
    with pytest.raises(RuntimeError):
        changes.add([_new_report(tmp_path)], client, alias)
    assert list(client.indices.get_alias(name=alias)) == served
    assert set(client.indices.get(index=f"{alias}-*")) == indices_before  # the clone is deleted
    assert _writable(client, served[0])
    monkeypatch.undo()
    assert changes.add([_new_report(tmp_path)], client, alias).passages > 0


def test_an_alias_that_is_not_there_is_one_line(opensearch_url, tmp_path):
    result = run("add", _new_report(tmp_path), "--opensearch", opensearch_url, "--alias", "never-pushed")
    assert result.exit_code == 1 and "集群中没有别名 never-pushed" in result.output


@pytest.mark.parametrize("args", [["remove", "x"], ["add", "FILE"], ["reports"]])
def test_an_unreachable_cluster_is_one_line(tmp_path, args):
    args = [str(_new_report(tmp_path)) if a == "FILE" else a for a in args]
    result = run(*args, "--opensearch", NOWHERE)
    assert result.exit_code == 1 and "连不上 OpenSearch 集群" in result.output and "Traceback" not in result.output


def test_reports_lists_the_cluster(pair, opensearch_url):
    index, alias, _ = pair
    on_cluster = run("reports", "--opensearch", opensearch_url, "--alias", alias)
    assert on_cluster.exit_code == 0 and on_cluster.output == run("reports", "--index", index).output
    assert on_cluster.output.count("\n") == 3  # the three reports pushed, with their ids to remove by


REFUSED = [{"index": {"_id": "x", "status": 503, "error": {"type": "unavailable_shards_exception",
                                                           "reason": "primary shard is not active"}}}]


@pytest.mark.parametrize("command", ["push", "add"])
def test_documents_the_cluster_refuses_are_one_line_and_the_alias_stays(pair, opensearch_url, tmp_path,
                                                                       monkeypatch, command):
    """A node lost during a load (measured: bench/RESULTS.md) leaves documents refused after the
    retries: the command says so in one line, and readers keep the index they had."""
    from opensearchpy.helpers import BulkIndexError

    from search.opensearch import changes, push as push_module

    index, alias, client = pair
    served = list(client.indices.get_alias(name=alias))

    def refusing(*args, **kwargs):
        raise BulkIndexError("1 document(s) failed to index.", REFUSED)
        yield  # a generator, as streaming_bulk is

    monkeypatch.setattr(push_module, "streaming_bulk", refusing)
    monkeypatch.setattr(changes, "streaming_bulk", refusing)
    args = (["push", "--index", index] if command == "push" else ["add", _new_report(tmp_path)])
    result = run(*args, "--opensearch", opensearch_url, "--alias", alias)
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert "集群拒绝写入 1 个文档（unavailable_shards_exception（503））" in result.output
    assert f"别名 {alias} 没有改动" in result.output
    assert list(client.indices.get_alias(name=alias)) == served and _writable(client, served[0])
    assert set(client.indices.get(index=f"{alias}-*")) == set(served)  # the new index is deleted
