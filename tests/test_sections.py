"""Sections a user filters by: 目标安排 is the sentences that set targets, wherever they stand.

A tasks chapter that states the year's targets in its preamble, and a chapter that reviews one
five-year period and sets the next one's targets, are labelled paragraph by paragraph. The twelve
provinces' 2025 reports in tests/fixtures/corpus/docx-2025 are the measure: before this, the
targets sentence was 重点任务 in eight of them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from search.reading import parse_text, read_report
from search.reading.sections import missing_half

CORPUS = Path(__file__).resolve().parent / "fixtures" / "corpus"
PROVINCES = sorted((CORPUS / "docx-2025").glob("*.docx"))
TARGETS_LEAD = re.compile(r"预期目标[是为]")


@pytest.mark.parametrize("path", PROVINCES, ids=lambda p: p.stem)
def test_the_targets_sentence_is_goals_in_every_province(path):
    passages = read_report(path).passages
    lead = next(i for i, p in enumerate(passages) if TARGETS_LEAD.search(p.text) and p.section != "工作回顾")
    assert passages[lead].section == "目标安排"
    # The tasks that follow stay tasks: the first sub-section after the targets.
    sub = next(p for p in passages[lead:] if p.kind == "heading" and p.heading.count(" › ") == 1)
    assert sub.section == "重点任务"


def test_the_twelve_provinces_are_all_there():
    assert len(PROVINCES) == 12


HEAD = "2025年重庆市政府工作报告\n各位代表：\n现在，我代表市人民政府向大会报告工作。\n一、2024年工作回顾\n全市地区生产总值增长5.5%。\n"


def sections(body: str) -> list[tuple[str, str, int]]:
    r = parse_text(HEAD + body, "r.txt")
    start = next(i for i, p in enumerate(r.passages) if p.text.startswith("二、"))
    return [(p.text, p.section, p.year) for p in r.passages[start:]]


@pytest.mark.parametrize("body, expected", [
    # A chapter named for targets and work at once: the targets paragraph alone is 目标安排.
    ("二、2025年目标任务和主要工作\n今年工作的总体要求是：稳中求进。\n今年主要预期目标是：地区生产总值增长5%左右。\n"
     "（一）扩大有效投资\n推进重大项目建设。\n",
     [("二、2025年目标任务和主要工作", "重点任务", 2025), ("今年工作的总体要求是：稳中求进。", "重点任务", 2025),
      ("今年主要预期目标是：地区生产总值增长5%左右。", "目标安排", 2025),
      ("（一）扩大有效投资", "重点任务", 2025), ("推进重大项目建设。", "重点任务", 2025)]),
    # A targets lead ending in a colon: the list on the next lines is targets until a line ends in 。.
    ("二、2025年工作安排\n今年经济社会发展的主要预期目标是：\n地区生产总值增长5%左右；\n城镇新增就业5万人。\n"
     "重点抓好以下工作。\n",
     [("二、2025年工作安排", "重点任务", 2025), ("今年经济社会发展的主要预期目标是：", "目标安排", 2025),
      ("地区生产总值增长5%左右；", "目标安排", 2025), ("城镇新增就业5万人。", "目标安排", 2025),
      ("重点抓好以下工作。", "重点任务", 2025)]),
    # The target explained (经济增长目标定为…) sets it too; a task that mentions a target does not.
    ("二、2025年工作安排\n经济增长目标定为5%左右，与潜在增长率匹配。\n投资增长10%，这个目标是等不来的。\n",
     [("二、2025年工作安排", "重点任务", 2025), ("经济增长目标定为5%左右，与潜在增长率匹配。", "目标安排", 2025),
      ("投资增长10%，这个目标是等不来的。", "重点任务", 2025)]),
    # A chapter of its own for the targets keeps every paragraph in 目标安排.
    ("二、2025年工作总体要求和主要目标\n今年工作的总体要求是：稳中求进。\n三、2025年重点工作\n推进建设。\n",
     [("二、2025年工作总体要求和主要目标", "目标安排", 2025), ("今年工作的总体要求是：稳中求进。", "目标安排", 2025),
      ("三、2025年重点工作", "重点任务", 2025), ("推进建设。", "重点任务", 2025)]),
    # Five years reviewed, five years ahead: achievements are 工作回顾 until a paragraph turns to
    # the period the heading names last; from there it is 目标安排.
    ("二、“十四五”时期发展成就和“十五五”时期主要目标任务\n过去五年，地区生产总值年均增长5.2%。\n"
     "“十五五”时期是关键时期。\n到2030年，研发投入强度达到3%。\n三、2025年重点工作\n推进建设。\n",
     [("二、“十四五”时期发展成就和“十五五”时期主要目标任务", "工作回顾", 2024),
      ("过去五年，地区生产总值年均增长5.2%。", "工作回顾", 2024), ("“十五五”时期是关键时期。", "目标安排", 2025),
      ("到2030年，研发投入强度达到3%。", "目标安排", 2025), ("三、2025年重点工作", "重点任务", 2025),
      ("推进建设。", "重点任务", 2025)]),
    # The same chapter naming no second period turns at 今后五年.
    ("二、五年来的发展成就和今后五年的主要目标\n五年来，经济总量翻了一番。\n今后五年，要建成现代化产业体系。\n",
     [("二、五年来的发展成就和今后五年的主要目标", "工作回顾", 2024), ("五年来，经济总量翻了一番。", "工作回顾", 2024),
      ("今后五年，要建成现代化产业体系。", "目标安排", 2025)]),
    # An unnumbered plan chapter after an unnumbered review is a chapter, not more review.
    ("二、2025年工作安排建议\n推进建设。\n",
     [("二、2025年工作安排建议", "重点任务", 2025), ("推进建设。", "重点任务", 2025)]),
])
def test_sections_paragraph_by_paragraph(body, expected):
    assert sections(body) == expected


def test_targets_left_under_the_review_by_a_lost_heading_are_still_targets():
    """A source that lost its plan chapter's heading: the year's targets are 目标安排 of the plan
    year; last year's targets, recalled in the review, are not."""
    r = parse_text(HEAD + "2024年主要预期目标是：增长6%，实际增长5.5%。\n今年主要预期目标是：地区生产总值增长5%左右。\n", "r.txt")
    labels = {p.text: (p.section, p.year) for p in r.passages}
    assert labels["2024年主要预期目标是：增长6%，实际增长5.5%。"] == ("工作回顾", 2024)
    assert labels["今年主要预期目标是：地区生产总值增长5%左右。"] == ("目标安排", 2025)


def test_unnumbered_chapters_by_what_they_say():
    r = parse_text("2025年重庆市政府工作报告\n各位代表：\n2024年工作回顾\n全市增长5.5%。\n2025年工作安排建议\n"
                   "今年主要预期目标是：增长5%左右。\n推进建设。\n", "r.txt")
    labels = [(p.text, p.section) for p in r.passages[2:]]
    assert labels == [("2024年工作回顾", "工作回顾"), ("全市增长5.5%。", "工作回顾"),
                      ("2025年工作安排建议", "重点任务"), ("今年主要预期目标是：增长5%左右。", "目标安排"),
                      ("推进建设。", "重点任务")]


@pytest.mark.parametrize("labels, warns", [
    (["工作回顾", "重点任务"], None),  # both halves
    (["工作回顾", "目标安排", "重点任务", "其他"], None),  # both, and more
    (["工作回顾"], "没有找到目标安排或重点任务的章节"),  # the plan's heading not seen
    (["工作回顾", "其他"], "没有找到目标安排或重点任务的章节"),  # an unlabelled chapter is no plan
    (["重点任务", "重点任务"], "没有找到回顾部分的章节"),  # the review's heading not seen
    (["其他"], None),  # neither: nothing to say that the chapter list does not
])
def test_a_report_with_one_half_is_warned_about(labels, warns):
    found = missing_half(labels)
    assert (found is None) if warns is None else (warns in found)


def test_inspect_shows_the_warning_for_a_review_without_a_plan():
    r = parse_text(HEAD + "全市新增就业5万人。\n", "r.txt")
    assert any("没有找到目标安排或重点任务的章节" in w for w in r.warnings)
    full = parse_text(HEAD + "二、2025年工作安排\n推进建设。\n", "r.txt")
    assert not any("回顾部分" in w or "重点任务的章节" in w for w in full.warnings)


@pytest.mark.parametrize("name, review, goals", [
    # 二、“十四五”时期发展成就和“十五五”时期主要目标任务 in the 2026 report.
    ("web-2026/2026年北京市政府工作报告.txt", "这五年，我们锐意改革、矢志创新", "“十五五”时期是基本实现社会主义现代化"),
    # 二、“十三五”时期发展成就和“十四五”时期主要目标任务 in the 2021 national report.
    ("national/2021年国务院政府工作报告.txt", "过去五年，我国经济社会发展取得新的历史性成就", "“十四五”时期是开启"),
])
def test_five_years_of_achievements_are_review_and_the_next_five_targets(name, review, goals):
    r = read_report(CORPUS / name)
    by_start = {p.text[:len(review)]: p for p in r.passages} | {p.text[:len(goals)]: p for p in r.passages}
    assert (by_start[review].section, by_start[review].year) == ("工作回顾", r.review_year)
    assert (by_start[goals].section, by_start[goals].year) == ("目标安排", r.plan_year)
