"""The national list of places: the ``Place`` model, short names, and the gazetteer a header is
scanned against (``search/data/divisions.tsv`` plus the ``places_file`` setting's rows).

Split from ``places`` (which reads a header against it); everything here is plain data, loaded once
per process (per places file) in tens of milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .. import settings
from ..errors import UserError

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
