"""Figures in a passage: where they are, their value, their normalized unit and their indicator.

A figure is a number with its unit (557.7亿元, 1.4万户, 326天, 3个百分点), a percentage (4.7%) or a
ratio (18.5：14.6：66.9). Years and dates (2022年, 1月31日) are not figures, nor are numbers inside
names (5G, PM2.5, G351). In a rebuilt table row the unit is in the row name, so bare values count.

The indicator is what the sentence says the figure measures, where it says so: the noun phrase in
front of the figure in the same clause (全年实现地区生产总值557.7亿元 → 地区生产总值); a figure whose
clause holds only a verb (、增长4.7%) belongs to the previous figure's indicator.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import settings

# Raw unit → (normalized unit, multiplier to get the value in that unit). Longest first in the regex.
UNITS = {
    "万亿元": ("亿元", 10000), "亿元": ("亿元", 1), "万元": ("万元", 1), "元": ("元", 1),
    "个百分点": ("个百分点", 1), "百分点": ("个百分点", 1), "%": ("%", 1), "％": ("%", 1), "‰": ("‰", 1),
    "万人次": ("万人次", 1), "人次": ("人次", 1), "万人": ("万人", 1), "人": ("人", 1),
    "万户": ("万户", 1), "户": ("户", 1), "万亩": ("万亩", 1), "亩": ("亩", 1), "公顷": ("公顷", 1),
    "万吨": ("万吨", 1), "吨": ("吨", 1), "平方公里": ("平方公里", 1), "公里": ("公里", 1),
    "千米": ("公里", 1), "万平方米": ("万平方米", 1), "平方米": ("平方米", 1), "万立方米": ("万立方米", 1),
    "立方米": ("立方米", 1), "米": ("米", 1), "天": ("天", 1), "小时": ("小时", 1), "个": ("个", 1),
    "家": ("家", 1), "项": ("项", 1), "所": ("所", 1), "座": ("座", 1), "亿千瓦时": ("亿千瓦时", 1),
    "万千瓦时": ("万千瓦时", 1), "千瓦时": ("千瓦时", 1), "万千瓦": ("万千瓦", 1), "千瓦": ("千瓦", 1),
    "兆瓦": ("兆瓦", 1), "倍": ("倍", 1), "辆": ("辆", 1), "台": ("台", 1), "张": ("张", 1),
    "条": ("条", 1), "处": ("处", 1), "套": ("套", 1), "间": ("间", 1), "床": ("床", 1), "名": ("名", 1),
    "件": ("件", 1), "批": ("批", 1), "栋": ("栋", 1), "只": ("只", 1), "头": ("头", 1), "万头": ("万头", 1),
    "万只": ("万只", 1), "公斤": ("公斤", 1), "万标箱": ("万标箱", 1), "标箱": ("标箱", 1),
    "万株": ("万株", 1), "株": ("株", 1), "万册": ("万册", 1), "册": ("册", 1),
}
_NUMBER = r"(?<![0-9A-Za-z.])(?P<cmp>[≥≤＞＜>])?(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)"
_UNIT_ALT = "|".join(map(re.escape, sorted(UNITS, key=len, reverse=True)))
FIGURE_RE = re.compile(
    rf"(?P<ratio>(?<![0-9A-Za-z.])\d+(?:\.\d+)?(?:[：:]\d+(?:\.\d+)?)+)(?![\d年月日时])"
    rf"|{_NUMBER}(?P<unit>{_UNIT_ALT})"
)
ROW_VALUE_RE = re.compile(r"(?<= )(?P<cmp>[≥≤＞＜>])?(?P<num>\d+(?:\.\d+)?)(?=，|$|以内|以上|左右)")

_CLAUSE_BREAK = re.compile(r"[，,；;。：:！？、（）()“”\s]")
# Words around an indicator that are not part of it: verbs of change, time, hedges.
_LEADING = re.compile(r"^(?:全年|全县|全区|全市|今年|去年|其中|累计|预计|力争|确保|争取|实现|完成|达到|达|为|"
                      r"同比|比上年|分别|年均|新增|新建|建成|改造|开工|共|总计|合计|\d{4}年)+")
_TRAILING = re.compile(r"(?:同比|比上年|分别|累计|年均|预计|力争|增长|下降|提高|降低|减少|增加|达到|达|实现|"
                       r"完成|突破|超过|超|为|保持在|稳定在|控制在|至|到|在)+$")


@lru_cache(maxsize=1)
def known_indicators() -> tuple[str, ...]:
    """Indicator names from the domain dictionary, longest first (地区生产总值 before 生产总值)."""
    path = settings.DATA_DIR / "indicators.txt"
    names = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    return tuple(sorted(set(names), key=len, reverse=True))


def figure_spans(text: str, kind: str = "sentence") -> list[tuple[int, int]]:
    spans = [m.span() for m in FIGURE_RE.finditer(text)]
    if kind == "row":
        spans += [m.span() for m in ROW_VALUE_RE.finditer(text)]
    return sorted(spans)


def _indicator_before(text: str, start: int) -> str | None:
    clause = _CLAUSE_BREAK.split(text[max(0, start - 40):start])[-1]
    phrase = _TRAILING.sub("", clause)
    # A known name counts only where the phrase ends with it (…实现地区生产总值557.7亿元), not where
    # it is merely mentioned earlier in the clause (地区生产总值等5项).
    for name in known_indicators():
        if phrase.endswith(name):
            return name
    phrase = _LEADING.sub("", phrase)
    for name in known_indicators():
        if phrase.startswith(name):  # 一般公共预算收入扣除留抵退税因素后增长2.6%
            return name
    if 2 <= len(phrase) <= 16 and re.fullmatch(r"[\u4e00-\u9fffA-Za-z0-9]+", phrase) and not phrase.isdigit():
        return phrase
    return None


def _row_indicator(text: str) -> str | None:
    name = text.split("：", 1)[0]
    name = re.sub(r"[（(][^）)]*[）)]|\*", "", name).strip()
    return name or None


def extract(text: str, kind: str = "sentence") -> list[dict]:
    """Every figure in text: {"text", "value", "unit", "indicator"?, "start", "end"}."""
    figures = []
    previous = None
    row_name = _row_indicator(text) if kind == "row" else None
    matches = list(FIGURE_RE.finditer(text))
    if kind == "row":
        matches += list(ROW_VALUE_RE.finditer(text))
        matches.sort(key=lambda m: m.start())
    for m in matches:
        figure = {"text": m.group(), "start": m.start(), "end": m.end()}
        groups = m.groupdict()
        if groups.get("ratio"):
            figure.update(value=None, unit="比例")
        else:
            raw_unit = groups.get("unit")
            unit, factor = UNITS.get(raw_unit, (raw_unit, 1)) if raw_unit else (None, 1)
            value = float(groups["num"].replace(",", "")) * factor
            figure.update(value=int(value) if value.is_integer() else round(value, 6), unit=unit)
            if groups.get("cmp"):
                figure["qualifier"] = groups["cmp"]
        if row_name:
            indicator = row_name
            # The unit is in the column label just before the value (完成增幅（%） 2.3) or in the
            # row name (数字经济规模（亿元）).
            label = text[:m.start()].rsplit("，", 1)[-1]
            unit_in = re.findall(r"[（(]([^）)]+)[）)]", label) or re.findall(r"[（(]([^）)]+)[）)]", text.split("：", 1)[0])
            if figure["unit"] is None and unit_in:
                figure["unit"] = UNITS.get(unit_in[-1], (unit_in[-1], 1))[0]
        else:
            indicator = _indicator_before(text, m.start())
            gap = text[previous["end"]:m.start()] if previous else ""
            if indicator is None and previous and len(gap) <= 12 and not re.search(r"[；。]", gap):
                indicator = previous.get("indicator")
        if indicator:
            figure["indicator"] = indicator
        figures.append(figure)
        previous = figure
    return figures


def figures_for(figures: list[dict], needles: list[str]) -> list[dict]:
    """The figures whose indicator is one of the (folded) query terms, or contains one."""
    from .analysis import fold

    out = []
    for figure in figures:
        indicator = fold(figure.get("indicator") or "")
        # 地区生产总值 → 地区生产总值增速 or 全体居民人均可支配收入 ← 居民人均可支配收入, but not
        # 单位GDP能耗降低, which only mentions GDP inside another indicator.
        if indicator and any(n and (indicator.startswith(n) or indicator.endswith(n)) for n in needles):
            out.append(figure)
    return out
