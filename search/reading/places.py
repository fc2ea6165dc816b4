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
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .. import settings
from ..errors import ReportError, UserError

LEVEL_NATIONAL = "国家级"
LEVEL_PROVINCE = "省级"
LEVEL_PREFECTURE = "地级"
LEVEL_COUNTY = "县级"
LEVELS = (LEVEL_NATIONAL, LEVEL_PROVINCE, LEVEL_PREFECTURE, LEVEL_COUNTY)  # least specific first

DIVISIONS_FILE = settings.DATA_DIR / "divisions.tsv"


@dataclass(frozen=True)
class Place:
    name: str  # the official name: 涪陵区, 北京市, 湖北省, 武汉市; 全国 for the national level
    full: str  # unique nationwide, for citations and facets: 重庆市涪陵区, 湖北省武汉市江岸区, 全国
    short: str  # what people type: 涪陵, 北京, 广西, 酉阳, 全国
    level: str  # one of LEVELS
    province: str  # the province's official name, its own for a province ("" for 全国)
    city: str  # the prefecture: its own name for a prefecture, its prefecture's for a county
    #            ("" above prefecture level, and for counties directly under a province: 重庆市涪陵区)
    adcode: str  # six digits (500102); 100000 for 全国; "" for a user-added place given no code


NATIONAL = Place("全国", "全国", "全国", LEVEL_NATIONAL, "", "", "100000")
NATIONAL_FORMS = ("国务院", "全国人大", "全国人民代表大会", "代表国务院", "国务院总理")
# Words only the State Council's own reports use of themselves: they settle a header as 全国 even
# when the text after them names provinces in passing (北京冬奥会, 隆重庆祝).
NATIONAL_DECISIVE = frozenset({"全国人民代表大会", "代表国务院", "国务院总理"})


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


# -- short names -----------------------------------------------------------------------------------

_ETHNIC_GROUPS = sorted(
    "汉 壮 回 满 维吾尔 苗 彝 土家 藏 蒙古 侗 布依 瑶 白 朝鲜 哈尼 黎 哈萨克 傣 畲 傈僳 东乡 仡佬 "
    "拉祜 佤 水 纳西 羌 土 仫佬 锡伯 柯尔克孜 景颇 达斡尔 撒拉 布朗 毛南 塔吉克 普米 阿昌 怒 鄂温克 "
    "京 基诺 德昂 保安 俄罗斯 裕固 乌孜别克 门巴 鄂伦春 独龙 赫哲 高山 珞巴 塔塔尔".split(),
    key=len, reverse=True,
)
_PROVINCE_SUFFIXES = ("特别行政区", "自治区", "省", "市")
_LOCAL_SUFFIXES = ("自治县", "自治旗", "自治州", "新区", "特区", "地区", "县", "区", "市", "旗", "盟")
_SHORT_EXCEPTIONS = {"神农架林区": "神农架"}  # 林区 is a suffix only here (万柏林区 is 万柏林)
# How autonomous places name their peoples: 土家族, 各族, and some multi-character names without 族.
_ETHNIC_ENDINGS = ("各族", *(g + "族" for g in _ETHNIC_GROUPS), *(g for g in _ETHNIC_GROUPS if len(g) > 1))


def short_name(name: str, level: str) -> str:
    """What people call a place: 广西壮族自治区 → 广西, 酉阳土家族苗族自治县 → 酉阳, 津市市 → 津市.

    Never a single character: 忠县 and 城区 stay as they are.
    """
    if name in _SHORT_EXCEPTIONS:
        return _SHORT_EXCEPTIONS[name]
    suffixes = _PROVINCE_SUFFIXES if level == LEVEL_PROVINCE else _LOCAL_SUFFIXES
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            stem = name[: -len(suffix)]
            if "自治" in suffix:
                stem = _strip_ethnic_groups(stem)
            return stem
    return name


def _strip_ethnic_groups(stem: str) -> str:
    """酉阳土家族苗族 → 酉阳, 木垒哈萨克 → 木垒, 龙胜各族 → 龙胜; 东乡族 → 东乡; 内蒙古 stays."""
    changed = True
    while changed:
        changed = False
        for ending in _ETHNIC_ENDINGS:
            if stem.endswith(ending) and len(stem) - len(ending) >= 2:
                stem, changed = stem[: -len(ending)], True
                break
    if stem.endswith("族") and stem[:-1] in _ETHNIC_GROUPS:
        stem = stem[:-1]
    return stem


# -- the list ---------------------------------------------------------------------------------------

# Names that are also everyday words (主城区, 老城区, 市中区域): they count only right after their
# province or prefecture. Names whose stem is one character (城区, 郊区, 矿区, 东区) are added to these.
_WORDLIKE_NAMES = frozenset({"市中区", "城中区", "城关区", "新城区", "老城区", "城东区", "城西区", "城北区"})
_PARTY_BEFORE = ("中共", "中国共产党")
_OPENERS = "在于年上共"  # characters a header writes right before a place: 在忠县, 关于, 2023年, 会议上, 中共
# A province's short name that is really part of a word, told by the character after it.
_NOT_A_PLACE_BEFORE = {"重庆": "祝典贺", "福建": "设"}  # 隆重庆祝, 幸福建设


@dataclass
class _Gazetteer:
    places: list[Place] = field(default_factory=list)
    by_adcode: dict[str, Place] = field(default_factory=dict)
    by_full: dict[str, Place] = field(default_factory=dict)
    by_name: dict[str, list[Place]] = field(default_factory=dict)
    by_alias: dict[str, list[Place]] = field(default_factory=dict)
    by_short: dict[str, list[Place]] = field(default_factory=dict)
    forms: dict[str, list[Place]] = field(default_factory=dict)  # what a header is scanned for
    wordlike: set[str] = field(default_factory=set)
    lengths: dict[str, tuple[int, ...]] = field(default_factory=dict)  # first char → form lengths

    def add(self, place: Place) -> None:
        self.places.append(place)
        if place.adcode:
            self.by_adcode[place.adcode] = place
        self.by_full[place.full] = place
        self.by_name.setdefault(place.name, []).append(place)
        self.by_short.setdefault(place.short, []).append(place)
        if place.level == LEVEL_NATIONAL:
            return  # 全国 is everywhere in reports ("全国各族人民"); NATIONAL_FORMS name the level
        self.forms.setdefault(place.name, []).append(place)
        if place.level == LEVEL_PROVINCE:
            self.forms.setdefault(place.short, []).append(place)
        if place.level == LEVEL_COUNTY and place.short == place.name and place.name.endswith("区"):
            self.wordlike.add(place.name)  # a one-character stem: 城区, 郊区, 矿区, 东区

    def add_alias(self, alias: str, place: Place) -> None:
        self.by_alias.setdefault(alias, []).append(place)
        self.forms.setdefault(alias, []).append(place)

    def finish(self) -> None:
        """Derived forms (酉阳县, 恩施州, 鄂温克旗) where no listed place has that name; scan index."""
        for place in list(self.places):
            for long_suffix, suffix in (("自治县", "县"), ("自治旗", "旗"), ("自治州", "州")):
                derived = place.short + suffix
                if place.name.endswith(long_suffix) and derived not in self.by_name:
                    self.add_alias(derived, place)
        self.wordlike |= _WORDLIKE_NAMES & self.by_name.keys()
        lengths: dict[str, set[int]] = {}
        for form in self.forms:
            lengths.setdefault(form[0], set()).add(len(form))
        self.lengths = {c: tuple(sorted(ls, reverse=True)) for c, ls in lengths.items()}


def _gazetteer() -> _Gazetteer:
    return _load(str(DIVISIONS_FILE), str(settings.get("places_file")))


@lru_cache(maxsize=4)
def _load(divisions_path: str, extra_path: str) -> _Gazetteer:
    gazetteer = _Gazetteer()
    gazetteer.add(NATIONAL)
    for form in NATIONAL_FORMS:
        gazetteer.add_alias(form, NATIONAL)
    for line in Path(divisions_path).read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):  # a generated file: no stray spaces to strip
            adcode, level, name, short, province, city, full = line.split("\t")
            gazetteer.add(Place(name, full, short, level, province, city, adcode))
    _add_extras(gazetteer, Path(extra_path))
    gazetteer.finish()
    return gazetteer


def _rows(path: Path):
    """(line number, tab-separated fields) of a data file, skipping blank lines and # comments."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UserError(f"读不到地名文件 {path}（{exc.strerror}）；检查设置 places_file。") from None
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip() and not line.lstrip().startswith("#"):
            yield number, [f.strip() for f in line.split("\t")]


def _add_extras(gazetteer: _Gazetteer, path: Path) -> None:
    """Rows of the places file: ``NAME PLACE [note]`` names a listed place another way;
    ``NAME PARENT LEVEL [ADCODE]`` adds a place the list lacks (see places_extra.tsv's header)."""
    for number, fields in _rows(path):
        where = f"地名文件 {path} 第{number}行"
        if len(fields) < 2 or not fields[0] or not fields[1]:
            raise UserError(f"{where}：至少要两列（名称、地方），用 Tab 分隔。")
        name, target = fields[0], fields[1]
        listed = gazetteer.by_full.get(target) or gazetteer.by_adcode.get(target)
        if listed is None:
            raise UserError(f"{where}：“{target}”不是名单里的地方；写它的全称（如 重庆市梁平区）或六位代码。")
        if len(fields) >= 3 and fields[2] in (LEVEL_PREFECTURE, LEVEL_COUNTY):
            place = _new_place(name, listed, fields[2], fields[3] if len(fields) > 3 else "", where)
            if place.full in gazetteer.by_full or place.adcode in gazetteer.by_adcode:
                raise UserError(f"{where}：{place.full}（{place.adcode or '无代码'}）已在名单里。")
            gazetteer.add(place)
        elif name in gazetteer.by_name:
            raise UserError(f"{where}：“{name}”已是名单里的地名，不能再指向{listed.full}。")
        else:
            gazetteer.add_alias(name, listed)


def _new_place(name: str, parent: Place, level: str, adcode: str, where: str) -> Place:
    if parent.level not in (LEVEL_PROVINCE, LEVEL_PREFECTURE) or LEVELS.index(level) <= LEVELS.index(parent.level):
        raise UserError(f"{where}：{level}的地方不能隶属于{parent.full}（{parent.level}）。")
    if adcode and not (len(adcode) == 6 and adcode.isdigit()):
        raise UserError(f"{where}：代码“{adcode}”应为六位数字，或留空。")
    if level == LEVEL_PREFECTURE:
        city = name
    else:
        city = parent.name if parent.level == LEVEL_PREFECTURE else ""
    return Place(name, parent.full + name, short_name(name, level), level, parent.province, city, adcode)


def all_places() -> list[Place]:
    """Every place, 全国 first, then by code as the list gives them, then places the user added."""
    return list(_gazetteer().places)


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


def _within(place: Place, outer: Place) -> bool:
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
        _within(c, p) for c in candidates for p in previous.candidates
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
        inside = [c for c in candidates if any(_within(c, o) for o in outers)]
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
