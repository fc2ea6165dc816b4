"""The commands that manage an index's reports: a mixed folder in one build, inspect, reports, remove."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli import cli
from search.engine import Engine
from search.errors import UnknownFilter

from .conftest import SEEDS

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def run():
    def invoke(*args):
        return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return invoke


@pytest.fixture(scope="module")
def mixed_folder(tmp_path_factory) -> Path:
    """Every format and level in nested folders, and files that must be refused with a reason."""
    src = tmp_path_factory.mktemp("mixed")
    (src / "区县" / "重庆").mkdir(parents=True)
    shutil.copy(next(SEEDS.glob("003_*.txt")), src / "区县" / "重庆" / "chengkou.txt")  # 城口, county, txt
    (src / "省级").mkdir()
    shutil.copy(FIXTURES / "corpus" / "docx-2025" / "2025年河北省政府工作报告.docx", src / "省级" / "a.docx")
    shutil.copy(FIXTURES / "corpus" / "pdf-2025" / "2025年江苏省政府工作报告.pdf", src / "省级" / "b.pdf")
    shutil.copy(FIXTURES / "formats" / "hubei_h2.html", src / "省级" / "c.html")
    shutil.copy(FIXTURES / "corpus" / "national" / "2024年国务院政府工作报告.txt", src / "national.txt")
    national = (src / "national.txt").read_text(encoding="utf-8")
    (src / "a-national-excerpt.txt").write_text(national[:4000], encoding="utf-8")  # read first, shorter
    (src / "old.doc").write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 600)  # OLE2: Word 97
    (src / "bundle.zip").write_bytes(b"PK\x05\x06" + b"\x00" * 18)  # an empty zip
    (src / ".hidden.txt").write_text("not a report", encoding="utf-8")
    (src / "notes.md").write_text("# not a report format", encoding="utf-8")
    return src


def test_a_folder_of_every_format_and_level_builds_in_one_command(run, mixed_folder, tmp_path):
    result = run("build", "--source", mixed_folder, "--index", tmp_path / "ix")
    assert result.exit_code == 3, result.output  # built, with the files it cannot read listed
    assert "indexed 5 reports" in result.output
    assert "old.doc：" in result.output and ".docx" in result.output  # what it is and what to do
    assert "bundle.zip：" in result.output and "解压" in result.output
    assert "hidden" not in result.output and "notes.md" not in result.output
    # The same report twice: the fuller copy is kept, whichever came first.
    assert "a-national-excerpt.txt：与 national.txt 是同一份报告" in result.output
    reports = {(r["place"], r["level"], r["year"], r["format"]) for r in Engine(tmp_path / "ix").reports()}
    assert reports == {
        ("重庆市城口县", "县级", 2023, "txt"), ("河北省", "省级", 2025, "docx"), ("江苏省", "省级", 2025, "pdf"),
        ("湖北省", "省级", 2026, "html"), ("全国", "国家级", 2024, "txt"),
    }
    # The facets list places by the names people type, with province and level beside them.
    facets = Engine(tmp_path / "ix").search("发展")["facets"]
    assert {row["label"] for row in facets["place"]} == {"城口", "河北", "江苏", "湖北", "全国"}
    assert {row["value"] for row in facets["level"]} == {"县级", "省级", "国家级"}
    assert Engine(tmp_path / "ix").search("地区生产总值", province=["重庆"])["total"] > 0


def test_inspect_explains_a_file(run):
    result = run("inspect", FIXTURES / "corpus" / "web-2026" / "2026年江苏省政府工作报告.txt")
    assert result.exit_code == 0, result.output
    for expected in ("江苏省（省级）", "政府工作报告", "2026", "2026年江苏省政府工作报告",
                     "工作回顾 2025  一、“十四五”时期和2025年工作回顾", "重点任务 2026  三、2026年重点工作"):
        assert expected in result.output, expected


def test_inspect_json_and_a_refused_file(run, tmp_path):
    bad = tmp_path / "scan.doc"
    bad.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 600)
    good = FIXTURES / "corpus" / "docx-2025" / "2025年湖北省政府工作报告.docx"
    result = run("inspect", "--json", good, bad)
    assert result.exit_code == 1  # one file would be refused
    data = json.loads(result.output)
    assert data[0]["report"]["place"] == "湖北省" and data[0]["report"]["format"] == "docx"
    assert data[0]["passages"] > 200 and data[0]["chapters"][0]["section"] == "工作回顾"
    assert "另存为 .docx" in data[1]["refused"]


def test_add_with_overrides_reports_and_remove(run, tmp_path):
    index = tmp_path / "ix"
    assert run("build", "--source", next(SEEDS.glob("003_*.txt")), "--index", index).exit_code == 0
    bare = tmp_path / "bare.txt"
    bare.write_text("各位代表：\n一、工作回顾\n全年增长5%。\n二、今后的工作\n推进建设。\n", encoding="utf-8")
    refused = run("add", bare, "--index", index)
    assert refused.exit_code == 1 and "--place" in refused.output  # says what would settle it
    added = run("add", bare, "--place", "涪陵", "--year", "2024", "--type", "政府工作报告", "--index", index)
    assert added.exit_code == 0, added.output
    listed = json.loads(run("reports", "--json", "--index", index).output)
    assert {r["place"] for r in listed} == {"重庆市城口县", "重庆市涪陵区"}
    fuling = next(r for r in listed if r["place"] == "重庆市涪陵区")
    assert fuling["year"] == 2024 and fuling["id"] in run("reports", "--index", index).output

    unknown = run("remove", "nosuchid", "--index", index)
    assert unknown.exit_code == 1 and "nosuchid" in unknown.output
    assert run("remove", fuling["id"], "--index", index).exit_code == 0
    assert [r["place"] for r in Engine(index).reports()] == ["重庆市城口县"]
    with pytest.raises(UnknownFilter, match="涪陵"):  # its passages went with it
        Engine(index).search("", place=["重庆市涪陵区"])
