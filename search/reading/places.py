"""Places: the governments that issue reports, from the State Council down to the counties.

The model has four levels (``Place.level``): 国家级 (全国, the State Council's reports), 省级 (the
31 provinces, autonomous regions and municipalities), 地级 (prefectures: 武汉市, 恩施土家族苗族自治州,
阿拉善盟) and 县级 (counties, districts, county-level cities, banners). Every place has a ``full``
name that is unique nationwide (湖北省武汉市江岸区, 重庆市涪陵区) and a ``short`` name people type
(江岸, 涪陵). The list is ``search/data/divisions.tsv``, derived from the national division codes by
``scripts/make_divisions.py``; the ``places_file`` setting adds old and informal names (梁平县) and
places the list lacks.

How a header names its place (``find_place``):

1. Scan left to right, taking the longest known form at each position, so a name inside a longer
   one never matches on its own (城区 in 新城区). Counties and prefectures are known only with
   their suffix (涪陵区, 武汉市, or 酉阳县 for 酉阳土家族苗族自治县); provinces also by their short
   name (湖北, 广西), except where it is part of a word (隆重庆祝); the national level by 国务院,
   全国人民代表大会 and 全国人大. Names that are also everyday words (城区, 市中区, …) count only
   right after their province or prefecture (阳泉市城区), so 主城区 names nothing; a district
   followed by 域 (南岸区域) is a region, not the district. Two-character names (忠县, 开县) need a
   clear start before them (在忠县, 2023年忠县), not 示范县 or 市委和县委.
2. Mentions inside a party committee's name (中共北京市委, 中共城口县委员会) are context only: they
   help settle an ambiguous name but are not the issuer, unless nothing else is named.
3. A name used in several places (朝阳区 in 北京 and 长春) is settled by the place written right
   before it (长春市朝阳区), else by a prefecture or province named elsewhere in the header.
4. 代表国务院, 国务院总理 or 全国人民代表大会 make it 全国 outright: only the State Council's own
   reports say these of themselves. Otherwise the most specific level wins (江岸区 over 武汉市 over
   湖北省 over 全国); among several places of that level, the one named most often, then the
   first. A name nothing settles raises ``AmbiguousPlace``.

Everything is plain data; loading the list takes tens of milliseconds and happens once per process
(per places file).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..errors import ReportError
from .gazetteer import (  # noqa: F401 - the place model is imported from here by readers and tests
    LEVEL_COUNTY, LEVEL_NATIONAL, LEVEL_PREFECTURE, LEVEL_PROVINCE, LEVELS, NATIONAL, NATIONAL_DECISIVE,
    NATIONAL_FORMS, Place, _Gazetteer, _gazetteer, all_places, short_name,
)


class AmbiguousPlace(ReportError):
    """A name used by several places, and nothing in the header says which one is meant."""

    def __init__(self, name: str, candidates: list[Place]):
        self.name = name
        self.candidates = candidates
        fulls = "、".join(p.full for p in candidates)
        super().__init__(
            f"“{name}”有{len(candidates)}处：{fulls}；报告开头没有写明是哪一处，"
            f"请用 --place 指定（例如 --place {candidates[0].full}）。"
        )


_PARTY_BEFORE = ("中共", "中国共产党")
_OPENERS = "在于年上共"  # characters a header writes right before a place: 在忠县, 关于, 2023年, 会议上, 中共
# A province's short name that is really part of a word, told by the character after it.
_NOT_A_PLACE_BEFORE = {"重庆": "祝典贺", "福建": "设"}  # 隆重庆祝, 幸福建设

# -- reading a header -------------------------------------------------------------------------------


@dataclass
class _Mention:
    start: int
    end: int
    form: str
    candidates: list[Place]
    party: bool = False  # part of a party committee's name (中共北京市委): context only

    @property
    def level(self) -> int:
        return max(LEVELS.index(p.level) for p in self.candidates)


def within(place: Place, outer: Place) -> bool:
    """True when place lies inside outer (湖北省武汉市江岸区 inside 武汉市 and inside 湖北省)."""
    if place == outer:
        return False
    if outer.level == LEVEL_NATIONAL:
        return True
    if outer.level == LEVEL_PROVINCE:
        return place.province == outer.name
    if outer.level == LEVEL_PREFECTURE:
        return place.province == outer.province and place.city == outer.name
    return False


def _scan(text: str, gazetteer: _Gazetteer) -> list[_Mention]:
    """Every place form in text, leftmost-longest, skipping word-like names not after their parent."""
    mentions: list[_Mention] = []
    i, n = 0, len(text)
    while i < n:
        found = None
        for length in gazetteer.lengths.get(text[i], ()):
            form = text[i:i + length]
            candidates = gazetteer.forms.get(form)
            if candidates and _stands_alone(text, i, form, candidates, mentions, gazetteer):
                found = _Mention(i, i + length, form, candidates)
                break
        if found:
            mentions.append(found)
            i = found.end
        else:
            i += 1
    _mark_party_mentions(text, mentions)
    return mentions


def _stands_alone(text, start, form, candidates, before: list[_Mention], gazetteer) -> bool:
    end = start + len(form)
    if text[end:end + 1] and text[end] in _NOT_A_PLACE_BEFORE.get(form, ""):
        return False
    if form.endswith("区") and text[end:end + 1] == "域":
        return False  # 南岸区域, 河北区域: a region, not the district
    previous = before[-1] if before and before[-1].end == start else None
    after_parent = previous is not None and any(
        within(c, p) for c in candidates for p in previous.candidates
    )
    if form in gazetteer.wordlike:
        return after_parent
    if len(form) == 2 and candidates[0].level in (LEVEL_PREFECTURE, LEVEL_COUNTY):
        # 忠县, 开县: a one-character stem needs a clear start (示范县, 贡献县, 市委和县委 are words)
        return after_parent or start == 0 or not _is_cjk(text[start - 1]) or text[start - 1] in _OPENERS
    return True


def _is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff"


def _mark_party_mentions(text: str, mentions: list[_Mention]) -> None:
    """Mentions in 中共…委 (a chain of names written together) only give context."""
    chain: list[_Mention] = []
    for mention in mentions + [None]:
        if mention is not None and chain and chain[-1].end == mention.start:
            chain.append(mention)
            continue
        if chain:
            head, tail = chain[0].start, chain[-1].end
            if text[:head].endswith(_PARTY_BEFORE) or text[tail:tail + 1] == "委":
                for member in chain:
                    member.party = True
        chain = [mention] if mention is not None else []


def _settle(mention: _Mention, mentions: list[_Mention]) -> list[Place]:
    """The candidates of a mention left after what the header names around it."""
    if len(mention.candidates) == 1:
        return mention.candidates
    index = mentions.index(mention)
    previous = mentions[index - 1] if index and mentions[index - 1].end == mention.start else None
    contexts = []
    if previous is not None:
        contexts.append(previous.candidates)
    others = [m.candidates[0] for m in mentions if m is not mention and len(m.candidates) == 1]
    contexts.append([p for p in others if p.level == LEVEL_PREFECTURE])
    contexts.append([p for p in others if p.level == LEVEL_PROVINCE])
    candidates = mention.candidates
    for outers in contexts:
        inside = [c for c in candidates if any(within(c, o) for o in outers)]
        if inside:
            candidates = inside  # 江苏省鼓楼区 leaves 南京's and 徐州's; 南京市 elsewhere settles it
        if len(candidates) == 1:
            break
    return candidates


def find_place(header: str) -> Place | None:
    """The most specific place a report's header names (title, date line, signature), or None.

    Give the header's lines joined with newlines: a line start is a clear start for a name.

    Raises AmbiguousPlace when that place's name is used in several places and nothing in the
    header says which.
    """
    mentions = _scan(header, _gazetteer())
    primary = [m for m in mentions if not m.party] or mentions
    if not primary:
        return None
    if any(m.form in NATIONAL_DECISIVE for m in primary):
        return NATIONAL
    top = max(m.level for m in primary)
    votes: Counter[Place] = Counter()
    first_seen: dict[Place, int] = {}
    unsettled: list[tuple[_Mention, list[Place]]] = []
    for mention in (m for m in primary if m.level == top):
        settled = _settle(mention, mentions)
        if len(settled) == 1:
            votes[settled[0]] += 1
            first_seen.setdefault(settled[0], mention.start)
        else:
            unsettled.append((mention, settled))
    if not votes:
        mention, candidates = unsettled[0]
        raise AmbiguousPlace(mention.form, candidates)
    return max(votes, key=lambda p: (votes[p], -first_seen[p]))


def lookup(name: str) -> list[Place]:
    """The places a user means by name: adcode, full name, official name, another name, short name,
    or a qualified name (长春市朝阳区, 北京朝阳区). Several places when the name is ambiguous; a short
    name that is a province's means the province (河南, not 河南蒙古族自治县); [] when none."""
    text = "".join(name.split())
    gazetteer = _gazetteer()
    exact = gazetteer.by_adcode.get(text) or gazetteer.by_full.get(text)
    if exact:
        return [exact]
    for table in (gazetteer.by_name, gazetteer.by_alias):
        if text in table:
            return list(dict.fromkeys(table[text]))
    if text in gazetteer.by_short:
        matches = gazetteer.by_short[text]
        provinces = [p for p in matches if p.level == LEVEL_PROVINCE]
        return provinces or list(matches)
    mentions = _scan(text, gazetteer)
    covered = bool(mentions) and mentions[0].start == 0 and mentions[-1].end == len(text) and all(
        a.end == b.start for a, b in zip(mentions, mentions[1:])
    )
    return list(_settle(mentions[-1], mentions)) if covered else []


# -- for weighing other evidence (search.reading.evidence, search.reading.metadata) --------------------


def meanings(name: str) -> list[Place]:
    """Every place a bare name may mean, as a file or folder is named: 吉林 is 吉林省 and 吉林市,
    黄山 is 黄山市 and 黄山区 (``lookup``, for what a user types, prefers the province)."""
    text = "".join(name.split())
    gazetteer = _gazetteer()
    for table in (gazetteer.by_full, gazetteer.by_adcode):
        if text in table:
            return [table[text]]
    found = [*gazetteer.by_name.get(text, ()), *gazetteer.by_alias.get(text, ()), *gazetteer.by_short.get(text, ())]
    return list(dict.fromkeys(found))


def named_in(text: str) -> list[list[Place]]:
    """The candidates of each place a text names, left to right, leaving out the names inside a
    party committee's name (中共宜昌市委), which are not the text's own place."""
    return [m.candidates for m in _scan(text, _gazetteer()) if not m.party]


def province_of(place: Place) -> Place | None:
    """The province a place lies in (itself for a province); None for 全国."""
    return _gazetteer().by_full.get(place.province) if place.province else None
