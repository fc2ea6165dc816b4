"""The policy-search command: each command's output, and one clear line for every user error."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest
from click.testing import CliRunner

from search.cli import cli

from .conftest import MINI_REPORT, SEEDS, write_report


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
    (["search", "发展", "--index", "{missing}"], "还没有索引；请先建立索引：policy-search build"),
    (["export", "--index", "{missing}"], "还没有索引；请先建立索引：policy-search build"),
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
    # Built, with a file left out: status 3 says so to a script (0: every file read; 1: nothing changed).
    assert result.exit_code == 3, result.output
    assert "indexed 1 reports" in result.output and "巫山" in result.output
    assert "empty.txt：文件是空的" in result.output and "1 个文件没有收入索引" in result.output
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


@pytest.mark.parametrize("host, message", [
    ("127.0.0.1", "端口 {port} 已被占用（127.0.0.1:{port}）：请用 --port 换一个端口"),
    ("192.0.2.1", "无法在 192.0.2.1:{port} 上提供服务"),  # an address of no interface here (TEST-NET-1)
])
def test_serve_where_it_cannot_listen_says_so_in_one_line(run, seed_index, host, message):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = run("serve", "--host", host, "--port", port, "--index", seed_index)
    assert result.exit_code == 1
    assert message.format(port=port) in result.output
    assert "serving" not in result.output and "Traceback" not in result.output
    assert result.output.strip().count("\n") == 0


@pytest.mark.parametrize("port", [
    80000,  # past 65535: bind() raised OverflowError, a traceback
    -1,
])
def test_serve_on_a_port_out_of_range_says_so_in_one_line(run, seed_index, port):
    result = run("serve", "--port", port, "--index", seed_index)
    message = "端口须是 0 到 65535 之间的整数，不是 {port}"
    assert result.exit_code == 1
    assert message.format(port=port) in result.output
    assert "serving" not in result.output and "Traceback" not in result.output
    assert result.output.strip().count("\n") == 0


# What each command must not load: a query's whole-word bonus asks the index's vocabulary instead
# of a segmenter's dictionary (jieba's took 1-3 s to load), building cuts words with rjieba, only
# tests build Whoosh queries (whoosh.query), and the site's packages belong to serve alone.
LOADS = """
import sys
from search.cli import cli
try:
    cli(sys.argv[1:])
except SystemExit:
    pass
watched = ("jieba", "rjieba", "flask", "waitress", "gunicorn", "whoosh", "whoosh.query", "numpy")
print(sorted(m for m in watched if m in sys.modules), file=sys.stderr)
"""


@pytest.mark.parametrize("args, loaded", [
    (["--help"], []),
    (["search", "森林覆盖率", "--index", "{index}"], ["numpy", "whoosh"]),
    (["search", "地区生产总值 增长", "--county", "奉节", "--json", "--index", "{index}"], ["numpy", "whoosh"]),
    (["build", "--source", "{source}", "--index", "{new_index}"], ["numpy", "rjieba", "whoosh"]),
])
def test_commands_load_only_what_they_use(seed_index, tmp_path, args, loaded):
    source = tmp_path / "src"
    source.mkdir()
    write_report(source, "r.txt", MINI_REPORT)
    args = [a.format(index=seed_index, source=source, new_index=tmp_path / "index") for a in args]
    done = subprocess.run([sys.executable, "-c", LOADS, *args], capture_output=True, text=True, timeout=300)
    assert done.stderr.strip().splitlines()[-1] == repr(loaded), done.stderr


def test_build_indexes_every_source_folder_given(run, tmp_path):
    # build --source A --source B once kept only B, silently. A folder inside another is read once.
    first, second = tmp_path / "a", tmp_path / "b"
    for folder, seed in ((first, "000_d0fe4f7f7cc8ad9c.txt"), (second, "004_650584b8d763417a.txt")):
        folder.mkdir()
        (folder / seed).write_bytes((SEEDS / seed).read_bytes())
    index = tmp_path / "index"
    result = run("build", "--source", first, "--source", second, "--source", first, "--index", index)
    assert result.exit_code == 0, result.output
    assert "indexed 2 reports" in result.output and "云阳" in result.output and "奉节" in result.output
    (tmp_path / "m.csv").write_text("file,place\n", encoding="utf-8")
    refused = run("build", "--source", first, "--source", second, "--manifest", tmp_path / "m.csv", "--index", index)
    assert refused.exit_code == 1 and "--manifest 只能配一个 --source" in refused.output


def test_file_names_are_kept_and_printed_safely(run, tmp_path):
    # A name that is not UTF-8 once stopped the build writing meta.json; names with a newline or
    # escape sequences were printed raw by `reports`, forging lines and driving the terminal.
    folder = tmp_path / "src"
    folder.mkdir()
    not_utf8 = b"bad\xff\xfe.txt".decode("utf-8", "surrogateescape")
    (folder / not_utf8).write_bytes((SEEDS / "000_d0fe4f7f7cc8ad9c.txt").read_bytes())
    (folder / "esc\x1b[2Jclear.txt").write_bytes((SEEDS / "004_650584b8d763417a.txt").read_bytes())
    (folder / "a\x1b]0;title\x07\nforged: line.txt").write_bytes(b"\x00\x01 not a report")
    index = tmp_path / "index"
    built = run("build", "--source", folder, "--index", index)
    assert built.exit_code == 3, built.output  # built; the file that is not a report refused
    listed = run("reports", "--index", index)
    assert listed.exit_code == 0
    assert "bad\\xff\\xfe.txt" in listed.output and "esc\\x1b[2Jclear.txt" in listed.output
    assert "\x1b" not in listed.output and len(listed.output.splitlines()) == 2
    refused = [line for line in built.output.splitlines() if "forged" in line]
    assert refused and all("\x1b" not in line and "\x07" not in line for line in refused)
    assert not any(line.startswith("forged: line") for line in built.output.splitlines())


@pytest.mark.parametrize("option, value, expected", [
    ("--province", "重庆", {"重庆市"}),  # a province by its short name
    ("--level", "县级", {"县级"}),
    ("--place", "云阳", {"重庆市云阳县"}),
    ("--county", "奉节", {"重庆市奉节县"}),  # the old name of --place still works
])
def test_search_filters_by_province_level_and_place(run, seed_index, option, value, expected):
    result = run("search", "森林覆盖率", option, value, "--json", "--index", seed_index)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    shown = {"--province": "province", "--level": "level", "--place": "place", "--county": "place"}[option]
    assert data["total"] > 0 and {hit[shown] for hit in data["hits"]} == expected


def test_add_says_which_report_it_replaced(run, tmp_path):
    # The same place, type and year again replaces the indexed report: said, not done in silence.
    index = tmp_path / "index"
    seed = SEEDS / "003_acdff93d03fcc2c7.txt"
    assert run("build", "--source", seed, "--index", index).exit_code == 0
    edited = tmp_path / "城口2023.txt"
    edited.write_text(seed.read_text(encoding="utf-8") + "\n新增一句用于验证替换。\n", encoding="utf-8")
    added = run("add", edited, "--index", index)
    assert added.exit_code == 0, added.output
    [line] = [line for line in added.output.splitlines() if line.startswith("replaced: ")]
    assert "重庆市城口县 2023 政府工作报告" in line and "003_acdff93d03fcc2c7.txt" in line
    fresh = run("add", SEEDS / "004_650584b8d763417a.txt", "--index", index)
    assert fresh.exit_code == 0 and "replaced" not in fresh.output
