"""Titles as a user reads them in results and citations: the report's own words without what a page,
a scraper or a cover glued to them, and, for a report with no title, one made from place, year and
type that says it was made up."""

from __future__ import annotations

import pytest

from search.reading import parse_text

BODY = "\n".join([
    "各位代表：",
    "现在，我代表市人民政府，向大会报告工作，请予审议。",
    "一、2023年工作回顾",
    "过去一年，宜昌经济稳定增长，全市地区生产总值增长5%。全市上下团结奋斗。",
    "二、2024年工作安排",
    "今年要抓好以下工作。全市上下要再接再厉。",
])
BUDGET_BODY = "\n".join([
    "各位代表：",
    "受市人民政府委托，现将预算执行情况和预算草案提请大会审议。",
    "一、2025年预算执行情况",
    "全市一般公共预算收入增长5%。全市支出增长3%。",
    "二、2026年预算草案",
    "全市一般公共预算收入预计增长4%。",
])


@pytest.mark.parametrize("head, body, title", [
    # letter-spaced, as a cover lays it out
    ("2024年宜昌市\n政 府 工 作 报 告", BODY, "2024年宜昌市政府工作报告"),
    # a field label scraped with its value
    ("标题：2024年宜昌市政府工作报告", BODY, "2024年宜昌市政府工作报告"),
    # a time of day and the issuing office on the lines above the title
    ("18:05\n宜昌市统计局\n宜昌市2025年国民经济和社会发展统计公报", "一、综合\n全市生产总值增长5%。全市人口稳定。",
     "2025年国民经济和社会发展统计公报"),
    # an article number glued in front, and a date line glued after
    ("12263761关于宜昌市2025年预算执行情况和2026年预算草案的报告——2026年1月7日在宜昌市第八届人民代表大会第五次会议上",
     BUDGET_BODY, "2025年预算执行情况和2026年预算草案的报告"),
    # the meeting's file number on lines of its own, split like a cover
    ("宜昌市八届人大五次\n会议文件（十五）\n关于宜昌市2025年预算执行情况\n和2026年预算草案的报告", BUDGET_BODY,
     "2025年预算执行情况和2026年预算草案的报告"),
    # a table of contents before the report: its entries are not the title
    ("目 录\n一、财政预算报告（关于宜昌市2025年预算执行情况和2026年预算草案的报告）\n二、名词解释\n"
     "关于宜昌市2025年预算执行情况和2026年预算草案的报告（书面）", BUDGET_BODY,
     "2025年预算执行情况和2026年预算草案的报告（书面）"),
    # a teaser's cry and a footnote mark
    ("最新！2025年宜昌市\n国民经济和社会发展统计公报[1]", "一、综合\n全市生产总值增长5%。全市人口稳定。",
     "2025年宜昌市国民经济和社会发展统计公报"),
])
def test_a_title_is_the_reports_own_words_only(head, body, title):
    report = parse_text(f"{head}\n{body}", "x.txt")
    assert report.title == title
    assert "title" not in report.evidence  # a title the file has is not flagged as made up


@pytest.mark.parametrize("text, names, title", [
    # a city's work report starting at 各位代表, named by place only
    (BODY, ["宜昌"], "宜昌市2024年政府工作报告"),
    # a title that is the type alone is no citation either
    ("政府工作报告\n" + BODY, ["宜昌"], "宜昌市2024年政府工作报告"),
    # the State Council's report, as the national texts start: its title is 政府工作报告 (cited as
    # 国务院《政府工作报告》)
    (BODY.replace("我代表市人民政府", "我代表国务院").replace("全市", "全国"), [], "政府工作报告"),
    # a district: its prefecture goes with it, the district's name alone is shared
    (BODY.replace("市人民政府", "区人民政府").replace("全市", "全区").replace("宜昌", "黄山"), ["黄山", "黄山区"],
     "黄山市黄山区2024年政府工作报告"),
    # a budget report: both its years
    (BUDGET_BODY, ["宜昌"], "宜昌市2025年预算执行情况和2026年预算草案的报告"),
])
def test_a_report_without_a_title_gets_one_made_up_and_said_so(text, names, title):
    report = parse_text(text, "x.txt", names=names)
    assert report.title == title
    assert "没有标题" in report.evidence["title"][0]


def test_escapes_written_out_by_a_scraper_are_line_breaks_and_spaces():
    one_line = ("2024年宜昌市政府工作报告\\r\\n各位代表：\\r\\n现在，我代表市人民政府，&nbsp;向大会报告工作，请予审议。"
                "\\r\\n一、2023年工作回顾\\r\\n全市地区生产总值增长5%。全市上下团结奋斗。\\r\\n二、2024年工作安排"
                "\\r\\n今年要抓好以下工作。")
    report = parse_text(one_line, "x.txt")
    texts = [p.text for p in report.passages]
    assert report.title == "2024年宜昌市政府工作报告"
    assert "全市地区生产总值增长5%。" in texts
    assert not any("\\r" in t or "&nbsp;" in t for t in texts)


def test_a_teaser_repeating_the_opening_and_links_to_other_reports_are_not_passages():
    teaser = "摘要：现在，我代表市人民政府，向大会报告工作……"
    links = ["2024年荆州市政府工作报告", "2024年襄阳市政府工作报告 2024-01-20", "上一篇：2024年十堰市政府工作报告"]
    text = "\n".join(["2024年宜昌市政府工作报告", teaser, BODY, *links])
    report = parse_text(text, "x.txt")
    texts = [p.text for p in report.passages]
    assert not any(t.startswith("摘要") for t in texts)
    assert texts.count("现在，我代表市人民政府，向大会报告工作，请予审议。") == 1
    assert not any("荆州" in t or "襄阳" in t or "十堰" in t for t in texts)
    assert texts[-1] == "全市上下要再接再厉。"
