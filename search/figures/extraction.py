"""Figures in a passage: where they are, their value, their normalized unit, their indicator, and
whether the extraction is sure enough to state the figure as the indicator's.

A figure is a number with its unit (557.7亿元, 1.4万户, 326天, 3个百分点), a percentage (4.7%), a
range (6.5%－7%) or a ratio (18.5：14.6：66.9). Years and dates (2022年, 1月31日) are not figures,
nor are numbers inside names (5G, PM2.5, G351). In a rebuilt table row the unit is in the row name
or the column label, so bare values count. Units are normalized: 1.2万亿元 is 12000 亿元.

Each figure says:

- ``indicator``: what the sentence says the figure measures, as written (交通固定资产投资 is its own
  indicator, not 固定资产投资); ``key``: that name reduced to the indicator it is (全社会固定资产投资
  and 固投 → 固定资产投资, 国内生产总值 and GDP → 地区生产总值; see ``search.figures.indicators``).
- ``paired``: the figure belongs to that indicator without doubt. *a和b分别增长x和y* pairs a with x;
  a list of values after a subject that does not say 分别, or a verb whose subject is the clause
  before (实施重大项目90个，完成固定资产投资41亿元), is not paired.
- ``period``: "year"; "multi-year" for 年均, 五年, “十四五”, the start of 从…增加到… and the like;
  "unknown" for a total in a review of five years and the last one, which may be either.
- ``role``: "target" or "actual", from the column label of a table row, from wording (预期目标,
  力争 → target) and from the report section it comes from (工作回顾 → actual; 目标安排 and 重点任务 →
  target), or None when none of them says.
- ``sure``: paired, one year, a role, and not contradicted by a year the sentence names. Pages that
  state a figure as the indicator's value show only sure figures.

Also ``qualifier`` (≥ ≤ > < ≈) with ``bound``, the word the report uses (以上, 超过, 左右); ``change``
("增长" or "下降"); ``high`` for a range; ``year`` for a year the sentence names; ``split_from`` for a
value of 城乡… split into 城镇… and 农村….
"""

from __future__ import annotations

import re

from ..documents import SECTION_GOALS, SECTION_REVIEW, SECTION_TASKS
from .indicators import indicator_key, noun_phrase

# Raw unit → (normalized unit, multiplier to get the value in that unit). Longest first in the regex.
UNITS = {
    "万亿元": ("亿元", 10000), "亿元": ("亿元", 1), "万元": ("万元", 1), "元": ("元", 1),
    "万亿美元": ("亿美元", 10000), "亿美元": ("亿美元", 1), "万美元": ("万美元", 1), "美元": ("美元", 1),
    "个百分点": ("个百分点", 1), "百分点": ("个百分点", 1), "%": ("%", 1), "％": ("%", 1), "‰": ("‰", 1),
    "亿人次": ("万人次", 10000), "万人次": ("万人次", 1), "人次": ("人次", 1), "亿人": ("万人", 10000),
    "万人": ("万人", 1), "人": ("人", 1),
    "万户": ("万户", 1), "户": ("户", 1), "万亩": ("万亩", 1), "亩": ("亩", 1), "公顷": ("公顷", 1),
    "亿吨": ("万吨", 10000), "万吨": ("万吨", 1), "吨": ("吨", 1), "万亿斤": ("亿斤", 10000), "亿斤": ("亿斤", 1),
    "万斤": ("万斤", 1), "公斤": ("公斤", 1), "平方公里": ("平方公里", 1), "公里": ("公里", 1),
    "千米": ("公里", 1), "万平方米": ("万平方米", 1), "平方米": ("平方米", 1), "万立方米": ("万立方米", 1),
    "立方米": ("立方米", 1), "米": ("米", 1), "天": ("天", 1), "小时": ("小时", 1), "个": ("个", 1),
    "家": ("家", 1), "项": ("项", 1), "所": ("所", 1), "座": ("座", 1), "亿千瓦时": ("亿千瓦时", 1),
    "万千瓦时": ("万千瓦时", 1), "千瓦时": ("千瓦时", 1), "万千瓦": ("万千瓦", 1), "千瓦": ("千瓦", 1),
    "兆瓦": ("兆瓦", 1), "倍": ("倍", 1), "辆": ("辆", 1), "台": ("台", 1), "张": ("张", 1),
    "条": ("条", 1), "处": ("处", 1), "套": ("套", 1), "间": ("间", 1), "床": ("床", 1), "名": ("名", 1),
    "件": ("件", 1), "批": ("批", 1), "栋": ("栋", 1), "只": ("只", 1), "头": ("头", 1), "万头": ("万头", 1),
    "万只": ("万只", 1), "万标箱": ("万标箱", 1), "标箱": ("标箱", 1),
    "万株": ("万株", 1), "株": ("株", 1), "万册": ("万册", 1), "册": ("册", 1),
}
# Units of one quantity, to compare 6.6万元 with 27572元 (see ``base_value``).
_BASE = {"亿元": ("元", 1e8), "万元": ("元", 1e4), "亿美元": ("美元", 1e8), "万美元": ("美元", 1e4),
         "万人次": ("人次", 1e4), "万人": ("人", 1e4), "万户": ("户", 1e4), "万吨": ("吨", 1e4),
         "亿斤": ("斤", 1e8), "万斤": ("斤", 1e4), "万亩": ("亩", 1e4)}

_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
_UNIT_ALT = "|".join(map(re.escape, sorted(UNITS, key=len, reverse=True)))
FIGURE_RE = re.compile(
    rf"(?P<ratio>(?<![0-9A-Za-z.])\d+(?:\.\d+)?(?:[：:∶]\d+(?:\.\d+)?)+)(?![\d年月日时])"
    # A range: 6.5%－7%, 4.5%-5%, 8%至10% (the first unit may be left out: 6-6.5%).
    rf"|(?<![0-9A-Za-z.])(?P<low>{_NUM})(?:{_UNIT_ALT})?\s*[－\-—~～至到]\s*(?P<high>{_NUM})(?P<range_unit>{_UNIT_ALT})"
    rf"|(?<![0-9A-Za-z.])(?P<cmp>[≥≤＞＜>])?(?P<num>{_NUM})\s?(?P<unit>{_UNIT_ALT})"
)
_DIGIT = re.compile(r"\d")  # what every alternative of FIGURE_RE starts its number with
ROW_VALUE_RE = re.compile(r"(?<= )(?P<est>预计)?(?P<cmp>[≥≤＞＜>])?(?P<num>\d+(?:\.\d+)?)(?=，|$|以内|以上|左右)")

# Clause breaks; 、 also separates clauses (557.7亿元、增长4.7%) except inside a list of subjects.
_HARD_BREAK = "，,；;。：:！？（）()“”\n—"
_BREAK = _HARD_BREAK + "、"
_CHANGE_UP = re.compile(r"(?:增长|提高|上涨|上升|增加|涨幅)[^，；。]{0,3}$")
_CHANGE_DOWN = re.compile(r"(?:下降|降低|减少|回落|降幅)[^，；。]{0,3}$")

# Periods: a clause with these speaks of several years, unless a single year is named after them.
_MULTI_YEAR = re.compile(r"年均|[二三四五六七八九十两]+年(?:来|以来|间)|(?:过去|今后|未来|近|这)[一二三四五六七八九十两\d]+年|"
                         r"[十][一二三四五]五|“十[一二三四五]五”|五年|十年|期间|时期|以来|连续[一二三四五六七八九十两\d]+年|"
                         r"翻一番|[从由][^，；。\d]{0,12}\d")
_FROM_TO_END = re.compile(r"(?:增加|提高|提升|上升|下降|降|增|扩大|缩小)(?:到|至)$")
_SINGLE_YEAR = re.compile(r"(?:19|20)\d{2}年(?!以来|来|间|起)|今年|去年|全年|一年来|过去一年|当年")
_EXPLICIT_YEAR = re.compile(r"((?:19|20)\d{2})年(?!以来|来|间|起|[—\-－至到])")
_MULTI_HEADING = re.compile(r"五年|十年|十[一二三四五]五|时期")

# Role: words before a figure that make it a goal, and the list intro of a plan (目标是：…).
_TARGET_WORDS = re.compile(r"预期目标|目标|力争|争取|确保|计划|预期|拟|不少于|不低于")
_GOAL_WORDS = re.compile(r"目标|力争|计划")  # these make a goal even in the review of the year
_TARGET_INTRO = re.compile(r"目标(?:是|为)?[：:]|预期目标")
_PAST_WORDS = re.compile(r"去年|上年|过去|以来|已经|已|回落到|调整为")
_BOUND_AFTER = re.compile(r"^\s*(以上|以内|以下|左右|多)")
_THRESHOLD_AFTER = re.compile(r"^\s*(?:台阶|大关|关口|级)")
_BOUND_BEFORE = re.compile(r"(超过|突破|超|不少于|不低于|不超过|低于|控制在|约|近)[^，；。、]{0,2}$")
_BOUNDS = {"以上": "≥", "多": "≥", "超过": ">", "突破": ">", "超": ">", "不少于": "≥", "不低于": "≥",
           "以内": "≤", "以下": "≤", "不超过": "≤", "低于": "<", "控制在": "≤", "左右": "≈", "约": "≈", "近": "≈",
           "≥": "≥", "≤": "≤", ">": ">", "＞": ">", "＜": "<"}
# A value that is a share of something else, or a rate of completion, is not the indicator's value.
_SHARE = re.compile(r"占|比重|比例|完成率|的$|之比|计划的")
# 完成/实现 whose subject is the clause before (实施重大项目90个，完成固定资产投资41亿元).
_BARE_VERB = re.compile(r"^(?:累计|共)?(?:完成|实现)")
_SUBJECT_BEFORE = re.compile(r"项目|工程")
# 地区生产总值6205.75亿元，按不变价格计算，比上年增长6.1%: a bulletin's aside, no new subject.
_METHOD_ASIDE = re.compile(r"[，,]?按(?:不变|可比)价格?计算")


def base_value(figure: dict) -> tuple[str | None, float | None]:
    """(unit, value) in the smallest unit of the figure's quantity: 6.6万元 → ("元", 66000)."""
    unit, value = figure.get("unit"), figure.get("value")
    if value is None or unit not in _BASE:
        return unit, value
    base, factor = _BASE[unit]
    return base, value * factor


# Words the report puts around a figure, as it puts them: 超过126万亿元, 350亿元以上, 6.5%左右.
_WORDS_BEFORE = ("超过", "突破", "超", "不少于", "不低于", "不超过", "低于", "控制在", "约", "近")


def shown_text(figure: dict) -> str:
    """The figure as the report states it, with its bound and its unit (a table cell's bare 6.5 → 6.5%)."""
    text, bound = figure["text"], figure.get("bound") or ""
    if re.search(r"\d$", text) and figure.get("unit") and figure["unit"] != "比例":
        text += figure["unit"]
    return bound + text if bound in _WORDS_BEFORE else text + bound


def figure_spans(text: str, kind: str = "sentence") -> list[tuple[int, int]]:
    spans = [m.span() for m in FIGURE_RE.finditer(text)]
    if kind == "row":
        spans += [m.span() for m in ROW_VALUE_RE.finditer(text)]
    return sorted(spans)


def extract(text: str, kind: str = "sentence", *, section: str | None = None, year: int | None = None,
            heading: str | None = None) -> list[dict]:
    """Every figure in text: {"text", "start", "end", "value", "unit", "qualifier"?, "indicator"?,
    "key"?, "paired", "period", "role", "sure", ...}. ``section``, ``year`` and ``heading`` are the
    passage's (see ``search.documents``); without a section only the wording gives a role (目标是：…),
    so few figures of a sentence are sure."""
    if kind == "row":
        return _row_figures(text, year)
    if not _DIGIT.search(text):  # every figure has a digit; most sentences have none (3 in 4)
        return []
    figures = [_figure(m, text) for m in FIGURE_RE.finditer(text)]
    _assign_indicators(text, figures)
    multi_heading = bool(heading and _MULTI_HEADING.search(heading.split(" › ")[0]))
    for f in figures:
        before = text[:f["start"]]
        f["period"] = _period(before, f, section, multi_heading)
        f["role"] = _role(text, f, section)
        named = _EXPLICIT_YEAR.findall(before)
        if named:
            f["year"] = int(named[-1])
        f["sure"] = bool(f["paired"] and f.get("key") and f["value"] is not None and f["period"] == "year"
                         and not f.get("threshold")
                         and f["role"] and (year is None or f.get("year", year) == year))
    return figures


def figures_for(figures: list[dict], needles: list[str], *, sure: bool = False) -> list[dict]:
    """The figures that state the indicator one of the needles (query terms, folded) names: the same
    indicator, not one that merely contains it (交通固定资产投资 is not 固定资产投资). A value split
    from 城乡 (城镇 4%, 农村 7.1%) counts for 城乡居民人均可支配收入 too. ``sure``: only sure figures."""
    keys = {indicator_key(n) for n in needles if n}
    return [f for f in figures
            if (f.get("sure") if sure else f.get("paired", True)) and f.get("period", "year") == "year"
            and keys & {indicator_key(f.get("indicator")), indicator_key(f.get("split_from"))} - {""}]


# -- one figure ----------------------------------------------------------------------------------


def _figure(m: re.Match, text: str) -> dict:
    groups = m.groupdict()
    figure = {"text": m.group(), "start": m.start(), "end": m.end()}
    if groups.get("ratio"):
        figure.update(value=None, unit="比例")
        return figure
    raw_unit = groups.get("unit") or groups.get("range_unit")
    unit, factor = UNITS[raw_unit]
    number = groups.get("num") or groups.get("low")
    figure.update(value=_number(number, factor), unit=unit)
    if groups.get("high"):
        figure["high"] = _number(groups["high"], factor)
    after = _BOUND_AFTER.match(text[m.end():])
    before = _BOUND_BEFORE.search(text[max(0, m.start() - 6):m.start()])
    bound = groups.get("cmp") or (after and after.group(1)) or (before and before.group(1))
    if bound:
        figure["qualifier"] = _BOUNDS[bound]
        if bound not in "≥≤＞＜>":
            figure["bound"] = bound  # as the report writes it: 超过126万亿元, 350亿元以上
    if _THRESHOLD_AFTER.match(text[m.end():]):
        figure["threshold"] = True  # 迈上6万亿元台阶, 突破200亿元大关: a milestone, not the value
    return figure


def _number(digits: str, factor: float) -> float | int:
    value = float(digits.replace(",", "")) * factor
    return int(value) if value.is_integer() else round(value, 6)


# -- indicators ----------------------------------------------------------------------------------


def _assign_indicators(text: str, figures: list[dict]) -> None:
    """Give each figure its indicator and say whether the pairing is certain (see the module doc)."""
    last_subjects: list[str] | None = None
    i = 0
    while i < len(figures):
        group = _list_from(text, figures, i)
        lead_start = figures[i - 1]["end"] if i else 0
        lead = text[lead_start:group[0]["start"]]
        if len(group) > 1:
            last_subjects = _pair_list(text, figures, i, group, lead, last_subjects)
        else:
            _single(text, figures, i, lead)
        i += len(group)


def _list_from(text: str, figures: list[dict], i: int) -> list[dict]:
    """Figures i, i+1, … separated only by 、和及与 (12.5%和34.3%; 42.9亿元、33.8亿元、155亿元)."""
    group = [figures[i]]
    for nxt in figures[i + 1:]:
        gap = text[group[-1]["end"]:nxt["start"]]
        if not re.fullmatch(r"\s*(?:以上|左右)?\s*[、和及与]\s*", gap):
            break
        group.append(nxt)
    return group


def _pair_list(text: str, figures: list[dict], i: int, group: list[dict], lead: str,
               last_subjects: list[str] | None) -> list[str] | None:
    """Pair a list of values (figures[i:i+len(group)]) with as many subjects; returns the subjects,
    for a later 同比分别增长… to reuse."""
    n = len(group)
    region = re.split(f"[{re.escape(_HARD_BREAK)}]", lead)[-1]
    before, sep, verb = region.rpartition("分别")
    subjects: list[str] = []
    if sep and not _SHARE.search(verb):
        subjects = _subjects(before)
    elif not sep and not _SHARE.search(region):
        phrase = noun_phrase(region)
        if phrase.startswith("城乡") and n == 2:
            subjects = [phrase]
        elif re.search(r"[和与及、]", phrase):
            subjects = _subjects(region)  # A和B实际增长x和y: 分别 left out
    if len(subjects) == 1 and subjects[0].startswith("城乡") and n == 2:
        whole = subjects[0]
        subjects = ["城镇" + whole[2:], "农村" + whole[2:]]
        for f in group:
            f["split_from"] = whole
    if not subjects and (sep or not noun_phrase(region)) and not _SHARE.search(region):
        # 同比分别增长3.7%、2.6%: the subjects are the list before, or the figures just before.
        if last_subjects and len(last_subjects) == n:
            subjects = last_subjects
        else:
            previous = [f for f in figures[:i] if f.get("paired") and text[f["end"]:group[0]["start"]].count("。") == 0]
            if len(previous) == n and len({f["indicator"] for f in previous}) == n:
                subjects = [f["indicator"] for f in previous]
    if len(subjects) == n:
        for f, subject in zip(group, subjects):
            _set_indicator(f, subject, paired=True)
            _set_change(f, verb if sep else region)
        return subjects
    for f in group:
        f["paired"] = False
        _set_indicator(f, noun_phrase(region) or None, paired=False)
    return last_subjects


def _subjects(before: str) -> list[str]:
    """财政总收入和一般公共预算收入 → both; 城镇、农村居民人均可支配收入 → 城镇…, 农村…."""
    parts = [noun_phrase(p) for p in re.split(r"[、和与及]", noun_phrase(before))]
    if not parts or not all(parts):
        return []
    last = parts[-1]
    return [p + last[len(p):] if len(p) <= 2 and len(last) > len(p) + 2 else p for p in parts[:-1]] + [last]


def _single(text: str, figures: list[dict], i: int, lead: str) -> None:
    f = figures[i]
    clause = re.split(f"[{re.escape(_BREAK)}]", lead)[-1]
    phrase = noun_phrase(clause)
    _set_change(f, clause)
    previous = figures[i - 1] if i else None
    if not phrase or phrase in ("总量", "总额", "规模"):
        gap = _METHOD_ASIDE.sub("", text[previous["end"]:f["start"]]) if previous else ""
        if previous and previous.get("indicator") and len(gap) <= 12 and not re.search(r"[；;。]", gap):
            f["indicator"], f["paired"] = previous["indicator"], previous["paired"]
            for name in ("key", "split_from"):
                if previous.get(name):
                    f[name] = previous[name]
        else:
            f["paired"] = False
        return
    paired = not _SHARE.search(phrase)
    if _BARE_VERB.match(clause.strip()):
        earlier = text[:f["start"] - len(clause)].rstrip(_BREAK)
        clause_before = re.split(f"[{re.escape(_HARD_BREAK)}]", earlier)[-1]
        if _SUBJECT_BEFORE.search(clause_before):
            paired = False
    _set_indicator(f, phrase, paired)


def _set_indicator(f: dict, phrase: str | None, paired: bool) -> None:
    if not phrase or not re.search(r"[\u4e00-\u9fffA-Za-z]", phrase) or len(phrase) > 24:
        f["paired"] = False
        return
    f["indicator"] = phrase
    f["key"] = indicator_key(phrase)
    f["paired"] = paired and 2 <= len(phrase) <= 20


def _set_change(f: dict, verb_text: str) -> None:
    if _CHANGE_DOWN.search(verb_text):
        f["change"] = "下降"
    elif _CHANGE_UP.search(verb_text):
        f["change"] = "增长"


# -- periods and roles ---------------------------------------------------------------------------


def _period(before: str, f: dict, section: str | None, multi_heading: bool) -> str:
    clause = re.split(r"[，,；;。]", before)[-1]
    if _FROM_TO_END.search(clause) and section == SECTION_REVIEW and "年均" not in clause:
        return "year"  # 从54万亿元增加到82.7万亿元: the value reached at the end of the review
    if _MULTI_YEAR.search(clause) or clause.endswith(("从", "由")) or (multi_heading and "累计" in clause):
        return "multi-year"
    last_multi = max((m.end() for m in _MULTI_YEAR.finditer(before)), default=-1)
    last_single = max((m.end() for m in _SINGLE_YEAR.finditer(before)), default=-1)
    if last_multi > last_single:
        return "multi-year"
    if multi_heading and last_single < 0:
        # A review of five years and the last one: a growth rate without 年均 is the year's; a
        # total may be the five years' (城镇新增就业超690万人).
        return "year" if f.get("change") and f["unit"] == "%" else "unknown"
    return "year"


def _role(text: str, f: dict, section: str | None) -> str | None:
    before = text[:f["start"]]
    clause = re.split(r"[，,；;。]", before)[-1]
    stated_goal = _GOAL_WORDS.search(clause) or _TARGET_INTRO.search(before)
    if section == SECTION_REVIEW:
        return "target" if stated_goal else "actual"
    if section in (SECTION_GOALS, SECTION_TASKS):
        return None if _PAST_WORDS.search(clause) else "target"
    # A section of unknown kind (a preamble, an odd heading): 5%左右, 1100万人以上 state goals.
    if stated_goal or _TARGET_WORDS.search(clause) or f.get("bound") in ("左右", "以上", "以内"):
        return "target"
    return None


# -- table rows ----------------------------------------------------------------------------------


def _row_figures(text: str, year: int | None) -> list[dict]:
    name = re.sub(r"[（(][^）)]*[）)]|\*", "", text.split("：", 1)[0]).strip() or None
    matches = sorted([*FIGURE_RE.finditer(text), *ROW_VALUE_RE.finditer(text)], key=lambda m: m.start())
    figures = []
    for m in matches:
        f = _figure(m, text) if m.re is FIGURE_RE else _row_value(m, text)
        # The unit is in the column label just before the value (完成增幅（%） 2.3) or in the row
        # name (数字经济规模（亿元）).
        label = text[:m.start()].rsplit("，", 1)[-1]
        unit_in = re.findall(r"[（(]([^）)]+)[）)]", label) or re.findall(r"[（(]([^）)]+)[）)]", text.split("：", 1)[0])
        if f["unit"] is None and unit_in:
            f["unit"] = UNITS.get(unit_in[-1], (unit_in[-1], 1))[0]
        f["role"] = "target" if re.search(r"目标|计划", label) else "actual" if re.search(r"完成|实际|执行", label) else None
        named = _EXPLICIT_YEAR.findall(label)
        if named:
            f["year"] = int(named[-1])
        f["period"] = "year"
        if name:
            f.update(indicator=name, key=indicator_key(name), paired=True)
        else:
            f["paired"] = False
        f["sure"] = bool(name and f["value"] is not None and f["unit"] and f["role"]
                         and (year is None or f.get("year", year) == year))
        figures.append(f)
    return figures


def _row_value(m: re.Match, text: str) -> dict:
    f = {"text": m.group(), "start": m.start(), "end": m.end(), "value": _number(m.group("num"), 1), "unit": None}
    after = _BOUND_AFTER.match(text[m.end():])
    bound = m.group("cmp") or (after and after.group(1))
    if bound:
        f["qualifier"] = _BOUNDS[bound]
        if not m.group("cmp"):
            f["bound"] = bound
    if m.group("est"):
        f["estimate"] = True
    return f
