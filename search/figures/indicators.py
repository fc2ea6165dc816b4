"""Indicator names: which indicator a phrase names, so that figures written in different ways compare.

Reports name one indicator in many ways: 地区生产总值, 全市地区生产总值, GDP, 国内生产总值 (national),
生产总值; 全社会固定资产投资 and 固投; 居民消费价格指数 and 居民消费价格涨幅. ``indicator_key`` reduces a
name to the indicator it is, using ``data/indicators.txt`` (names and aliases) and the words that never
change an indicator (全社会, 全年, 增速, 扣除留抵退税因素后). A qualifier does change it: 交通固定资产投资,
工业投资, 人均地区生产总值 and 单位GDP能耗 are other indicators, and keep their own key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .. import settings

# Words around an indicator name that do not change which indicator it is.
NEUTRAL_LEADING = re.compile(
    r"^(?:全年|全县|全区|全市|全省|全州|全国|全社会|全体|地方|今年|去年|当年|年末|年底|其中|预计|力争|确保|争取|"
    r"实现|完成|达到|达|为|同比|比上年|分别|主要|共|总计|合计|带动|推动|拉动|保持|继续|努力|全部|把|提出|预期|"
    r"(?:主要)?(?:预期)?目标(?:是|为)|(?:19|20)\d{2}年(?:度)?|刚刚过去的)+")
NEUTRAL_SUFFIX = re.compile(r"(?:增速|增幅|涨幅|总水平涨幅|总水平|增长率|扣除留抵退税因素后|同口径|总量|实际|名义|"
                             r"同比|全年|今年|平均值|平均|预计|预期|年均|降低|下降|减少)+$")
TRAILING = re.compile(r"(?:同比|比上年|分别|累计|年均|平均|预计|力争|确保|争取|实际|名义|增长|下降|提高|降低|减少|增加|"
                       r"上涨|上升|回落到|回落|降到|降至|达到|达|实现|完成|突破|超过|超|为|是|保持在|稳定在|控制在|"
                       r"保持|稳定|提高到|提升至|提升到|升至|增至|增加到|迈上|按|拟|安排|约|近|至|到|在|了|全年|"
                       r"计划|要|从|由|今年|预期|目标|定为|平均值|低于|高于|不超过|不少于|不低于|继续|总体)+$")
_AFTER_NAME = re.compile(f"(?:{TRAILING.pattern[3:-3]}|{NEUTRAL_SUFFIX.pattern[3:-3]})*")


@dataclass(frozen=True)
class LedgerIndicator:
    """An indicator of the targets ledger, as its line in the indicators file declares it."""

    name: str
    unit: str  # the unit the ledger compares in
    measure: str  # growth (a change: a fall is negative) or level (an amount or a rate)
    direction: str  # higher (more is better) or lower (the target is a ceiling)
    synonyms: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def _indicator_table() -> tuple[tuple[str, ...], dict[str, str], tuple[LedgerIndicator, ...]]:
    """(names longest first, alias → the indicator it is, the ledger's indicators) from the file."""
    names, aliases, ledger = set(), {}, {}
    for line in (settings.DATA_DIR / "indicators.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, canonical, *ledger_columns = line.strip().split("\t") + [""]
        ledger_columns = [c for c in ledger_columns if c]
        names.add(name)
        if canonical:
            aliases[name] = canonical
            names.add(canonical)
        if len(ledger_columns) == 3:
            ledger[name] = LedgerIndicator(name, *ledger_columns)
    synonyms = {name: tuple(a for a, c in aliases.items() if c == name) for name in ledger}
    return (tuple(sorted(names, key=len, reverse=True)), aliases,
            tuple(LedgerIndicator(i.name, i.unit, i.measure, i.direction, synonyms[i.name]) for i in ledger.values()))


def ledger_indicators() -> tuple[LedgerIndicator, ...]:
    """The targets ledger's indicators, in the file's order, each with its synonyms."""
    return _indicator_table()[2]


def known_indicators() -> tuple[str, ...]:
    """Indicator names from the indicators file, longest first (地区生产总值 before 生产总值)."""
    return _indicator_table()[0]


@lru_cache(maxsize=16384)  # reranking asks for the same few names of every candidate's figures
def indicator_key(name: str | None) -> str:
    """The indicator a name is: words that do not change it dropped (全社会, 增速), aliases followed
    (国内生产总值 → 地区生产总值). A qualified name stays itself: 交通固定资产投资, 单位GDP能耗."""
    if not name:
        return ""
    _, aliases, _ = _indicator_table()
    name = re.sub(r"[（(][^）)]*[）)]|\*|\s", "", name).upper()
    for _ in range(2):
        name = aliases.get(name, name)
        stripped = NEUTRAL_SUFFIX.sub("", NEUTRAL_LEADING.sub("", name)) or name
        name = aliases.get(stripped, stripped)
    return name


def mentions_only_as_part(text: str, needle: str) -> bool:
    """Whether every mention of the indicator ``needle`` in text is inside another indicator's name
    (单位GDP能耗, 亿元地区生产总值安全事故死亡人数, 民营经济占GDP比重)."""
    folded, needle = text.upper(), needle.upper()
    start = folded.find(needle) if needle else -1
    if start < 0:
        return False
    while start >= 0:  # every mention, not overlapping (as re.finditer finds them)
        if not _qualified_at(folded, start, len(needle)):
            return False
        start = folded.find(needle, start + len(needle))
    return True


_PART_BEFORE = re.compile(r"(?:单位|人均|亿元|万元|占|与|每|海洋|民营经济|城市副中心)(?:地区|国内)?$")
_PART_AFTER = re.compile(r"^(?:能耗|能源|二氧化碳|碳排放|安全|比重|的比重|之比|的比率|用水|水耗|电耗|两万亿|[一二三四五六七八九十百千万]+亿级)")


def _qualified_at(text: str, start: int, length: int) -> bool:
    return bool(_PART_BEFORE.search(text[max(0, start - 8):start]) or _PART_AFTER.match(text[start + length:]))


def noun_phrase(phrase: str) -> str:
    """The noun phrase: verbs of change, hedges and time words around it removed; a known name kept
    whole (全年实现地区生产总值 → 地区生产总值; 经济增长预期目标为 → 经济增长; 完成交通固定资产投资 →
    交通固定资产投资)."""
    phrase = re.sub(r"\s+", "", phrase)
    for name in known_indicators():
        at = phrase.rfind(name)
        if at >= 0 and _AFTER_NAME.fullmatch(phrase[at + len(name):]):
            return NEUTRAL_LEADING.sub("", phrase[:at + len(name)])
    for _ in range(3):
        phrase = NEUTRAL_SUFFIX.sub("", TRAILING.sub("", phrase))
    return NEUTRAL_LEADING.sub("", phrase)
