"""The policy-search command: each command's output, and one clear line for every user error."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from search.cli import cli

from .conftest import MINI_REPORT, write_report


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli, [str(a) for a in args])

    return invoke


def test_search_prints_ranked_passages_with_citations(run, seed_index):
    result = run("search", "抽水蓄能电站", "--county", "奉节", "--index", seed_index)
    assert result.exit_code == 0, result.output
    assert "菜籽坝抽水蓄能电站" in result.output
    assert "奉节 · 2023年国民经济和社会发展计划执行情况及2024年计划草案的报告" in result.output


def test_search_json_has_the_engine_shape(run, seed_index):
    result = run("search", "森林覆盖率", "--json", "--limit", "3", "--index", seed_index)
    data = json.loads(result.output)
    assert data["per_page"] == 3 and len(data["hits"]) == 3 and data["total"] >= 3


@pytest.mark.parametrize("args, message", [
    (["search", '"open', "--index", "{index}"], "引号 \" 没有配对"),
    (["search", "发展", "--county", "北京", "--index", "{index}"], "索引中没有地区“北京”"),
    (["search", "发展", "--page", "0", "--index", "{index}"], "页码须在 1 到 1000 之间"),
    (["search", "发展", "--index", "{missing}"], "build one with: policy-search build"),
    (["export", "--index", "{missing}"], "build one with: policy-search build"),
])
def test_user_errors_are_one_line_without_traceback(run, seed_index, tmp_path, args, message):
    args = [a.format(index=seed_index, missing=tmp_path / "none") for a in args]
    result = run(*args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.output.strip().count("\n") == 0


def test_build_add_export(run, tmp_path, seeds_dir):
    index = tmp_path / "index"
    src = tmp_path / "src"
    src.mkdir()
    write_report(src, "r.txt", MINI_REPORT)
    (src / "empty.txt").write_bytes(b"")
    result = run("build", "--source", src, "--index", index)
    assert result.exit_code == 0, result.output
    assert "indexed 1 reports" in result.output and "巫山" in result.output
    assert "empty.txt：文件是空的" in result.output
    result = run("add", seeds_dir / "003_acdff93d03fcc2c7.txt", "--index", index)
    assert result.exit_code == 0 and "index now has 2 reports" in result.output
    lines = run("export", "--index", index).output.splitlines()
    rows = [json.loads(line) for line in lines]
    assert {r["county"] for r in rows} == {"巫山", "城口"}
    assert {"id", "report_id", "county", "year", "section", "heading", "text"} <= rows[0].keys()


def test_build_with_nothing_readable_fails_cleanly(run, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "empty.txt").write_bytes(b"")
    result = run("build", "--source", src, "--index", tmp_path / "index")
    assert result.exit_code == 1 and "没有一份报告能读入" in result.output
    assert "Traceback" not in result.output


def test_eval_reports_mrr_and_fails_on_a_missed_case(run, seed_index, tmp_path):
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps([
        {"id": "ok", "query": "安吉游戏", "county": None, "relevant": ["安吉游戏"]},
        {"id": "miss", "query": "安吉游戏", "county": "城口", "relevant": ["安吉游戏"]},
    ], ensure_ascii=False), encoding="utf-8")
    result = run("eval", cases, "--index", seed_index)
    assert result.exit_code == 1
    assert "1/2 cases passed" in result.output and "MRR 0.500" in result.output
