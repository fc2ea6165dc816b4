"""A report's body as passages: chapters and their section labels, sentences, table rows.

Chapters come numbered (一、 二、, 第一部分), unnumbered (2024年工作回顾, 加强政府自身建设) or as a
Word heading style; sub-sections as （一） or (一); 专栏 boxes carry lookalike numbered lines of their
own; tables come from the format reader as rows. Each chapter gets one of four section labels and
the year it speaks about. A passage's id depends on its report, its text and how many times that
text occurred before in the report, never on its position: a sentence added earlier in a later
version of the report leaves every other id as it was.
"""

from __future__ import annotations

import re
from collections import Counter

from ..documents import (
    KIND_HEADING, KIND_ROW, KIND_SENTENCE, SECTION_GOALS, SECTION_OTHER, SECTION_REVIEW,
    SECTION_TASKS, HEADING_SEPARATOR, Passage, Report, short_hash,
)
from .blocks import BLOCK_HEADING, BLOCK_TABLE, Block
from .limits import limit, over_limit
from .sections import YEAR_RE, Sections, section_label

__all__ = ["BodyParser", "section_label", "split_sentences"]  # section_label: read by metadata

_NUM = "一二三四五六七八九十"
TOP_RE = re.compile(rf"^([{_NUM}]+)、\s*(.+)$")
PART_RE = re.compile(rf"^第([{_NUM}]+)(部分|章)\s*(?:[：:、，,]\s*)?(.*)$")
SUB_RE = re.compile(rf"^[（(]([{_NUM}]+)[）)]\s*(.*)$")
BOX_RE = re.compile(r"^专栏\s*\d*\s*[：:]?")
ORDINAL_PARA_RE = re.compile(rf"^[{_NUM}]+是")
# A chapter heading without a number: short, no sentence punctuation, and about a whole part of a
# report. Only used for reports that number none of their chapters.
UNNUMBERED_CHAPTER_RE = re.compile(
    r"^((?:19|20)\d{2}年|过去一年|今年|“十[一二三四五六七]五”)?.{0,16}"
    r"(工作回顾|主要工作|工作任务|重点工作|工作安排|总体要求|主要目标|政策取向|政府自身建设|预算执行情况|预算草案)$"
)

# A chapter heading told by what it says, numbered or not: a year (or 今年, 过去五年, “十五五”) and
# the part of the report it opens (2025年工作安排建议, 奋力完成2023年…的各项任务), or the chapter every
# work report ends with (加强政府自身建设).
CONTENT_CHAPTER_RE = re.compile(
    r"^(?:.{0,12}?(?:(?:19|20)\d{2}年|今年|过去一年|过去五年|“十[一二三四五六七]五”).{0,16}"
    r"(?:工作|任务|目标|安排|回顾|重点|建议|成就|总结)|.{0,12}政府自身建设)[^，。；：:]{0,6}$"
)

TERMINATORS = "。！？；!?;"
CLOSERS = "”’」』）)】》\"'"
# A terminator inside these pairs does not end the sentence (“你好！重庆”), unless the closer
# follows it at once (他说“要抓落实。”随后散会。 is two sentences).
PAIRS = {"“": "”", "《": "》", "（": "）", "(": ")", "「": "」", "『": "』", "‘": "’"}
MAX_PAIR_SPAN = 120  # an opener whose closer is further away (or missing) protects nothing


def chinese_number(text: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十三 → 23 (enough for section numbers)."""
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")}
    if "十" not in text:
        return digits.get(text, 0)
    tens, _, ones = text.partition("十")
    return (digits.get(tens, 0) if tens else 1) * 10 + (digits.get(ones, 0) if ones else 0)


_ALNUM_RE = re.compile(r"[^\W_]")  # exactly str.isalnum: sre's word characters are isalnum() and _


def has_content(text: str) -> bool:
    return _ALNUM_RE.search(text) is not None


_OPENER_RE = re.compile("[" + re.escape("".join(PAIRS)) + "]")
_TERMINATOR_RE = re.compile("[" + re.escape("".join(TERMINATORS)) + "]")


def _protected_spans(line: str) -> list[tuple[int, int]]:
    """(start, end) of each bracketed or quoted stretch whose closer comes within reach."""
    spans, i = [], 0
    while (m := _OPENER_RE.search(line, i)) is not None:
        start = m.start()
        j = line.find(PAIRS[line[start]], start + 1, start + 1 + MAX_PAIR_SPAN)
        if j > 0:
            spans.append((start, j))
            i = j + 1
        else:
            i = start + 1
    return spans


def split_sentences(line: str) -> list[str]:
    """Split at 。！？； but not inside “…”, 《…》 or （…）; closers stay with their sentence."""
    # 1: inside quotes or brackets (a terminator just before the closer still ends the sentence);
    # 2: inside a title 《…》 (never: 《为什么？》 is a name).
    protected = bytearray(len(line))
    for start, end in _protected_spans(line):
        mark = b"\x02" if line[start] == "《" else b"\x01"
        protected[start + 1:end] = mark * (end - start - 1)
    pieces, start, i, n = [], 0, 0, len(line)
    # From one terminator to the next (a regex finds them; a loop over every character was most of
    # the time spent reading a report).
    while (m := _TERMINATOR_RE.search(line, i)) is not None:
        i = m.start()
        ends = (not protected[i]) or (protected[i] == 1 and i + 1 < n and line[i + 1] in CLOSERS)
        if ends:
            j = i + 1
            while j < n and (line[j] in CLOSERS or line[j] in TERMINATORS):
                j += 1
            pieces.append(line[start:j])
            start = i = j
        else:
            i += 1
    pieces.append(line[start:])
    return [p.strip() for p in pieces if has_content(p)]


class BodyParser:
    """Walks the body's blocks once, keeping the heading path, and emits passages in order."""

    def __init__(self, report: Report, numbered_chapters: bool):
        self.report = report
        self.numbered = numbered_chapters
        self.by_content = False  # chapters are told by what they say; numbered lines are sub-sections
        self.top_number = 0
        self.top = self.sub = self.box = self.box_sub = ""
        self.section = SECTION_OTHER
        self.year = report.plan_year
        self.sections = Sections(report.review_year, report.plan_year)
        self.para = 0
        self.seen: Counter = Counter()
        self.chapters: list[tuple[str, str]] = []  # (heading, section label), for the header's years
        self.max_passages = limit("max_report_passages")
        self.ocr = False  # whether the block being read came from OCR

    def heading_path(self) -> str:
        return HEADING_SEPARATOR.join(p for p in (self.top, self.sub, self.box, self.box_sub) if p)

    def emit(self, kind: str, text: str, table: dict | None = None) -> None:
        text = text.strip()
        if not has_content(text):
            return
        report = self.report
        key = kind + "|" + re.sub(r"\s+", "", text)
        self.seen[key] += 1
        # Same sentence + same report → same id, whatever else changes around it.
        pid = short_hash(f"{report.id}|{key}|{self.seen[key]}", 6)
        if len(report.passages) >= self.max_passages:
            raise over_limit(report.source, "报告切出的段落数", "max_report_passages")
        report.passages.append(Passage(
            id=pid, report_id=report.id, county=report.county, year=self.year,
            section=self.section, heading=self.heading_path(), kind=kind,
            position=len(report.passages), para=self.para, text=text, table=table, ocr=self.ocr,
        ))

    def emit_sentences(self, text: str) -> None:
        for sentence in split_sentences(text):
            self.emit(KIND_SENTENCE, sentence)

    def chapter_number(self, line: str, block: Block) -> int | None:
        """The chapter number a line starts, or None when it is not a chapter heading."""
        if block.kind == BLOCK_HEADING and block.level == 1:
            return self.top_number + 1
        if self.by_content:
            return self.top_number + 1 if is_content_chapter(line) else None
        m = TOP_RE.match(line) or PART_RE.match(line)
        if m:
            number = chinese_number(m.group(1))
            # A text that starts inside its first chapter (二、2024年工作安排 comes first) still has chapters.
            starts_late = self.top_number == 0 and is_content_chapter(m.group(m.lastindex))
            if len(line) > 60 or (number != self.top_number + 1 and not starts_late):
                return None
            rest = m.group(m.lastindex)
            if "。" in rest[:-1]:
                return None
            # Inside a 专栏 box, lookalike lines (二、工业重点实施项目) are the box's own list; a real
            # section heading there still names the year it speaks about.
            if self.box and not YEAR_RE.search(line):
                return None
            return chinese_number(m.group(1))
        if not self.numbered and len(line) <= 30 and UNNUMBERED_CHAPTER_RE.match(line.rstrip("：:")):
            return self.top_number + 1
        return None

    def start_top(self, line: str, number: int) -> None:
        self.top_number = number
        self.top, self.sub, self.box, self.box_sub = line.rstrip("。："), "", "", ""
        self.section = section_label(line, self.report.plan_year)
        if self.section == SECTION_OTHER and self.chapters and self.chapters[-1][1] in (SECTION_GOALS, SECTION_TASKS):
            # Chapters after the year's goals without a keyword of their own (三、把改革开放扎实推向
            # 纵深, 四、努力建设…服务型政府) are the year's tasks.
            self.section = SECTION_TASKS
        year = YEAR_RE.search(line)
        if year:
            self.year = int(year.group(1))
        else:
            self.year = self.report.review_year if self.section == SECTION_REVIEW else self.report.plan_year
        self.sections.chapter(self.section, self.year, line)
        self.section, self.year = self.sections.current()
        # A chapter that looks back and then ahead ends in the targets: what follows it inherits those.
        self.chapters.append((line, SECTION_GOALS if self.sections.ahead is not None else self.section))
        self.para += 1
        self.emit(KIND_HEADING, self.top)

    def start_sub(self, line: str) -> None:
        head, _, rest = line.partition("。")
        self.sub, self.box, self.box_sub = head.rstrip("：:，,"), "", ""
        self.section, self.year = self.sections.current()
        self.para += 1
        self.emit(KIND_HEADING, self.sub)
        if rest.strip():
            self.emit_sentences(rest)

    def parse(self, blocks: list[Block]) -> None:
        self.by_content = chapters_by_content(blocks)
        for block in blocks:
            self.ocr = block.ocr
            if block.kind == BLOCK_TABLE:
                self.table(block)
                continue
            line = block.text.strip()
            if not line:
                continue
            number = self.chapter_number(line, block)
            if number is not None:
                self.start_top(line, number)
                continue
            numbered_sub = self.by_content and TOP_RE.match(line) and len(line) <= 60 and "。" not in line[:-1]
            if self.top_number and (SUB_RE.match(line) or numbered_sub or (block.kind == BLOCK_HEADING and block.level == 2)):
                self.start_sub(line)
                continue
            if BOX_RE.match(line):
                self.box, self.box_sub = re.sub(r"\s+", "", line), ""
                self.para += 1
                self.emit(KIND_HEADING, self.box)
                continue
            if self.box:
                if ORDINAL_PARA_RE.match(line):
                    self.box = self.box_sub = ""
                elif TOP_RE.match(line) and len(line) <= 30 and "。" not in line:
                    self.box_sub = line
                    self.para += 1
                    self.emit(KIND_HEADING, line)
                    continue
            self.para += 1
            self.section, self.year = self.sections.paragraph(line)
            self.emit_sentences(line)
            self.section, self.year = self.sections.current()

    def table(self, block: Block) -> None:
        """One passage per row that reads on its own: 数字经济规模（亿元）：2022年预期目标 350，…"""
        rows = [r for r in (block.rows or []) if any(c.strip() for c in r)]
        if not rows:
            return
        title = re.sub(r"\s+", " ", block.text.replace("：", " ")).strip()
        header, body = rows[0], rows[1:]
        self.box = ""
        self.box_sub = title
        if title:
            self.para += 1
            self.emit(KIND_HEADING, title)
        name_col = 1 if header and header[0] in ("序号", "编号") else 0
        value_headers = header[name_col + 1:]
        parent = ""
        for cells in body:
            if len(cells) <= name_col:
                continue
            name = cells[name_col]
            values = cells[name_col + 1:]
            if name.startswith("#"):
                name = f"{parent}·{name.lstrip('#')}" if parent else name.lstrip("#")
            else:
                name = re.sub(r"^其中[：:]", "", name)  # 其中：税收收入增速 reads on its own
                parent = name
            pairs = [(h, v) for h, v in zip(value_headers, values) if v]
            if not name or not pairs:
                continue
            text = f"{name}：" + "，".join(f"{h} {v}" if h else v for h, v in pairs)
            self.para += 1
            self.emit(KIND_ROW, text, table={"title": title, "header": [header[name_col] if header else "", *value_headers],
                                             "cells": [name, *values]})
        self.box_sub = ""


def is_content_chapter(line: str) -> bool:
    line = line.strip()
    return (len(line) <= 30 and not TOP_RE.match(line) and not SUB_RE.match(line)
            and not line.endswith(("报告", "公报")) and bool(CONTENT_CHAPTER_RE.match(line)))  # a title is no chapter


def chapters_by_content(blocks: list[Block]) -> bool:
    """True when the chapters are unnumbered headings that say what they are (2023年工作回顾 …
    2024年工作安排) and the numbered lines (一、 二、) are lists inside them: two such headings, the
    first before any numbered line."""
    found, first_numbered, first_content = 0, None, None
    for i, block in enumerate(blocks):
        if block.kind == BLOCK_TABLE:
            continue
        text = block.text.strip()
        if first_numbered is None and TOP_RE.match(text) and len(text) <= 60:
            first_numbered = i
        if is_content_chapter(text):
            found += 1
            first_content = i if first_content is None else first_content
    return found >= 2 and (first_numbered is None or first_content < first_numbered)


def has_numbered_chapters(blocks: list[Block]) -> bool:
    """True when at least two lines start 一、 and 二、 (or 第一部分, 第二部分) in order."""
    seen = set()
    for block in blocks:
        m = TOP_RE.match(block.text.strip()) or PART_RE.match(block.text.strip())
        if m and len(block.text) <= 60:
            seen.add(chinese_number(m.group(1)))
    return {1, 2} <= seen or any(b.kind == BLOCK_HEADING and b.level == 1 for b in blocks)


_RUN_ON_SPLIT = re.compile(
    rf"(?<=[。；！？：:])\s*(?=各位代表[：:]|[{_NUM}]{{1,3}}、\S|第[{_NUM}]{{1,3}}部分|[（(][{_NUM}]{{1,3}}[）)])"
)


_RUN_ON_HEADING = re.compile(
    rf"^([{_NUM}]{{1,3}}、.{{0,24}}?(?:工作回顾|工作安排|重点工作|主要任务|目标任务|政府自身建设|总体要求))([^，。；、].+)$"
)


def _split_run_on_heading(text: str) -> list[str]:
    m = _RUN_ON_HEADING.match(text)
    return [m.group(1), m.group(2)] if m else [text]
_DATE_LINE_SPLIT = re.compile(r"(?<=报告)(?=——(?:19|20)\d{2}年)")


def split_run_on(blocks: list[Block]) -> list[Block]:
    """A report pasted as one long line: break it before 各位代表 and before each heading number."""
    out = []
    for block in blocks:
        if block.kind == BLOCK_TABLE or len(block.text) < 2000:
            out.append(block)
            continue
        pieces = [p for p in _RUN_ON_SPLIT.split(_DATE_LINE_SPLIT.sub("\n", block.text, count=1)) if p.strip()]
        pieces = [line for p in pieces for line in p.split("\n") if line.strip()]
        # A chapter heading runs straight into its first sentence: end it after its keyword.
        pieces = [part for p in pieces for part in _split_run_on_heading(p)]
        out.extend(Block(block.kind, text=p.strip(), level=block.level, ocr=block.ocr) for p in pieces)
    return out
