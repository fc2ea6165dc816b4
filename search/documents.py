"""The plain data the engine passes around: reports and their passages.

These are what ``search.reports`` produces from a text file, what the index stores, and what the
CLI and the web app receive (as dicts, through ``asdict``).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import asdict, dataclass, field

# Section labels, in the order a report is read. One small, normalized set usable as a facet.
SECTION_REVIEW = "工作回顾"
SECTION_GOALS = "目标安排"
SECTION_TASKS = "重点任务"
SECTION_OTHER = "其他"
SECTIONS = (SECTION_REVIEW, SECTION_GOALS, SECTION_TASKS, SECTION_OTHER)

TYPE_PLAN = "计划执行情况报告"
TYPE_WORK = "政府工作报告"

KIND_HEADING = "heading"
KIND_SENTENCE = "sentence"
KIND_ROW = "row"


def short_hash(text: str, nbytes: int = 5) -> str:
    """A short, URL-safe, lower-case digest (base32 without padding)."""
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=nbytes).digest()
    return base64.b32encode(digest).decode("ascii").rstrip("=").lower()


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

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Report:
    id: str
    county: str  # short name: 云阳
    county_full: str  # full name: 云阳县
    type: str  # TYPE_PLAN or TYPE_WORK
    title: str  # without the county: 2022年国民经济和社会发展计划执行情况及2023年计划草案的报告
    year: int  # the year it was delivered (inferred from the plan year when it states no date)
    review_year: int
    plan_year: int
    delivered: str | None  # "2023-02-08", "2024-01" or None when the report states no date
    source: str  # file name it was read from (information only; never used for metadata)
    sha256: str
    passages: list[Passage] = field(default_factory=list)

    def summary(self) -> dict:
        data = asdict(self)
        data.pop("passages")
        data["passage_count"] = len(self.passages)
        return data

    @property
    def citation_title(self) -> str:
        return f"{self.county_full}《{self.title}》"
