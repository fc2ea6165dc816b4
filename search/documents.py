"""The plain data the engine passes around: reports and their passages.

These are what ``search.reading`` produces from a report file, what the index stores, and what the
CLI and the web app receive (as dicts, through ``asdict``).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import asdict, dataclass, field

# Section labels, in the order a report is read. One small, normalized set usable as a facet.
SECTION_REVIEW = "工作回顾"
SECTION_GOALS = "目标安排"
SECTION_TASKS = "重点任务"
SECTION_OTHER = "其他"
SECTIONS = (SECTION_REVIEW, SECTION_GOALS, SECTION_TASKS, SECTION_OTHER)

TYPE_PLAN = "计划执行情况报告"  # 国民经济和社会发展计划执行情况…的报告
TYPE_WORK = "政府工作报告"
TYPE_BUDGET = "预算执行情况报告"  # 财政预算执行情况…的报告
TYPE_FINAL = "决算报告"  # 关于2025年市本级决算（草案）的报告: the year's final accounts
TYPE_BULLETIN = "统计公报"  # 国民经济和社会发展统计公报: the official actual figures of a year
TYPES = (TYPE_WORK, TYPE_PLAN, TYPE_BUDGET, TYPE_FINAL, TYPE_BULLETIN)

# Levels of government, from the national list of divisions (search.reading.places).
LEVELS = ("国家级", "省级", "地级", "县级")

HEADING_SEPARATOR = " › "  # between the levels of a passage's heading path

KIND_HEADING = "heading"
KIND_SENTENCE = "sentence"
KIND_ROW = "row"


_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"


def short_hash(text: str, nbytes: int = 5) -> str:
    """A short, URL-safe, lower-case digest: base32 without padding, as
    ``base64.b32encode(digest).rstrip("=").lower()`` (whose pure-Python loop was a sixth of the
    time spent reading a report: every passage has an id)."""
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=nbytes).digest()
    chars = -(-8 * nbytes // 5)
    value = int.from_bytes(digest, "big") << (5 * chars - 8 * nbytes)
    return "".join(_BASE32[(value >> shift) & 31] for shift in range(5 * (chars - 1), -1, -5))


@dataclass
class Passage:
    id: str
    report_id: str
    county: str
    year: int
    section: str
    heading: str  # the heading path for display: "一、… › （一）…"
    kind: str  # heading | sentence | row
    position: int  # order within the report, from 0
    para: int  # paragraph number within the report; sentences of one paragraph share it
    text: str
    table: dict | None = None  # for table rows: {"title", "header": [...], "cells": [...]}
    ocr: bool = False  # read by OCR from a scanned page (may hold misread characters)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Report:
    id: str
    county: str  # what people type, kept under its old name for compatibility: 云阳, 涪陵, 北京, 全国
    county_full: str  # the place's qualified full name, as citations give it: 重庆市云阳县
    type: str  # one of TYPES
    title: str  # without the place in front: 2022年国民经济和社会发展计划执行情况及2023年计划草案的报告
    year: int  # the year it was delivered (inferred from the plan year when it states no date); for
    #            a 决算报告 or 统计公报, the year it accounts for (a bulletin on 2025 is 2025's)
    review_year: int
    plan_year: int
    delivered: str | None  # "2023-02-08", "2024-01" or None when the report states no date
    source: str  # file name it was read from (information only; never used for metadata)
    sha256: str
    place: str = ""  # the issuing government's qualified full name (the same as county_full)
    place_short: str = ""  # the same as county
    level: str = ""  # one of LEVELS
    province: str = ""  # 重庆市; "" for the national level
    city: str = ""  # the prefecture of a county-level place, "" where there is none
    adcode: str = ""  # the division code: 500102; 100000 for the national level
    format: str = "txt"  # what the file was: txt, docx, pdf or html
    warnings: list[str] = field(default_factory=list)  # what a user should check, in Chinese
    # For place, level, type and year: the words each was read from (文件名“宜昌”, 正文“市人民政府”).
    evidence: dict[str, list[str]] = field(default_factory=dict)
    passages: list[Passage] = field(default_factory=list)

    def summary(self) -> dict:
        data = asdict(self)
        data.pop("passages")
        data["passage_count"] = len(self.passages)
        return data

    @property
    def citation_title(self) -> str:
        return f"{self.county_full}《{self.title}》"


@dataclass
class BuildSummary:
    """What a build, an add or a remove left in an index: its reports, the files refused, the
    reports an add replaced."""

    index_dir: str  # where the index is: its folder, or the cluster and alias
    reports: list[dict] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    replaced: list[dict] = field(default_factory=list)  # reports an add replaced (same place, type, year)
    added: list[dict] = field(default_factory=list)  # the reports an add read and indexed
    passages: int = 0
    seconds: float = 0.0

    def per_county(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self.reports:
            counts[r["county"]] = counts.get(r["county"], 0) + r["passage_count"]
        return counts


def citation(report: dict, heading: str) -> str:
    """How a passage is cited: the issuer, the report's title, its chapter and year."""
    top = heading.split(HEADING_SEPARATOR)[0] if heading else ""
    # The national reports are the State Council's: cited as 国务院《政府工作报告》.
    issuer = "国务院" if report.get("level") == "国家级" else report["county_full"]
    parts = [f"{issuer}《{report['title']}》"]
    if top:
        parts.append(top)
    parts.append(f"{report['year']}年")
    return "，".join(parts)


def stamp_arrivals(records: list[dict], served: list[dict], at: str | None = None) -> list[dict]:
    """Report ``records`` with ``added_at``, when each came into the index (what saved searches'
    feeds date their entries by): the time ``served`` gives the same report unchanged (same id and
    checksum), else ``at`` (now). Both engines stamp what a build, an add or a push brings in."""
    at = at or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    known = {(r["id"], r.get("sha256")): r.get("added_at") for r in served}
    return [{**r, "added_at": known.get((r["id"], r.get("sha256"))) or at} for r in records]
