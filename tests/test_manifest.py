"""A manifest for a whole folder: written by ``inspect DIR --manifest``, corrected by hand, applied by
``build`` (named, or found as reports.csv at the top of the folder); and duplicates told by content."""

from __future__ import annotations

import csv

import pytest
from click.testing import CliRunner

from search.cli import cli
from search.whoosh_index import indexing

from .test_evidence import report_text


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def own_words(name: str) -> str:
    """Sentences of a report's own, so that different reports do not look like one (duplicates)."""
    return "".join(f"{name}第{n}项重点工程完成投资{n * 7}亿元。" for n in range(1, 8))


@pytest.fixture
def folder(tmp_path):
    """Two headerless reports named by place, one named by nothing, and a note that is no report."""
    src = tmp_path / "src"
    (src / "湖北").mkdir(parents=True)
    (src / "湖北" / "宜昌.txt").write_text(report_text(body=own_words("宜昌")), encoding="utf-8")
    (src / "九江.txt").write_text(report_text(body=own_words("九江")), encoding="utf-8")
    (src / "scan-0001.txt").write_text(report_text(body=own_words("农业")), encoding="utf-8")
    (src / "readme.txt").write_text("这个文件夹是一位分析师收集的报告。", encoding="utf-8")
    return src


def rows_of(path):
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def write_rows(path, rows):
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_inspect_writes_one_row_per_file_with_evidence_and_status(folder, tmp_path):
    manifest = tmp_path / "reports.csv"
    result = invoke("inspect", folder, "--manifest", manifest)
    assert result.exit_code == 0 and "4 个文件" in result.output
    rows = {r["file"]: r for r in rows_of(manifest)}
    assert rows["湖北/宜昌.txt"]["place"] == "湖北省宜昌市"
    assert "文件夹“湖北”" in rows["湖北/宜昌.txt"]["place_evidence"] or "文件名“宜昌”" in rows["湖北/宜昌.txt"]["place_evidence"]
    assert rows["湖北/宜昌.txt"]["year"] == "2024" and rows["湖北/宜昌.txt"]["status"] == "ok"
    # no title in the file: one is made up, and the row says so
    assert rows["湖北/宜昌.txt"]["title"] == "宜昌市2024年政府工作报告"
    assert "没有标题" in rows["湖北/宜昌.txt"]["title_evidence"]
    assert rows["scan-0001.txt"]["status"] == "refused" and "地区" in rows["scan-0001.txt"]["reason"]


def test_build_applies_corrections_skips_and_reports_bad_rows_by_line(folder, tmp_path):
    manifest = tmp_path / "reports.csv"
    invoke("inspect", folder, "--manifest", manifest)
    rows = rows_of(manifest)
    for r in rows:
        if r["file"] == "scan-0001.txt":
            r["place"] = "江西省萍乡市"  # the user knows where the scan came from
        if r["file"] == "readme.txt":
            r["status"] = "skip"
    blank = dict.fromkeys(rows[0], "")
    rows.append({**blank, "file": "gone.txt", "place": "湖北省宜昌市"})  # a file that is not there
    rows.append({**blank, "file": "九江.txt", "place": "不存在的地方"})  # an unknown place
    write_rows(manifest, rows)
    summary = indexing.build(folder, tmp_path / "index", manifest=manifest)
    places = sorted(r["place"] for r in summary.reports)
    assert places == ["江西省九江市", "江西省萍乡市", "湖北省宜昌市"], summary.refused
    problems = "\n".join(summary.refused)
    assert "第6行" in problems and "gone.txt" in problems  # header, 4 files, then the added rows
    assert "第7行" in problems and "不存在的地方" in problems
    assert "readme.txt：清单第" in problems
    pingxiang = next(r for r in summary.reports if r["place"] == "江西省萍乡市")
    assert pingxiang["evidence"]["place"][0].startswith("清单第")


def test_a_reports_csv_at_the_top_of_the_folder_applies_without_being_named(folder, tmp_path):
    write_rows(folder / "reports.csv", [{"file": "scan-0001.txt", "place": "萍乡市", "type": "", "year": "", "status": ""},
                                        {"file": "readme.txt", "place": "", "type": "", "year": "", "status": "跳过"}])
    summary = indexing.build(folder, tmp_path / "index")
    assert "江西省萍乡市" in {r["place"] for r in summary.reports}
    assert not [m for m in summary.refused if "readme.txt" in m and "清单" not in m]


def test_a_manifest_year_left_as_inspect_wrote_it_changes_nothing(tmp_path):
    # a budget delivered in December for the next year: year 2025, plan year 2026
    text = ("关于宜昌市2025年预算执行情况与2026年预算草案的报告\n——2025年12月27日在宜昌市第八届人民代表大会第五次会议上\n"
            "各位代表：\n一、2025年预算执行情况\n全市一般公共预算收入增长5%。支出增长3%。\n二、2026年预算草案\n收入预计增长4%。")
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(text, encoding="utf-8")
    write_rows(src / "reports.csv", [{"file": "a.txt", "place": "湖北省宜昌市", "type": "预算执行情况报告", "year": "2025"}])
    [report] = indexing.build(src, tmp_path / "index").reports
    assert (report["year"], report["plan_year"], report["delivered"]) == (2025, 2026, "2025-12-27")


def test_duplicates_are_told_by_content(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    full = report_text(body=own_words("宜昌"))
    (src / "宜昌.txt").write_text(full, encoding="utf-8")
    # the same report under another name, one sentence short: one is kept, the fuller
    (src / "副本").mkdir()
    (src / "副本" / "宜昌.txt").write_text(full.rsplit("全", 1)[0] + "。", encoding="utf-8")
    # another text that got the same metadata: both kept, with a warning
    (src / "宜昌摘要.txt").write_text(report_text(body=own_words("港口")).replace("全市上下团结奋斗", "城乡面貌一新"),
                                     encoding="utf-8")
    (src / "reports.csv").write_text("file,place\n宜昌摘要.txt,湖北省宜昌市\n", encoding="utf-8")
    summary = indexing.build(src, tmp_path / "index")
    assert sorted(r["source"] for r in summary.reports) == ["宜昌.txt", "宜昌摘要.txt"]
    assert any("同一份报告" in m and "保留了段落更多的 宜昌.txt" in m for m in summary.refused)
    summary_warnings = next(r for r in summary.reports if r["source"] == "宜昌摘要.txt")["warnings"]
    assert any("内容不同" in w for w in summary_warnings)
