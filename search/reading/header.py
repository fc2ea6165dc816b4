"""A report's metadata, read from its header: place, type, title, date and years.

The header is what comes before 各位代表 (or, when a report has no such line, before its first
chapter heading): the title, the date line (——2023年2月8日在XX第X届人民代表大会第X次会议上) and
the signature (XX人民政府县长 XXX). The place is the government that issued the report and is read
from the header only, never from the body, where every report names other places. Years come from
the date line, the title, or the chapter headings (一、2023年工作回顾 → the 2024 report).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..documents import TYPE_BUDGET, TYPE_BULLETIN, TYPE_FINAL, TYPE_PLAN, TYPE_WORK
from ..errors import ReportError
from .structure import is_content_chapter
from .places import Place, find_place, lookup  # noqa: F401 - find_place is read from here

YEAR_RE = re.compile(r"((?:19|20)\d{2})年")
DATE_RE = re.compile(r"((?:19|20)\d{2})年(\d{1,2})月(?:(\d{1,2})日)?")
# Lines of the header that are never part of the title: the date line, the meeting's file number
# (市五届人大六次会议文件（十四）), the issuer or signature (XX市统计局, 局长 XXX), a table of contents
# and its entries (目录, 一、财政预算报告, 第一部分 预算报告), a time of day scraped from the page.
_NOT_TITLE = re.compile(
    r"^——|^[—-]{1,2}\d|会议上|会议文件\S{0,8}$|人大(\S{0,6}次(会议)?)?$|委员会$|人民政府$|^\d{4}年\d{1,2}月|"
    r"(县长|区长|市长|省长|州长|旗长|主席|总理|主任|局长|厅长)\s*\S{0,4}$|^各位代表|"
    r"(局|调查队|办公室|办公厅)$|目录$|^[一二三四五六七八九十]+、|^第[一二三四五六七八九十]+部分|^\d{1,2}:\d{2}$"
)
# Words glued in front of a title by the page it was scraped from: 标题：, a time of day (18:05), a
# number (an article id, 12263761), a teaser's cry (最新！).
_TITLE_LEAD = re.compile(r"^(?:标题[：:]|\d{1,2}:\d{2}(?::\d{2})?|\d{5,}|[^，。！!]{1,4}[！!])")
# Footnote marks (公报[1]) and a date line glued after the title (…的报告——2026年1月22日在…).
_TITLE_TAIL = re.compile(r"\[\d{1,2}\]|[—－-]{2,}.*$")
_TITLE_END = re.compile(r"(报告|统计公报|决算\S{0,6}情况|预算\S{0,6}说明)(（[^）]{1,8}）|\([^)]{1,8}\))?$")
# What a report's own words say it is, when it has no title (the national texts start at 各位代表).
_PREAMBLE_TYPES = [
    (re.compile(r"政府工作报告|报告政府工作|向大会(作|报告)(过去五年的?)?(政府)?工作|作政府工作报告"), TYPE_WORK),
    (re.compile(r"(预算|决算)(执行情况|草案)"), TYPE_BUDGET),
    (re.compile(r"计划执行情况|计划草案"), TYPE_PLAN),
]


@dataclass
class Overrides:
    """What a user says about a file when detection fails (``add --place/--year/--type``)."""

    place: str | None = None
    year: int | None = None
    type: str | None = None
    said: str = "指定"  # who says so, for the evidence shown: 指定 (the command line) or 清单第3行


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def split_header(lines: list[str]) -> int:
    """Index of the first body line: 各位代表, else the first chapter heading, else after 8 lines."""
    for i, line in enumerate(lines[:60]):
        # 位代表： when a conversion lost the first character; 各位代表，这些成绩… later on is body.
        if re.match(r"^各?位代表([：:]|\s*$)", line):
            return i
    cut = next((i for i, line in enumerate(lines[:60])
                if re.match(r"^(一、|第一部分|第一章)", line) or is_content_chapter(line)), None)
    if cut is None:
        # A text with neither starts in its body: a header line is never a long run of sentences.
        cut = next((i for i, line in enumerate(lines[:8]) if len(line) > 60 and line.count("。") > 1),
                   min(len(lines), 8))
    # Without a bare 各位代表 line, the address (代表们：) or the sentence that opens the report
    # (我受县政府委托，向大会报告…) still belongs to the body: it is a passage, not header.
    return next((i for i, line in enumerate(lines[:cut]) if _ADDRESS_RE.match(line) or _opens_report(line)), cut)


# 代表们：, 各位代表、同志们：, 各位委员：: how a speech addresses its audience.
_ADDRESS_RE = re.compile(r"^\S{0,4}(代表|委员)\S{0,8}[：:！!]$")
_OPENING_RE = re.compile(r"委托|我代表|向大会报告|提请\S{0,40}审[议查]|请予审[议查]")


def _opens_report(line: str) -> bool:
    """The sentence after the address: who speaks, on whose behalf, asking the congress to review."""
    return len(line) > 15 and "，" in line and not _TITLE_END.search(line) and bool(_OPENING_RE.search(line))


def type_from_words(title: str, header: str, preamble: str) -> tuple[str, str] | None:
    """(type, the words that say so) from the title, the header or the sentence after 各位代表."""
    for text, kind in ((title, "标题"), (header, "开头")):
        if "统计公报" in text:
            return TYPE_BULLETIN, f"{kind}“统计公报”"
        if "政府工作报告" in text:
            return TYPE_WORK, f"{kind}“政府工作报告”"
        # 决算 alone is the final accounts; 决算 beside this year's 预算草案 is a budget report.
        if "决算" in text and re.search(r"报告|情况", text) and not re.search(r"预算(\S{0,4})?草案|预算执行", text):
            return TYPE_FINAL, f"{kind}“决算”"
        budget = re.search(r"[预决]算(执行情况|草案)?", text)
        if budget and re.search(r"报告|草案|说明", text):
            return TYPE_BUDGET, f"{kind}“{budget.group(0)}”"
        if "计划" in text and "报告" in text:
            return TYPE_PLAN, f"{kind}“计划”"
    for pattern, rtype in _PREAMBLE_TYPES:
        m = pattern.search(preamble)
        if m:
            return rtype, f"开头“{m.group(0)}”"
    return None


def clean_title_line(line: str) -> str:
    """A header line without spacing (政 府 工 作 报 告), the page's words glued in front and the
    footnote marks or date line glued after."""
    text = squeeze(line)
    while (m := _TITLE_LEAD.match(text)) and len(text) > m.end():
        text = text[m.end():]
    return _TITLE_TAIL.sub("", text)


def find_title(lines: list[str]) -> str | None:
    """The report's own title: the first run of header lines that ends in 报告 (or 公报 …)."""
    candidates = [clean_title_line(line) for line in lines]
    candidates = [c for c in candidates if c and not _NOT_TITLE.search(c)]
    for start in range(len(candidates)):
        joined = ""
        for line in candidates[start:start + 3]:
            joined += line
            if _TITLE_END.search(joined):
                return joined
    return None


def delivered_date(lines: list[str]) -> tuple[str | None, int | None]:
    """The date the report was delivered, from the date line (which may be broken over lines)."""
    joined = "".join(squeeze(line) for line in lines)
    for m in DATE_RE.finditer(joined):
        after = joined[m.end():m.end() + 80]
        before = joined[max(0, m.start() - 2):m.start()]
        if "会议" in after or "——" in before:
            day = f"-{int(m.group(3)):02d}" if m.group(3) else ""
            return f"{m.group(1)}-{int(m.group(2)):02d}{day}", int(m.group(1))
    return None, None


def title_years(title: str) -> tuple[int | None, int | None, int | None]:
    """(review year, plan year, the title's own year) as the title states them."""
    review = re.search(r"((?:19|20)\d{2})年(?:国民经济和社会发展)?(?:计划|(?:\S{0,12})?预算|\S{0,12}决算)执行", title)
    plan = re.search(r"[及和与]((?:19|20)\d{2})年", title)
    own = YEAR_RE.search(title)
    return (int(review.group(1)) if review else None, int(plan.group(1)) if plan else None,
            int(own.group(1)) if own else None)


def strip_place_prefix(title: str, place: Place) -> str:
    """关于重庆市涪陵区2022年…的报告 → 2022年…的报告: the citation names the place already."""
    changed = True
    while changed:
        changed = False
        for prefix in ("关于", place.province, place.city, place.name, place.full):
            if prefix and title.startswith(prefix) and len(title) > len(prefix) + 4:
                title = title[len(prefix):]
                changed = True
    return title


def resolve_place(header_text: str, overrides: Overrides, name: str) -> Place:
    if overrides.place:
        found = lookup(overrides.place)
        if not found:
            raise ReportError(f"{name}：不认识 --place 给出的地区“{overrides.place}”。")
        if len(found) > 1:
            names = "、".join(p.full for p in found)
            raise ReportError(f"{name}：--place “{overrides.place}”有多个地区：{names}；请写全称。")
        return found[0]
    place = find_place(header_text)
    if place is None:
        raise ReportError(
            f"{name}：报告开头（标题、日期行、署名）没有可识别的地区名称；请用 --place 指定，"
            "或在地区补充文件（设置 places_file）里加上这个地名。"
        )
    return place


def years_from_headings(headings: list[tuple[str, str]]) -> tuple[int | None, int | None]:
    """(review year, plan year) from chapter headings and their section labels; where the labels
    do not tell (奋力完成2023年…的各项任务, 全力实现2024年…的奋斗目标), the earlier of two
    consecutive years is the one looked back on."""
    review = plan = None
    years = []
    for text, label in headings:
        m = YEAR_RE.search(text)
        if not m:
            continue
        year = int(m.group(1))
        years.append(year)
        if label == "工作回顾" and review is None:
            review = year
        elif label in ("目标安排", "重点任务") and plan is None and (review is None or year > review):
            plan = year
    if len(set(years)) == 2 and max(years) == min(years) + 1:
        review, plan = review or min(years), max(years) if plan is None or plan < max(years) else plan
    return review, plan


def year_from_review_text(texts: list[str]) -> int | None:
    """The year a review chapter speaks about most (ties: the latest): the report is of the next."""
    counts = Counter(int(y) for text in texts for y in YEAR_RE.findall(text))
    if not counts:
        return None
    best = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    return best[0] + 1
