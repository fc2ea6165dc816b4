"""Reading a report: metadata from its header, structure from its headings, passages from its text.

Everything here comes from the text, never from the file name. The reports follow the conventions
of Chinese local-government documents: a header (title, the meeting it was delivered at, who
delivers it) up to 各位代表, top-level sections 一、二、三…, sub-sections （一）（二）…, boxes (专栏)
with lookalike numbered lines inside, and tables (表1) laid out one cell per tab-indented line.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from . import settings
from .documents import (
    KIND_HEADING, KIND_ROW, KIND_SENTENCE, SECTION_GOALS, SECTION_OTHER, SECTION_REVIEW,
    SECTION_TASKS, TYPE_PLAN, TYPE_WORK, Passage, Report, short_hash,
)
from .errors import ReportError
from .textfile import read_report_text

_NUM = "一二三四五六七八九十"
TOP_RE = re.compile(rf"^([{_NUM}]+)、\s*(.+)$")
SUB_RE = re.compile(rf"^（([{_NUM}]+)）\s*(.*)$")
BOX_RE = re.compile(r"^专栏\s*\d*\s*[：:]?")
TABLE_RE = re.compile(r"^表\s*\d+")
ORDINAL_PARA_RE = re.compile(rf"^[{_NUM}]+是")
YEAR_RE = re.compile(r"((?:19|20)\d{2})年")
DATE_RE = re.compile(r"((?:19|20)\d{2})年(\d{1,2})月(?:(\d{1,2})日)?")

TERMINATORS = "。！？；!?;"
CLOSERS = "”’」』）)】》\"'"
HEADING_SEPARATOR = " › "


def chinese_number(text: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十三 → 23 (enough for section numbers)."""
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")}
    if "十" not in text:
        return digits.get(text, 0)
    tens, _, ones = text.partition("十")
    return (digits.get(tens, 0) if tens else 1) * 10 + (digits.get(ones, 0) if ones else 0)


def split_sentences(line: str) -> list[str]:
    """Split at 。！？； keeping closing quotes and brackets with their sentence; drop empty pieces."""
    pieces, start, i, n = [], 0, 0, len(line)
    while i < n:
        if line[i] in TERMINATORS:
            j = i + 1
            while j < n and (line[j] in CLOSERS or line[j] in TERMINATORS):
                j += 1
            pieces.append(line[start:j])
            start = i = j
        else:
            i += 1
    pieces.append(line[start:])
    return [p.strip() for p in pieces if has_content(p)]


def has_content(text: str) -> bool:
    return any(c.isalnum() for c in text)


def section_label(heading: str) -> str:
    if re.search(r"执行情况|回顾|工作总结", heading):
        return SECTION_REVIEW
    if re.search(r"重点工作|任务|工作建议|工作安排|主要工作", heading):
        return SECTION_TASKS
    if re.search(r"目标|总体|考虑|安排|形势", heading):
        return SECTION_GOALS
    return SECTION_OTHER


def known_counties() -> tuple[tuple[str, str], ...]:
    """(short, full) names from the counties file (a setting), longest full names first."""
    return _load_counties(str(settings.get("counties_file")))


@lru_cache(maxsize=4)
def _load_counties(path: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            short, full = line.split("\t")
            pairs.append((short.strip(), full.strip()))
    return tuple(sorted(pairs, key=lambda p: -len(p[1])))


def find_county(text: str) -> tuple[str, str] | None:
    """The county named earliest in text, by full name (酉阳土家族苗族自治县, 涪陵区, 城口县)."""
    best = None
    for short, full in known_counties():
        pos = text.find(full)
        if pos >= 0 and (best is None or pos < best[0]):
            best = (pos, short, full)
    return (best[1], best[2]) if best else None


# -- header ----------------------------------------------------------------------------------------

_NOT_TITLE = re.compile(r"^——|会议上$|委员会$|人民政府$|会议文件$|县长|区长|主任|^\d{4}年\d{1,2}月")


def _parse_header(header_lines: list[str], body_text: str, name: str) -> dict:
    squeezed = [re.sub(r"\s+", "", line) for line in header_lines]
    squeezed = [line for line in squeezed if line]
    header_text = "".join(squeezed)
    county = find_county(header_text) or find_county(body_text[:3000])
    if county is None:
        raise ReportError(
            f"{name}: no recognizable county or district in the report's heading; "
            "add its name to search/data/counties.tsv (short name, tab, full name)."
        )
    short, full = county

    if "政府工作报告" in header_text:
        rtype = TYPE_WORK
    elif "计划" in header_text and "报告" in header_text:
        rtype = TYPE_PLAN
    else:
        raise ReportError(
            f"{name}: the heading names neither a 政府工作报告 nor a 计划执行情况报告; "
            "only these two report types are understood."
        )

    title = "".join(line for line in squeezed if not _NOT_TITLE.search(line))
    for prefix in ("关于", "重庆市", full):
        if title.startswith(prefix):
            title = title[len(prefix):]
    title = title or rtype

    delivered, delivered_year = None, None
    for line in squeezed:
        m = DATE_RE.search(line)
        if m and ("会议" in line or line.startswith("——")):
            delivered_year = int(m.group(1))
            delivered = f"{m.group(1)}-{int(m.group(2)):02d}" + (f"-{int(m.group(3)):02d}" if m.group(3) else "")
            break

    review = re.search(r"((?:19|20)\d{2})年(?:国民经济和社会发展)?计划执行", title)
    plan = re.search(r"及((?:19|20)\d{2})年", title)
    review_year = int(review.group(1)) if review else None
    plan_year = int(plan.group(1)) if plan else None
    if plan_year is None:
        plan_year = delivered_year or (review_year + 1 if review_year else None)
    if review_year is None:
        first = re.search(r"^一、.*?((?:19|20)\d{2})年", body_text, re.M)
        review_year = int(first.group(1)) if first else (plan_year - 1 if plan_year else None)
    if plan_year is None or review_year is None:
        raise ReportError(f"{name}: cannot tell which year the report covers from its heading.")
    return {
        "county": short, "county_full": full, "type": rtype, "title": title,
        "year": delivered_year or plan_year, "review_year": review_year, "plan_year": plan_year,
        "delivered": delivered,
    }


def _split_header(lines: list[str]) -> int:
    for i, line in enumerate(lines[:60]):
        if line.strip().startswith("各位代表"):
            return i
    for i, line in enumerate(lines[:60]):
        if line.strip().startswith("一、"):
            return i
    return min(len(lines), 8)


# -- body ------------------------------------------------------------------------------------------


class _BodyParser:
    """Walks the body's lines once, keeping the heading path, and emits passages in order."""

    def __init__(self, report: Report):
        self.report = report
        self.top_number = 0
        self.top = ""
        self.sub = ""
        self.box = ""
        self.box_sub = ""
        self.section = SECTION_OTHER
        self.year = report.plan_year
        self.para = 0
        self.seen: Counter = Counter()

    # Heading path shown with each passage.
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
        report.passages.append(Passage(
            id=pid, report_id=report.id, county=report.county, year=self.year,
            section=self.section, heading=self.heading_path(), kind=kind,
            position=len(report.passages), para=self.para, text=text, table=table,
        ))

    def emit_sentences(self, text: str) -> None:
        for sentence in split_sentences(text):
            self.emit(KIND_SENTENCE, sentence)

    def is_top_heading(self, line: str) -> re.Match | None:
        m = TOP_RE.match(line)
        if not m or len(line) > 60 or chinese_number(m.group(1)) != self.top_number + 1:
            return None
        if "。" in m.group(2)[:-1]:
            return None
        # Inside a 专栏 box, lookalike lines (二、工业重点实施项目) are the box's own list; a real
        # section heading there still names the year it speaks about.
        if self.box and not YEAR_RE.search(line):
            return None
        return m

    def start_top(self, line: str, number: str) -> None:
        self.top_number = chinese_number(number)
        self.top, self.sub, self.box, self.box_sub = line.rstrip("。："), "", "", ""
        self.section = section_label(line)
        year = YEAR_RE.search(line)
        if year:
            self.year = int(year.group(1))
        else:
            self.year = self.report.review_year if self.section == SECTION_REVIEW else self.report.plan_year
        self.para += 1
        self.emit(KIND_HEADING, self.top)

    def start_sub(self, line: str) -> None:
        head, dot, rest = line.partition("。")
        self.sub, self.box, self.box_sub = head.rstrip("：:，,"), "", ""
        self.para += 1
        self.emit(KIND_HEADING, self.sub)
        if rest.strip():
            self.emit_sentences(rest)

    def parse(self, lines: list[str]) -> None:
        i = 0
        while i < len(lines):
            raw = lines[i]
            line = raw.strip()
            i += 1
            if not line:
                continue
            if TABLE_RE.match(line) and _next_nonblank(lines, i).startswith("\t"):
                i = self.parse_table(line, lines, i)
                continue
            top = self.is_top_heading(line)
            if top:
                self.start_top(line, top.group(1))
                continue
            if self.top_number and SUB_RE.match(line):
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
            self.emit_sentences(line)

    def parse_table(self, title_line: str, lines: list[str], i: int) -> int:
        """Rebuild a tab-per-cell table into one readable passage per row; return the next line."""
        title = re.sub(r"\s+", " ", title_line.replace("：", " ")).strip()
        header: list[str] = []
        groups: list[list[str]] = []
        current: list[str] | None = None
        while i < len(lines):
            raw = lines[i]
            # A tab alone is an empty cell (the 序号 of a 其中 row), not a blank line between rows.
            if not raw.strip() and not raw.startswith("\t"):
                if groups and current:
                    current = None
                i += 1
                continue
            if raw.startswith("\t"):
                cell = re.sub(r"\s+", "", raw)
                if not groups and not (current is None and cell.isdigit()):
                    header.append(cell)
                else:
                    if current is None:
                        current = []
                        groups.append(current)
                    current.append(cell)
                i += 1
                continue
            line = raw.strip()
            if not groups and header and len(line) <= 12 and not re.search(r"[。；，]", line):
                header[-1] += line  # a header cell wrapped onto an unindented line: 2022年 / 预期目标
                i += 1
                continue
            break
        self.box = ""
        self.box_sub = title
        self.para += 1
        self.emit(KIND_HEADING, title)
        name_col = 1 if header and header[0] in ("序号", "编号") else 0
        value_headers = header[name_col + 1:]
        parent = ""
        for cells in groups:
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
            text = f"{name}：" + "，".join(f"{h} {v}" for h, v in pairs)
            self.para += 1
            self.emit(KIND_ROW, text, table={"title": title, "header": [header[name_col] if header else "", *value_headers],
                                             "cells": [name, *values]})
        self.box_sub = ""
        return i


def _next_nonblank(lines: list[str], i: int) -> str:
    while i < len(lines) and not lines[i].strip():
        i += 1
    return lines[i] if i < len(lines) else ""


def parse_report(text: str, source: str = "<text>") -> Report:
    lines = text.split("\n")
    cut = _split_header(lines)
    body_lines = lines[cut:]
    meta = _parse_header(lines[:cut], "\n".join(body_lines), source)
    report_id = short_hash(f"{meta['county_full']}|{meta['type']}|{meta['year']}|{meta['plan_year']}", 5)
    report = Report(id=report_id, source=source,
                    sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), **meta)
    parser = _BodyParser(report)
    title = f"{report.county_full}{report.title}" if report.type == TYPE_PLAN else report.title
    parser.emit(KIND_HEADING, title)
    parser.parse(body_lines)
    if len(report.passages) < 2:
        raise ReportError(f"{source}: no sentences found after the heading; is this a report?")
    return report


def read_report(path: Path) -> Report:
    return parse_report(read_report_text(path), source=path.name)
