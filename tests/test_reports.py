"""Reading reports: metadata from the text, structure, sentences, tables, encodings, bad files."""

from __future__ import annotations

import codecs
from collections import Counter

import pytest

from search.errors import ReportError
from search.reading import parse_text as parse_report
from search.reading import read_report, split_sentences
from search.reading.plaintext import decode_text as decode_report

from .conftest import MINI_REPORT, SEEDS


@pytest.fixture(scope="module")
def seeds():
    """The five bundled reports by short county name."""
    return {r.county: r for r in map(read_report, sorted(SEEDS.glob("*.txt")))}


@pytest.mark.parametrize("county, full, rtype, year, review, plan, delivered", [
    ("云阳", "重庆市云阳县", "计划执行情况报告", 2023, 2022, 2023, None),  # states no date: year from the plan
    ("酉阳", "重庆市酉阳土家族苗族自治县", "计划执行情况报告", 2023, 2022, 2023, "2023-02-08"),
    ("涪陵", "重庆市涪陵区", "计划执行情况报告", 2023, 2022, 2023, "2023-01-31"),
    ("城口", "重庆市城口县", "政府工作报告", 2023, 2022, 2023, "2023-02-08"),  # title is spaced out: 政 府 工 作 报 告
    ("奉节", "重庆市奉节县", "计划执行情况报告", 2024, 2023, 2024, "2024-01"),  # month only
])
def test_metadata(seeds, county, full, rtype, year, review, plan, delivered):
    r = seeds[county]
    assert (r.county_full, r.type, r.year, r.review_year, r.plan_year, r.delivered) == (
        full, rtype, year, review, plan, delivered)


@pytest.mark.parametrize("county, title", [
    ("涪陵", "2022年国民经济和社会发展计划执行情况及2023年计划草案的报告"),  # 关于重庆市涪陵区 stripped, two lines joined
    ("酉阳", "2022年国民经济和社会发展计划执行情况及2023年计划草案报告"),
    ("城口", "城口县2023年政府工作报告"),  # its own title is the type alone: place and year are added
])
def test_title(seeds, county, title):
    assert seeds[county].title == title


@pytest.mark.parametrize("county, tops", [
    ("云阳", ["一、2022年国民经济和社会发展计划执行情况", "二、2023年国民经济和社会发展计划总体考虑",
             "三、2023年实现国民经济和社会发展计划的重点工作"]),
    # 涪陵's 专栏 boxes hold lookalikes (二、工业重点实施项目, 四、数字化转型): not sections.
    ("涪陵", ["一、2022年国民经济和社会发展计划执行情况", "二、2023年国民经济和社会发展计划主要目标",
             "三、2023年国民经济和社会发展主要任务"]),
    ("城口", ["一、2022年工作回顾", "二、2023年工作建议"]),
])
def test_top_level_sections(seeds, county, tops):
    found = []
    for p in seeds[county].passages:
        top = p.heading.split(" › ")[0]
        if top and top not in found:
            found.append(top)
    assert found == tops


@pytest.mark.parametrize("county, expected", [
    ("云阳", {("工作回顾", 2022), ("目标安排", 2023), ("重点任务", 2023), ("其他", 2023)}),
    ("奉节", {("工作回顾", 2023), ("目标安排", 2024), ("重点任务", 2024), ("其他", 2024)}),
    # 城口 states its targets inside 二、2023年工作建议: that paragraph is 目标安排, the rest 重点任务.
    ("城口", {("工作回顾", 2022), ("目标安排", 2023), ("重点任务", 2023), ("其他", 2023)}),
])
def test_sections_and_years(seeds, county, expected):
    assert {(p.section, p.year) for p in seeds[county].passages} == expected


def test_subsections_are_in_the_heading_path(seeds):
    p = next(p for p in seeds["酉阳"].passages if "全县森林覆盖率达64.1%" in p.text)
    assert p.heading == "一、2022年国民经济和社会发展计划执行情况 › （四）统筹融合，城乡面貌焕然一新"
    assert p.section == "工作回顾" and p.year == 2022


@pytest.mark.parametrize("county, rows", [("酉阳", 8), ("涪陵", 66), ("云阳", 0)])
def test_table_row_counts(seeds, county, rows):
    assert Counter(p.kind for p in seeds[county].passages)["row"] == rows


def test_table_rows_read_on_their_own(seeds):
    texts = [p.text for p in seeds["涪陵"].passages if p.kind == "row"]
    assert "数字经济规模（亿元）：2022年预期目标 350，2022年完成情况 400" in texts
    assert "规上工业利润增速（%）：2023年预期目标 3" in texts
    # A 其中 row has an empty 序号 cell (a tab alone on its line) and keeps its own name.
    assert "税收收入扣除留抵退税因素后增速（%）：2022年预期目标 8，2022年完成情况 3.3" in texts
    assert not any(t[0].isdigit() for t in texts)
    row = next(p for p in seeds["涪陵"].passages if p.text.startswith("数字经济规模"))
    assert row.heading.endswith("表1 2022年国民经济和社会发展计划指标完成情况")
    assert row.table["cells"] == ["数字经济规模（亿元）", "350", "400"]


def test_no_bare_cells_or_empty_passages(seeds):
    for report in seeds.values():
        for p in report.passages:
            assert any(c.isalpha() for c in p.text), p.text  # never a bare 400 or 。
            assert p.text == p.text.strip()


def test_positions_are_reading_order(seeds):
    for report in seeds.values():
        assert [p.position for p in report.passages] == list(range(len(report.passages)))
        assert len({p.id for p in report.passages}) == len(report.passages)


@pytest.mark.parametrize("line, sentences", [
    ("第一句。第二句！第三句？", ["第一句。", "第二句！", "第三句？"]),
    ("分号也分句；后半句。", ["分号也分句；", "后半句。"]),
    # Closing quotes and brackets stay with their sentence.
    ("他说“要抓落实。”随后散会。", ["他说“要抓落实。”", "随后散会。"]),
    # Not inside quotes, titles or brackets: “你好！重庆” and 《…？》 stay in their sentence.
    ("打造“你好！重庆”城市品牌，效果明显。", ["打造“你好！重庆”城市品牌，效果明显。"]),
    ("出版《为什么？》一书；反响良好。", ["出版《为什么？》一书；", "反响良好。"]),
    ("从“推进绿化；修复创面”等小切口着手。", ["从“推进绿化；修复创面”等小切口着手。"]),
    # An opening quote that never closes protects nothing.
    ("他说“没有结尾。下一句。", ["他说“没有结尾。", "下一句。"]),
    ("（详见附表。）下一句", ["（详见附表。）", "下一句"]),
    # No empty or punctuation-only passages.
    ("。。……", []),
    ("结尾没有标点", ["结尾没有标点"]),
    ("  前后空白。  ", ["前后空白。"]),
])
def test_split_sentences(line, sentences):
    assert split_sentences(line) == sentences


@pytest.mark.parametrize("encoding, prefix", [
    ("utf-8", b""),
    ("utf-8", codecs.BOM_UTF8),
    ("gb18030", b""),
    ("gbk", b""),
    ("utf-16-le", codecs.BOM_UTF16_LE),
])
def test_encodings(encoding, prefix):
    text = decode_report(prefix + MINI_REPORT.encode(encoding), "r.txt")
    report = parse_report(text, "r.txt")
    assert report.county == "巫山"
    assert any("100.5亿元" in p.text for p in report.passages)


@pytest.mark.parametrize("data, message", [
    (b"", "空的"),
    (b"  \n\n ", "空的"),
    (b"\x00\x01\x02binary\x00" * 50, "二进制"),
    (bytes(range(128, 256)) * 20, "既不是 UTF-8 也不是 GB18030"),
])
def test_bad_files_are_refused_with_a_message(data, message):
    with pytest.raises(ReportError, match=message):
        decode_report(data, "bad.txt")


def test_report_without_a_county_is_refused():
    with pytest.raises(ReportError, match="看不出是哪个地区"):
        parse_report(MINI_REPORT.replace("巫山县", "某某地方"), "nowhere.txt")


def test_metadata_does_not_come_from_the_file_name():
    a = parse_report(MINI_REPORT, "云阳_2030.txt")
    assert (a.county, a.year) == ("巫山", 2023)
