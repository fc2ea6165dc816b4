"""Where a report's place and year come from when its header does not say: the body's own words
and the names of the file and its folders.

Evidence is weighed in a fixed order, strongest first (see ``search.reading.metadata``):

1. the header: title, date line, signature (``header``);
2. the body's self-reference: who speaks (我代表市人民政府, 我代表行署), how the body calls its own
   area (全市, 全州, 我县), and which place it names most often of that kind;
3. the file name and its folders (``湖北/宜昌/2024.docx``, ``宜昌.docx``, ``海拉尔区/2019.txt``, and in
   pinyin ``yichang.docx`` when the word spells one place of the speaker's kind: ``pinyin_names``);
4. a manifest row (``manifest``), which overrides all of these, as ``add --place`` does.

Nothing here knows any particular place: candidates come from the national list of places, and a
name in the body counts only for a place of the kind the speaker says it is. A place the body names
in passing (a neighbour, the province, a partner city) is named far less often than the report's
own, and of another kind or level, so it never decides.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .pinyin_names import latin_words, spelled
from .places import LEVEL_PROVINCE, AmbiguousPlace, Place, meanings, named_in, province_of, within

# 我代表市人民政府, 我代表州人民政府, 我代表XX县人民政府; a 行署 speaks for a 地区 or a 盟.
_SPEAKER_RE = re.compile(r"代表(?P<who>[^，,。、；]{0,16}?)(?P<unit>[省市州盟区县旗])(?:人民)?政府")
_OFFICE_RE = re.compile(r"代表(?:地区)?(?:行署|行政公署)")
# How a body calls its own area: 全市, 全州, 我县 (全区 is left out: every autonomous region says it).
_OWN_AREA_RE = re.compile(r"(?:全|我)([市州盟县旗])")
# Words that end a place name of each kind the speaker may name.
_UNIT_ENDINGS = {"省": ("省",), "市": ("市",), "州": ("州",), "盟": ("盟",), "区": ("区",), "县": ("县",),
                 "旗": ("旗",), "行署": ("地区", "盟")}
OPENING_CHARS = 3000  # how much of the body is read for who speaks and what it names first
BODY_VOTE_MIN = 3  # a body-only place must be named at least this often, and twice as often as the next


@dataclass
class Finding:
    """A value and the evidence for it, in words a user can check: 文件名“宜昌”, 正文“市人民政府”."""

    value: object = None
    evidence: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def speaker_unit(opening: str, body: str) -> tuple[str | None, str]:
    """The kind of government that speaks ("市", "州", "区", "县", "行署" …) and the words that say so.

    From 我代表…人民政府 in the opening, else from the body's most frequent 全市/全州/我县."""
    m = _SPEAKER_RE.search(opening)
    if m:
        return m.group("unit"), re.sub(r"\s+", "", m.group(0).removeprefix("代表"))
    m = _OFFICE_RE.search(opening)
    if m:
        return "行署", m.group(0).removeprefix("代表")
    counts = Counter(_OWN_AREA_RE.findall(body[:OPENING_CHARS * 3]))
    if counts:
        unit, n = counts.most_common(1)[0]
        if n >= 2:
            return unit, f"全{unit}"
    return None, ""


def fits_unit(place: Place, unit: str | None) -> bool:
    """True when a place is of the kind the speaker names (恩施市 for 市, 恩施…自治州 for 州)."""
    if unit is None:
        return True
    return place.name.endswith(_UNIT_ENDINGS.get(unit, (unit,)))


def name_candidates(name: str) -> list[Place]:
    """Every place a file or folder name may mean: 吉林 is 吉林省 and 吉林市, 黄山 is 黄山市 and 黄山区."""
    text = "".join(name.split())
    if len(text) < 2 or not any("\u4e00" <= c <= "\u9fff" for c in text):
        return []
    return meanings(text)


def body_count(place: Place, body: str) -> int:
    """How often the body names a place, by its name or its short name (shorter names counted once)."""
    if not place.short or len(place.short) < 2:
        return body.count(place.name)
    return body.count(place.short) + (body.count(place.full) if place.full != place.name else 0)


def quote(place: Place, body: str) -> str:
    """The words around the body's first naming of a place: 世界级宜昌, 中国式现代化南京新实践."""
    for form in (place.name, place.short):
        i = body.find(form)
        if i >= 0:
            before = re.split(r"[，。、；：“”（）\s]", body[max(0, i - 4):i])[-1]
            return before + form
    return place.short


def place_from_names(names: list[str], unit: str | None, unit_words: str, body: str) -> Finding:
    """The place the file and folder names give, read together with who speaks in the body.

    ``names``: the folders from the top of the folder given, then the file name without suffix."""
    finding = Finding()
    outer: list[Place] = []
    for name in names:
        candidates = name_candidates(name)
        # A folder may be a province (hubei/yichang.docx): only the file is of the speaker's kind.
        if not candidates and (spelled := _spelled_place(name, unit if name is names[-1] else None, outer)):
            finding.value = spelled
            finding.evidence = [f"{'文件名' if name is names[-1] else '文件夹'}“{name}”（拼音）"]
            outer = [spelled]
            continue
        if outer:
            candidates = [c for c in candidates if any(within(c, o) for o in outer)] or candidates
        if not candidates:
            continue
        fitting = [c for c in candidates if fits_unit(c, unit)]
        if candidates and not fitting and name is names[-1] and finding.value is None:
            finding.warnings.append(
                f"文件名“{name}”说的是{'、'.join(c.full for c in candidates)}，正文“{unit_words}”说的却是另一级政府；"
                "没有按文件名定地区。")
            continue
        chosen = _best(fitting or candidates, body)
        if isinstance(chosen, list):
            if name is names[-1] and finding.value is None:
                raise AmbiguousPlace(name, chosen)
            continue
        finding.value = chosen
        finding.evidence = [f"{'文件名' if name is names[-1] else '文件夹'}“{name}”"]
        outer = [chosen]
    if finding.value is not None:
        place = finding.value
        if body_count(place, body):
            finding.evidence.append(f"正文“{quote(place, body)}”")
        if unit_words:
            finding.evidence.append(f"正文“{unit_words}”")
    return finding


def _spelled_place(name: str, unit: str | None, outer: list[Place]) -> Place | None:
    """The one place a pinyin file or folder name spells (yichang, 2024_yichang_gzbg), of the kind
    the report speaks for and inside the folder's place; None when no word spells exactly one."""
    if any("\u4e00" <= c <= "\u9fff" for c in name):
        return None
    for word in latin_words(name):
        places = [p for p in spelled(word) if fits_unit(p, unit) and (not outer or any(within(p, o) for o in outer))]
        if len(places) == 1:
            return places[0]
    return None


def pinyin_candidates(name: str) -> list[Place]:
    """Every place a pinyin file name's words spell (yichang → 宜昌市; taizhou → 台州市, 泰州市), for
    checking the name against the report; [] for a name with Chinese in it or no such word."""
    if any("\u4e00" <= c <= "\u9fff" for c in name):
        return []
    return list(dict.fromkeys(p for word in latin_words(name) for p in spelled(word)))


def pinyin_choices(name: str, unit: str | None) -> list[Place]:
    """The places a pinyin file name spells when it spells several of the speaker's kind (taizhou:
    台州市 and 泰州市), for a refusal to name; [] otherwise."""
    if any("\u4e00" <= c <= "\u9fff" for c in name):
        return []
    for word in latin_words(name):
        places = [p for p in spelled(word) if fits_unit(p, unit)]
        if len(places) > 1:
            return places
    return []


def _best(candidates: list[Place], body: str) -> Place | list[Place]:
    """One candidate, or the ones left tied: the body names a report's own place, and its province
    and prefecture, far more often than a namesake elsewhere."""
    if len(candidates) == 1:
        return candidates[0]
    def score(place: Place) -> int:
        own = body.count(place.name) * 2 + body.count(place.short)
        context = sum(body.count(form) for form in (place.province, place.city) if form and form != place.name)
        province = province_of(place)
        if province is not None and province.short != place.short:
            context += body.count(province.short)
        return own + context

    scores = {p: score(p) for p in candidates}
    top = max(scores.values())
    best = [p for p in candidates if scores[p] == top]
    return best[0] if len(best) == 1 and top > 0 else best


def place_from_body(body: str, unit: str | None, unit_words: str) -> Finding:
    """The place a body speaks of as its own: of the speaker's kind, named most often, clearly ahead."""
    finding = Finding()
    candidates = {p for named in named_in(body[:OPENING_CHARS * 3]) for p in named if fits_unit(p, unit)}
    if unit is not None and unit != "省":
        candidates = {p for p in candidates if p.level != LEVEL_PROVINCE or p.name.endswith("市")}
    counts = sorted(((body_count(p, body), p) for p in candidates), key=lambda cp: (-cp[0], cp[1].adcode))
    if not counts or counts[0][0] < BODY_VOTE_MIN:
        return finding
    if len(counts) > 1 and counts[0][0] < 2 * counts[1][0]:
        return finding
    place = counts[0][1]
    finding.value = place
    finding.evidence = [f"正文“{quote(place, body)}”×{counts[0][0]}"]
    if unit_words:
        finding.evidence.append(f"正文“{unit_words}”")
    return finding


# -- years --------------------------------------------------------------------------------------------

# 刚刚过去的2023年, 即将过去的2023年, 过去的2023年: the year the report looks back on.
_PAST_YEAR_RE = re.compile(r"(?:刚刚|即将)?过去的((?:19|20)\d{2})年")
# 2023年是…, 2023年，是…: a review that opens on its year.
_OPENING_YEAR_RE = re.compile(r"(?:^|[。：:])((?:19|20)\d{2})年[，,]?是")
_NAME_YEAR_RE = re.compile(r"^((?:19|20)\d{2})(?:年)?$")


def year_from_opening(paragraphs: list[str]) -> Finding:
    """The plan year from how the review opens: 刚刚过去的2023年 or 2023年是… → the 2024 report."""
    for text in paragraphs:
        m = _PAST_YEAR_RE.search(text) or _OPENING_YEAR_RE.search(text)
        if m:
            return Finding(int(m.group(1)) + 1, [f"正文“{m.group(0).lstrip('。：:').rstrip('，,是')}”"])
    return Finding()


def year_from_names(names: list[str]) -> Finding:
    """A year a file or folder is named by and nothing else (2019.txt, 2024/宜昌.docx)."""
    for name in reversed(names):
        m = _NAME_YEAR_RE.match(name.strip())
        if m:
            kind = "文件名" if name is names[-1] else "文件夹"
            return Finding(int(m.group(1)), [f"{kind}“{name}”"])
    return Finding()
