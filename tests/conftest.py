"""Shared fixtures: one index of the bundled reports per test run, built in a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.engine import Engine
from search.whoosh_index.indexing import build

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory):
    """Keep jieba's cache out of the user's folders; settings read the environment lazily."""
    mp = pytest.MonkeyPatch()
    mp.setenv("POLICY_SEARCH_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    yield
    mp.undo()


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory) -> Path:
    """An index of the five bundled reports. Read-only: tests that change an index build their own."""
    index_dir = tmp_path_factory.mktemp("seed-index")
    build(SEEDS, index_dir)
    return index_dir


@pytest.fixture(scope="session")
def engine(seed_index) -> Engine:
    return Engine(seed_index)


CORPUS = Path(__file__).parent / "fixtures" / "corpus"


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory) -> Path:
    """National reports 2010–2025, twelve provinces' 2025 Word reports and four 2026 web texts."""
    index_dir = tmp_path_factory.mktemp("ledger-index")
    src = tmp_path_factory.mktemp("ledger-src")
    for folder in ("national", "docx-2025", "web-2026"):
        (src / folder).mkdir()
        for path in (CORPUS / folder).iterdir():
            if path.suffix in (".txt", ".docx"):
                (src / folder / path.name).write_bytes(path.read_bytes())
    build(src, index_dir)
    return index_dir


def write_report(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


MINI_REPORT = """巫山县2022年国民经济和社会发展计划
执行情况及2023年计划草案的报告
——2023年1月10日在巫山县第一届人民代表大会第一次会议上
各位代表：
受县人民政府委托，现将计划执行情况提请审查。
一、2022年国民经济和社会发展计划执行情况
（一）经济运行稳中向好。全年实现地区生产总值100.5亿元、增长4.7%。中华人民共和国成立以来首次突破百亿。
群众说事、干部答题机制全面推广；新建5G基站20个。
二、2023年国民经济和社会发展计划主要目标
地区生产总值增长6%左右。
三、2023年国民经济和社会发展主要任务
（一）建设抽水蓄能电站。推进X波段天气雷达建设，开展REITs试点。
"""


# -- OpenSearch (search.opensearch) ------------------------------------------------------------------


def _opensearch_unavailable(reason: str):
    """Skip where Java or Maven Central is missing; with POLICY_SEARCH_REQUIRE_OPENSEARCH=1 (CI)
    that is a failure instead, as a skipped browser test is."""
    import os

    if os.environ.get("POLICY_SEARCH_REQUIRE_OPENSEARCH") == "1":
        pytest.fail(f"{reason}; POLICY_SEARCH_REQUIRE_OPENSEARCH=1 makes a skipped OpenSearch test a failure")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def opensearch_url(tmp_path_factory):
    """One real OpenSearch node for the test run (``policy-search opensearch start``), stopped at
    the end of the session."""
    import socket

    from search.opensearch import node

    problem = node.tools_missing()
    if problem:
        _opensearch_unavailable(problem)
    with socket.socket() as s:  # a free port, and the one above it (free too, almost always)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    home = tmp_path_factory.mktemp("opensearch")
    try:
        state = node.start(home, port=port, nodes=1, heap_mb=512)
    except node.NodeUnavailable as exc:
        _opensearch_unavailable(f"no OpenSearch node could be started here: {str(exc)[:300]}")
    yield state["url"]
    node.stop(home)


@pytest.fixture(scope="session")
def opensearch_engine(opensearch_url, seed_index) -> Engine:
    """The seeds, pushed to the node, served by the OpenSearch backend."""
    from search.opensearch.backend import OpenSearchBackend
    from search.opensearch.client import connect
    from search.opensearch.push import push

    push(seed_index, connect(opensearch_url), "seeds")
    return Engine(seed_index, backend=OpenSearchBackend(url=opensearch_url, alias="seeds"))
