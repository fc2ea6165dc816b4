"""The section label a user filters by, for each chapter and, where a chapter mixes them, each paragraph.

A chapter heading gives its chapter one of four labels (``section_label``). Two kinds of chapter mix
labels, and are decided paragraph by paragraph (``Sections``):

- a tasks chapter whose preamble states the year's targets (二、2025年目标任务和主要工作: the total
  requirement, then 今年经济社会发展主要预期目标是：…, then （一）…): the sentences that set
  targets are 目标安排, the tasks around them stay 重点任务. A target is told by how it is
  introduced (主要预期目标是, 目标定为), not by its figures: the tasks name figures too.
- a chapter that reviews one period and sets the next one's targets (二、“十四五”时期发展成就和
  “十五五”时期主要目标任务): 工作回顾 until a paragraph turns to the period ahead (it names it,
  or says 今后五年 or 展望), 目标安排 from there.
"""

from __future__ import annotations

import re

from ..documents import SECTION_GOALS, SECTION_OTHER, SECTION_REVIEW, SECTION_TASKS

YEAR_RE = re.compile(r"((?:19|20)\d{2})年")
# A period a heading names: a year or a five-year plan (“十四五”时期).
_PERIOD_RE = re.compile(r"(?:19|20)\d{2}年|[“\"]?十[一二三四五六七八九]五[”\"]?")
_TASK_WORDS = re.compile(r"重点工作|重点任务|工作任务|政府工作|主要工作|工作安排|工作重点")
# How a report introduces the targets it sets: 主要预期目标是：…, 经济增长预期目标为5%左右,
# 今年的经济增长目标定为7.5%左右. A bare 目标是 is left out: tasks say 这个目标是等不来的.
TARGET_LEAD_RE = re.compile(
    r"(?:主要|预期|发展|奋斗)目标(?:任务)?(?:是|为)|目标(?:设定|确定|定)为|(?:主要|预期)目标[：:]"
)
# A paragraph of a review chapter sets targets only when it speaks of the year ahead (a chapter
# heading lost in the source leaves the year's targets under the review before it).
_AHEAD_RE = re.compile(r"今年|明年|今后|未来")
_TURNS_AHEAD_RE = re.compile(r"^(?:今后|未来)[一二三四五六七八九十]年|^展望")


def section_label(heading: str, plan_year: int | None = None) -> str:
    """工作回顾, 目标安排, 重点任务 or 其他 for a chapter heading of any report type."""
    goals = re.search(r"目标|总体|考虑|形势|政策取向|部署|预算草案|预算安排|收支预算|思路", heading)
    if re.search(r"执行情况|回顾|工作总结|过去一年|过去五年", heading):
        return SECTION_REVIEW
    if re.search(r"成就|成效", heading) and (not goals or looks_back_and_ahead(heading)):
        return SECTION_REVIEW  # a chapter that also sets targets turns to them paragraph by paragraph
    years = [int(y) for y in YEAR_RE.findall(heading)]
    if years and plan_year and max(years) < plan_year:
        return SECTION_REVIEW  # 一、2025年主要工作…, 奋力完成2025年…的各项任务 in the 2026 report look back
    if goals and not _TASK_WORDS.search(heading):
        return SECTION_GOALS
    if re.search(r"重点工作|工作重点|任务|工作建议|工作安排|主要工作|政府自身建设|的建议|的工作$|措施|工作$", heading):
        return SECTION_TASKS
    return SECTION_OTHER


def looks_back_and_ahead(heading: str) -> bool:
    """二、“十四五”时期发展成就和“十五五”时期主要目标任务: achievements of one period, targets of the next."""
    return bool(re.search(r"成就|成效", heading) and re.search(r"目标|展望", heading))


def sets_targets(text: str) -> bool:
    return TARGET_LEAD_RE.search(text) is not None


class Sections:
    """The label and year of each paragraph in the chapter being read.

    ``chapter()`` is called at each chapter heading, ``paragraph()`` for each paragraph, and
    ``current()`` for a sub-heading, which takes the label the chapter has reached."""

    def __init__(self, review_year: int | None, plan_year: int | None):
        self.review_year, self.plan_year = review_year, plan_year
        self.label, self.year = SECTION_OTHER, plan_year
        self.ahead: str | None = None  # in a chapter that looks back and ahead: the period ahead it names
        self.list_open = False  # a target paragraph ended with ： or ；, so the next one continues it

    def chapter(self, label: str, year: int | None, heading: str) -> None:
        self.label, self.year, self.list_open = label, year, False
        self.ahead = None
        if looks_back_and_ahead(heading):
            periods = _PERIOD_RE.findall(heading)
            # Without two periods named, only 今后五年 or 展望 turns the chapter (the targets' lead too).
            self.ahead = periods[-1].strip("“”\"") if len(periods) >= 2 and periods[0] != periods[-1] else ""
            self.year = self.review_year

    def current(self) -> tuple[str, int | None]:
        return self.label, self.year

    def paragraph(self, text: str) -> tuple[str, int | None]:
        if self.ahead is not None:
            if (self.ahead and self.ahead in text[:40]) or _TURNS_AHEAD_RE.match(text) or sets_targets(text):
                self.label, self.year, self.ahead = SECTION_GOALS, self.plan_year, None
            return self.label, self.year
        if self.label == SECTION_GOALS:
            return self.label, self.year
        continues = self.list_open
        self.list_open = False
        leads = sets_targets(text) and (self.label != SECTION_REVIEW or _AHEAD_RE.search(text) is not None)
        if not (leads or continues):
            return self.label, self.year
        self.list_open = text.rstrip().endswith(("：", ":", "；", ";"))
        return SECTION_GOALS, self.plan_year if self.label == SECTION_REVIEW else self.year


def missing_half(labels: list[str]) -> str | None:
    """A warning when a report's chapters review a year but plan none, or plan one but review none:
    usually a chapter heading the reader did not see, so one half is filed under the other."""
    review = SECTION_REVIEW in labels
    plan = SECTION_GOALS in labels or SECTION_TASKS in labels
    if review and not plan:
        return "找到了回顾部分的章节，没有找到目标安排或重点任务的章节；安排部分的章节标题可能没有认出来，那部分会归入回顾。"
    if plan and not review:
        return "找到了目标安排或重点任务的章节，没有找到回顾部分的章节；回顾部分的章节标题可能没有认出来。"
    return None
