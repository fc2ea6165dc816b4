"""A report's place, type and years, each from the strongest evidence at hand, with that evidence.

The order (strongest first): what the user says (``add --place``, a manifest row); the header
(title, date line, signature, and the sentence after 各位代表 saying who speaks); the body's
self-reference and chapters; the file and folder names. Evidence that disagrees with the value
chosen becomes a warning. ``Metadata.evidence`` keeps, for each field, the words it came from, so
that ``inspect`` can show why: 地区：湖北省宜昌市（文件名“宜昌”，正文“世界级宜昌”，正文“市人民政府”）.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field

from ..documents import TYPE_BUDGET, TYPE_BULLETIN, TYPE_FINAL, TYPE_PLAN, TYPE_WORK, TYPES, Report
from ..errors import ReportError
from . import evidence as ev
from . import header as hdr
from .blocks import BLOCK_PARA, Block
from .places import LEVEL_PROVINCE, NATIONAL, Place, within
from .structure import SECTION_GOALS, SECTION_REVIEW, SECTION_TASKS, BodyParser, section_label

# Types that account for a year already over (决算, 统计公报): their year is the year they account for.
ACCOUNT_TYPES = (TYPE_FINAL, TYPE_BULLETIN)
# An issue of a government gazette (XX市人民政府公报 第10期) holds several documents, not one report.
_GAZETTE_RE = re.compile(r"政府公报.{0,30}第\s*\d+\s*期|公报\s*\d{4}\s*年\s*第\s*\d+\s*期")


@dataclass
class Metadata:
    place: Place
    type: str
    title: str
    delivered: str | None
    delivered_year: int | None
    review_year: int
    plan_year: int
    evidence: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def year(self) -> int:
        if self.type in ACCOUNT_TYPES:
            return self.review_year
        return self.delivered_year or self.plan_year


def decide(head_lines: list[str], body: list[Block], overrides, source: str, names: list[str],
           numbered: bool, site: str | None = None) -> Metadata:
    """Place, type, title and years of a report, or ReportError saying which could not be told."""
    preamble = _preamble(head_lines, body)
    title = hdr.find_title(head_lines) or ""
    # Lines stay apart: a two-character name (忠县) counts only at a line's start or after 在/年.
    header_text = "\n".join([*(hdr.squeeze(line) for line in head_lines), hdr.squeeze(preamble[:120])])
    body_text = "\n".join(b.text for b in body if b.kind != "table")
    opening = "\n".join([*head_lines, body_text[:ev.OPENING_CHARS]])
    warnings: list[str] = []
    evidence: dict[str, list[str]] = {}

    _refuse_gazette(head_lines, body, source)
    place = _place(header_text, head_lines, opening, body_text, overrides, source, names, evidence, warnings,
                   site)
    probe = _probe(body, numbered, source)
    rtype = _type(title, header_text, preamble, probe, overrides, source, evidence)
    delivered, delivered_year = hdr.delivered_date(head_lines)
    review_year, plan_year, overridden = _years(title, head_lines, rtype, delivered_year, probe, body, overrides,
                                                source, names, evidence)
    if overridden and delivered_year != overrides.year:
        delivered_year = None  # a date line of another year is not this report's
    title = hdr.strip_place_prefix(title, place) if title not in ("", *TYPES) else ""
    if not title:
        # No title, or one that names the type alone (政府工作报告): a citation needs place and year.
        title = made_up_title(place, rtype, review_year, plan_year, delivered_year)
        evidence["title"] = ["文件里没有标题，按地区、年份和类型拟定" if title != rtype
                             else "文件里没有标题；国务院的报告就题为《政府工作报告》"]
    return Metadata(place, rtype, title, delivered, delivered_year, review_year, plan_year, evidence, warnings)


def made_up_title(place: Place, rtype: str, review_year: int, plan_year: int, delivered_year: int | None) -> str:
    """A title for a report that has none, from its place, years and type: 宜昌市2024年政府工作报告,
    北京市2025年预算执行情况和2026年预算草案的报告. The State Council's work reports are titled
    政府工作报告 and cited as 国务院《政府工作报告》: their title is the type."""
    # A county-level place with its prefecture (黄山市黄山区): the name alone is shared nationwide.
    prefecture = place.city if place.city not in ("", place.name, place.province) else ""
    if place == NATIONAL and rtype == TYPE_WORK:
        return rtype
    issuer = "国务院" if place == NATIONAL else prefecture + place.name
    if rtype == TYPE_BUDGET:
        return f"{issuer}{review_year}年预算执行情况和{plan_year}年预算草案的报告"
    if rtype == TYPE_PLAN:
        return f"{issuer}{review_year}年国民经济和社会发展计划执行情况与{plan_year}年计划草案的报告"
    if rtype == TYPE_BULLETIN:
        return f"{issuer}{review_year}年国民经济和社会发展统计公报"
    if rtype == TYPE_FINAL:
        return f"{issuer}{review_year}年决算报告"
    return f"{issuer}{delivered_year or plan_year}年{rtype}"


def _preamble(head_lines: list[str], body: list[Block]) -> str:
    """The sentence that says who speaks (现在，我代表市人民政府，向大会报告工作…; 受市人民政府委托…), wherever the
    header ends: after 各位代表, on the same line, or before a first chapter with no 各位代表."""
    texts = [*head_lines[-2:], *(b.text for b in body[:3] if b.kind == BLOCK_PARA)]
    for text in texts:
        rest = re.sub(r"^各位(代表|主任|委员)\S{0,8}?[：:]", "", text.strip())
        # 我代表市人民政府…, or a budget's 受市人民政府委托，现将…预算草案提请…
        if re.search(r"代表|委托", rest[:40]):
            return rest
    return ""


def _refuse_gazette(head_lines: list[str], body: list[Block], source: str) -> None:
    first = "".join(hdr.squeeze(t) for t in [*head_lines, *(b.text for b in body[:4])])[:400]
    m = _GAZETTE_RE.search(first)
    if m and "统计公报" not in first[:m.end()]:
        raise ReportError(f"{source}：这是一期政府公报（{m.group(0)}），收有多份文件，不是一份报告；"
                          "请把要索引的报告单独存成文件再添加。")


# -- place ----------------------------------------------------------------------------------------------


def _place(header_text, head_lines, opening, body_text, overrides, source, names, evidence, warnings,
           site) -> Place:
    if overrides.place:
        place = hdr.resolve_place("", overrides, source)
        evidence["place"] = [f"{overrides.said}“{overrides.place}”"]
        return _with_level(place, evidence)
    unit, unit_words = ev.speaker_unit(opening, body_text)
    place = hdr.find_place(header_text)
    if place is not None:
        evidence["place"] = [_header_quote(place, head_lines, header_text)]
        _check_names(place, names, evidence["place"][0], source, warnings)
        return _with_level(place, evidence)
    by_body = ev.place_from_body(body_text, unit, unit_words)
    by_names = ev.place_from_names(names, unit, unit_words, body_text)
    if by_body.value is not None and by_names.value is not None and by_body.value != by_names.value:
        if ev.body_count(by_names.value, body_text) < ev.BODY_VOTE_MIN:
            warnings.append(f"文件名说的是{by_names.value.full}，正文说的是{by_body.value.full}；按正文。")
            by_names = ev.Finding()
        else:
            warnings.append(f"正文最常提到{by_body.value.full}，文件名说的是{by_names.value.full}；按文件名。")
            by_body = ev.Finding()
    chosen = by_names if by_names.value is not None else by_body
    if chosen.value is None and site:
        # The portal that published the page (周口市人民政府): below the text, above nothing.
        found = hdr.find_place(hdr.squeeze(site))
        if found is not None and found.level != LEVEL_PROVINCE:
            chosen = ev.Finding(found, [f"网站“{site}”"])
    warnings.extend(by_names.warnings)
    if chosen.value is None:
        spelled = ev.pinyin_choices(names[-1] if names else "", unit)
        hint = f"文件名“{names[-1]}”的拼音可以是{'、'.join(p.full for p in spelled)}，分不出是哪一个；" if spelled else ""
        raise ReportError(
            f"{source}：标题、日期行、正文和文件名都看不出是哪个地区的报告；{hint}请用 --place 指定，"
            "或在清单 reports.csv 里写上地区（见 inspect --manifest）。"
        )
    evidence["place"] = list(chosen.evidence)
    if unit_words:
        evidence["level"] = [f"正文“{unit_words}”"]
    return _with_level(chosen.value, evidence)


def _with_level(place: Place, evidence: dict) -> Place:
    evidence.setdefault("level", ["全国行政区划名单"])
    return place


def _header_quote(place: Place, head_lines: list[str], header_text: str) -> str:
    if place == NATIONAL:
        m = re.search(r"代表国务院|国务院总理|全国人民代表大会|国务院|全国人大", header_text)
        return f"开头“{m.group(0)}”" if m else "开头"
    for line in head_lines:
        text = hdr.squeeze(line)
        for form in (place.name, place.short):
            if form and form in text:
                kind = "日期行" if "会议" in text else "标题" if text.endswith("报告") else "开头"
                return f"{kind}“{text[:40]}”"
    return f"开头“{place.name}”"


def _check_names(place: Place, names: list[str], said: str, source: str, warnings: list[str]) -> None:
    """The file name against the place the report says it is from.

    A name for another place altogether is a conflict that matters (台州.docx holding the State
    Council's report: a misfiled file, or a mislabelled one): refused, naming both, for the user to
    settle with --place or the manifest. A name for a place inside the report's own (宜昌.docx
    holding 湖北省's report) is worth a word only."""
    if not names:
        return
    candidates = ev.name_candidates(names[-1])
    if not candidates:
        # A pinyin name (yichang.docx holding 国务院's report) is only a word: pinyin is lossy, and
        # polyphones spell places wrong (朝阳 is spelled zhaoyang, so chaoyang reads as 潮阳区 only).
        spelled = ev.pinyin_candidates(names[-1])
        if spelled and not any(c == place or within(place, c) for c in spelled):
            warnings.append(f"文件名“{names[-1]}”的拼音像是{'或'.join(c.full for c in spelled[:3])}，而{said}说的是"
                            f"{'国务院（全国）' if place == NATIONAL else place.full}的报告；按报告本身，请核对文件是否放错。")
        return
    if any(c == place or within(place, c) for c in candidates):
        return
    inside = [c for c in candidates if within(c, place) and place != NATIONAL]
    if inside:
        warnings.append(f"文件名“{names[-1]}”说的是{inside[0].full}，而{said}说的是{place.full}的报告；按报告本身。")
        return
    own = "国务院（全国）" if place == NATIONAL else place.full
    raise ReportError(
        f"{source}：文件名“{names[-1]}”说的是{'或'.join(c.full for c in candidates[:3])}，而报告本身（{said}）"
        f"说的是{own}的报告，两者不是同一个地区，可能放错或标错了文件。请核对；如果报告本身没错，"
        "请用 --place 指定地区，或在清单 reports.csv 里写上地区。"
    )


# -- type ------------------------------------------------------------------------------------------------


def _probe(body: list[Block], numbered: bool, source: str) -> BodyParser:
    """The body parsed once without metadata, for its chapter headings."""
    probe = Report(id="", county="", county_full="", type="", title="", year=0, review_year=0,
                   plan_year=0, delivered=None, source=source, sha256="")
    parser = BodyParser(probe, numbered)
    parser.parse(body)
    return parser


def _type(title, header_text, preamble, probe: BodyParser, overrides, source, evidence) -> str:
    if overrides.type:
        if overrides.type not in TYPES:
            raise ReportError(f"{source}：--type 只能是 {'、'.join(TYPES)} 之一。")
        evidence["type"] = [f"{overrides.said}“{overrides.type}”"]
        return overrides.type
    found = hdr.type_from_words(title, header_text, preamble)
    if found:
        rtype, words = found
        evidence["type"] = [words]
        return rtype
    work = _work_report_chapters(probe.chapters)
    if work:
        evidence["type"] = [f"章节“{work[0][:20]}”“{work[1][:20]}”"]
        return TYPE_WORK
    raise ReportError(
        f"{source}：标题、开头和章节都看不出报告类型（{'、'.join(TYPES)}）；如果确是其中一种，请用 --type 指定。"
    )


def _work_report_chapters(chapters: list[tuple[str, str]]) -> tuple[str, str] | None:
    """Two chapter headings that make a text a work report even without a title: a year's review
    (or the earlier of two years) and its plan (or 政府自身建设), and nothing about a budget or plan."""
    if len(chapters) < 2 or any(re.search(r"预算|决算|计划", h) for h, _ in chapters):
        return None
    years = {h: int(m.group(1)) for h, _ in chapters if (m := hdr.YEAR_RE.search(h))}
    review = next((h for h, label in chapters if label == SECTION_REVIEW), None)
    if review is None and len(set(years.values())) >= 2:
        review = min(years, key=years.get)
    plan = next((h for h, label in chapters if label in (SECTION_GOALS, SECTION_TASKS) and h != review), None)
    if plan and (review or any("政府自身建设" in h for h, _ in chapters)):
        return review or plan, next(h for h, _ in chapters if "政府自身建设" in h) if not review else plan
    return None


# -- years ---------------------------------------------------------------------------------------------


def _years(title, head_lines, rtype, delivered_year, probe: BodyParser, body, overrides, source, names, evidence):
    """(review year, plan year, whether the user's year replaced the text's), with the evidence for
    the year under evidence["year"]."""
    if overrides.year:
        # A year the text gives already (a manifest row left as inspect wrote it) changes nothing.
        with contextlib.suppress(ReportError):
            review, plan = _years_in_text(title, head_lines, rtype, delivered_year, probe, body, source, names,
                                          evidence)
            shown = review if rtype in ACCOUNT_TYPES else delivered_year or plan
            if shown == overrides.year:
                return review, plan, False
        evidence["year"] = [f"{overrides.said}“{overrides.year}”"]
        if rtype in ACCOUNT_TYPES:
            return overrides.year, overrides.year, True
        return overrides.year - 1, overrides.year, True
    return (*_years_in_text(title, head_lines, rtype, delivered_year, probe, body, source, names, evidence), False)


def _years_in_text(title, head_lines, rtype, delivered_year, probe: BodyParser, body, source, names, evidence):
    """(review year, plan year) from the report itself and its file names."""
    # Without a title that ends in 报告, the header's first lines may still say the years (青岛市2025年
    # 预算执行情况和 / 2026年预算草案).
    review_year, plan_year, own_year = hdr.title_years(title or "".join(map(hdr.squeeze, head_lines))[:120])
    if rtype in ACCOUNT_TYPES and own_year:
        evidence["year"] = [f"标题“{title[:30]}”"]
        return own_year, own_year
    said = []
    if review_year or plan_year:
        said.append(f"标题“{title[:30]}”")
    if delivered_year:
        said.append(f"日期行“{delivered_year}年”")
    if plan_year is None:
        plan_year = delivered_year or (review_year + 1 if review_year else None) or own_year
        if own_year and plan_year == own_year and not said:
            said.append(f"标题“{title[:30]}”")
    if plan_year is None or review_year is None:
        review, plan = hdr.years_from_headings(probe.chapters)
        if (review or plan) and plan_year is None:
            heading = next(h for h, _ in probe.chapters if hdr.YEAR_RE.search(h))
            said.append(f"章节“{heading[:24]}”")
        review_year = review_year or review
        plan_year = plan_year or plan or (review_year + 1 if review_year else None)
    if plan_year is None:
        found = ev.year_from_opening([b.text for b in body[:6] if b.kind == BLOCK_PARA])
        if found.value is None:
            texts = [p.text for p in probe.report.passages if p.section == SECTION_REVIEW]
            year = hdr.year_from_review_text(texts)
            found = ev.Finding(year, ["回顾部分最常提到的年份"] if year else [])
        if found.value is None:
            found = ev.year_from_names(names)
        plan_year = found.value
        said.extend(found.evidence)
    if plan_year is None:
        raise ReportError(f"{source}：从标题、日期行、章节、正文和文件名都看不出报告是哪一年的；请用 --year 指定。")
    if rtype in ACCOUNT_TYPES:
        year = review_year or plan_year
        evidence["year"] = said
        return year, year
    if review_year is None:
        # Labels depend on the plan year (a chapter about an earlier year looks back).
        review_year = next(
            (y for text, _ in probe.chapters
             if section_label(text, plan_year) == SECTION_REVIEW
             for y in [int(m) for m in hdr.YEAR_RE.findall(text)][:1]), None)
    evidence["year"] = said
    return review_year or plan_year - 1, plan_year
