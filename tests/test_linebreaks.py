"""Text cleanup: a line break inside a sentence or a figure is joined, and the sentence that opens
the report (我受县政府委托，向大会报告…) is a passage even when no bare 各位代表 line comes before it."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.reading import parse_text, read_report
from search.reading.linebreaks import continues

CORPUS = Path(__file__).resolve().parent / "fixtures" / "corpus"
HEAD = "2025年重庆市巫山县政府工作报告\n各位代表：\n现在，我代表县人民政府向大会报告工作。\n一、2024年工作回顾\n"
TAIL = "二、2025年工作安排\n推进建设。\n"


def sentences(body: str) -> list[str]:
    r = parse_text(HEAD + body + TAIL, "r.txt")
    start = next(i for i, p in enumerate(r.passages) if p.text == "一、2024年工作回顾")
    end = next(i for i, p in enumerate(r.passages) if p.text == "二、2025年工作安排")
    return [p.text for p in r.passages[start + 1:end]]


@pytest.mark.parametrize("body, expected", [
    # A figure parted from its unit by a blank line and a line of zero-width spaces (a wiki copy).
    ("增长较快。国内生产总值达到74.4\n\n\u200b\n万亿元，增长6.7%。\n",
     ["增长较快。", "国内生产总值达到74.4万亿元，增长6.7%。"]),
    # A word cut in two by a stray break in prose that already finished a sentence.
    ("质量提高。全员劳动生\n产率增长高于国内生产总值增长。\n", ["质量提高。", "全员劳动生产率增长高于国内生产总值增长。"]),
    # A wiki link on a line of its own, between its quotes.
    ("任务圆满完成。“\n十三五\n”实现了良好开局。\n", ["任务圆满完成。", "“十三五”实现了良好开局。"]),
    # A subscript on a line of its own is no page number: M / 2 is M2, PM / 2.5 is PM2.5.
    ("赤字控制在预算内。广义货币M\n2\n增长13.6%。以细颗粒物（PM\n2.5\n）治理为突破口。\n",
     ["赤字控制在预算内。", "广义货币M2增长13.6%。", "以细颗粒物（PM2.5）治理为突破口。"]),
    # Each line a sentence of its own: nothing to join.
    ("全县增长5.5%。\n新建5G基站20个；\n改造老旧小区8个。\n", ["全县增长5.5%。", "新建5G基站20个；", "改造老旧小区8个。"]),
    # A sub-heading ends where its line does; so does a line before a list item or a bullet.
    ("（一）经济运行稳中向好\n全县增长5.5%。新建基站\n——改造老旧小区8个。\n●支持就业。\n",
     ["（一）经济运行稳中向好", "全县增长5.5%。", "新建基站", "——改造老旧小区8个。", "●支持就业。"]),
    # A page number between the halves of a sentence goes, and the halves meet.
    ("全县增长5.5%。新建改建\n— 3 —\n农村公路200公里。\n", ["全县增长5.5%。", "新建改建农村公路200公里。"]),
])
def test_broken_lines_are_joined(body, expected):
    assert sentences(body) == expected


@pytest.mark.parametrize("previous, line, joined", [
    ("国内生产总值达到74.4", "万亿元，增长6.7%。", True),  # a figure and its unit
    ("根据《", "中共中央关于制定规划的建议", True),  # an opener never ends a line
    ("中共中央关于制定规划的建议", "》，国务院编制了纲要。", True),  # a closer never starts one
    ("一、2024年工作回顾", "过去一年，全县增长5.5%。", False),  # a chapter heading
    ("2025年重庆市政府工作报告", "——2025年1月13日在会议上", False),  # a title and its date line
    ("这一年很不平凡", "全县增长5.5%。", False),  # no finished sentence: may be a heading of its own
    ("全县增长5.5%。新建基站", "1.改造老旧小区8个。", False),  # a numbered list item
])
def test_when_a_line_continues_the_one_before(previous, line, joined):
    assert continues(previous, line) is joined


def test_the_national_figure_broken_by_a_wiki_line():
    """国内生产总值达到74.4 / 万亿元 in the 2017 national text: one sentence, the figure whole."""
    texts = [p.text for p in read_report(CORPUS / "national" / "2017年国务院政府工作报告.txt").passages]
    assert any(t.startswith("国内生产总值达到74.4万亿元，增长6.7%") for t in texts)
    assert "十三五" not in texts and not any(t.startswith("”") for t in texts)


@pytest.mark.parametrize("opening", [
    # No 各位代表 line at all: the sentence after the date line opens the report.
    "——2025年1月10日在巫山县第一届人民代表大会第一次会议上\n",
    # Other addresses than a bare 各位代表: each is a passage with the sentence after it.
    "代表们：\n",
    "各位代表、同志们：\n",
])
def test_the_sentence_that_opens_the_report_is_a_passage(opening):
    text = ("2025年重庆市巫山县政府工作报告\n" + opening + "我受县政府委托，向大会报告工作，请予审议。\n"
            "一、2024年工作回顾\n全县增长5.5%。\n" + TAIL)
    r = parse_text(text, "r.txt")
    assert (r.place, r.year, r.title) == ("重庆市巫山县", 2025, "2025年重庆市巫山县政府工作报告")
    assert "我受县政府委托，向大会报告工作，请予审议。" in [p.text for p in r.passages]
    assert not any("会议上" in p.text for p in r.passages)  # the date line stays header
