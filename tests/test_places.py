"""The place model: which government a report's header names, and the national list behind it."""

from __future__ import annotations

import importlib.util
import json

import pytest

from search.errors import ReportError, UserError
from search.reading.places import (
    LEVEL_COUNTY, LEVEL_NATIONAL, LEVEL_PREFECTURE, LEVEL_PROVINCE, AmbiguousPlace, all_places,
    find_place, lookup, short_name,
)
from search.settings import DATA_DIR

from .conftest import ROOT, SEEDS


def full_of(header: str) -> str | None:
    place = find_place(header)
    return place.full if place else None


# -- reading a header -------------------------------------------------------------------------------

@pytest.mark.parametrize("header, full", [
    # a county-level district of a municipality: no prefecture in between
    ("关于重庆市涪陵区2022年国民经济和社会发展计划执行情况的报告", "重庆市涪陵区"),
    # a province by its short name, as titles write it
    ("2025年广西政府工作报告", "广西壮族自治区"),
    ("2025年内蒙古政府工作报告", "内蒙古自治区"),
    ("新疆2025年政府工作报告", "新疆维吾尔自治区"),
    ("2025年内蒙古自治区政府工作报告", "内蒙古自治区"),
    # the national level, from the preamble, the date line or the signature
    ("现在，我代表国务院，向大会报告政府工作", "全国"),
    ("国务院", "全国"),
    ("——2025年3月5日在第十四届全国人民代表大会第三次会议上", "全国"),
    # ... and a province named in passing after it does not make it a provincial report
    ("——2022年3月5日在第十三届全国人民代表大会第五次会议上\n国务院总理　李克强\n北京冬奥会成功举办", "全国"),
    # the most specific place wins
    ("——2024年1月在湖北省武汉市江岸区第十六届人民代表大会第四次会议上", "湖北省武汉市江岸区"),
    ("2025年武汉市政府工作报告\n武汉市人民政府市长", "湖北省武汉市"),
    # a municipality's own report is the province level, not one of its districts
    ("——2026年1月25日在北京市第十六届人民代表大会第四次会议上\n北京市市长 殷勇", "北京市"),
    # a county name written the short way people write autonomous counties
    ("酉阳县人民政府县长", "重庆市酉阳土家族苗族自治县"),
    ("恩施州第八届人民代表大会", "湖北省恩施土家族苗族自治州"),
    # an old name from places_extra.tsv, found without needing today's suffix
    ("2015年梁平县政府工作报告", "重庆市梁平区"),
    ("开县人民政府", "重庆市开州区"),
    # nothing a government could be
    ("政 府 工 作 报 告", None),
])
def test_find_place_names_the_issuing_government(header, full):
    assert full_of(header) == full


@pytest.mark.parametrize("header, full", [
    # the party committee of the province is not the issuer: the other province is
    ("在中共北京市委坚强领导下\n2025年天津市政府工作报告", "天津市"),
    # a district's party committee mentioned in a prefecture's report does not make it a district report
    ("中共江岸区委\n——在武汉市第十五届人民代表大会第四次会议上", "湖北省武汉市"),
    # ... but a committee mention still settles an ambiguous district
    ("在中共北京市委领导下\n2025年朝阳区政府工作报告", "北京市朝阳区"),
    # only a committee named: better than nothing
    ("中共城口县委", "重庆市城口县"),
])
def test_party_committee_mentions_are_context_only(header, full):
    assert full_of(header) == full


@pytest.mark.parametrize("header, full", [
    # settled by the prefecture or province written right before the name
    ("北京市朝阳区人民政府", "北京市朝阳区"),
    ("长春市朝阳区第十八届人民代表大会", "吉林省长春市朝阳区"),
    ("重庆市江北区2023年政府工作报告", "重庆市江北区"),
    ("宁波市江北区2023年政府工作报告", "浙江省宁波市江北区"),
    ("西安市长安区人民政府", "陕西省西安市长安区"),
    ("北京通州区", "北京市通州区"),
    # settled by a place named elsewhere in the same header
    ("2025年和平区政府工作报告\n——在天津市和平区第十八届人民代表大会上", "天津市和平区"),
    ("来源：吉林日报\n2025年朝阳区政府工作报告", "吉林省长春市朝阳区"),
    ("南京市人民政府\n江苏省鼓楼区", "江苏省南京市鼓楼区"),
])
def test_ambiguous_names_are_settled_by_the_places_around_them(header, full):
    assert full_of(header) == full


@pytest.mark.parametrize("header, fulls", [
    ("2025年朝阳区政府工作报告", ["北京市朝阳区", "吉林省长春市朝阳区"]),
    ("在长安区第五届人民代表大会上", ["河北省石家庄市长安区", "陕西省西安市长安区"]),
    # the province narrows four 鼓楼区 to its two, but not to one
    ("江苏省鼓楼区", ["江苏省南京市鼓楼区", "江苏省徐州市鼓楼区"]),
])
def test_an_unsettled_name_is_refused_with_its_candidates(header, fulls):
    with pytest.raises(AmbiguousPlace) as caught:
        find_place(header)
    assert [p.full for p in caught.value.candidates] == fulls
    message = str(caught.value)
    assert "、".join(fulls) in message and "用 --place 指定" in message
    assert isinstance(caught.value, ReportError)


@pytest.mark.parametrize("header, full", [
    ("重庆市主城区", "重庆市"),  # 城区 (a district of 阳泉, 晋城, 汕尾) inside 主城区
    ("阳泉市城区人民政府", "山西省阳泉市城区"),  # ... but right after its prefecture it is one
    ("呼和浩特市新城区", "内蒙古自治区呼和浩特市新城区"),  # not 城区
    ("推进老城区改造", None),  # 老城区 (a district of 洛阳) is also an everyday word
    ("重庆市南岸区域", "重庆市"),  # 南岸区 + 域 is a region
    ("重庆市南岸区人民政府", "重庆市南岸区"),
    ("重庆市江北片区", "重庆市"),  # 江北 without 区 is not the district
    ("天津市河北区", "天津市河北区"),  # not the province 河北
    ("吉林市第十七届人民代表大会", "吉林省吉林市"),  # the prefecture, not the province 吉林
    ("海南藏族自治州人民政府", "青海省海南藏族自治州"),  # not the province 海南
    ("河南蒙古族自治县", "青海省黄南藏族自治州河南蒙古族自治县"),  # not the province 河南
    ("浙江西部", "浙江省"),  # not 江西
    ("隆重庆祝建党100周年", None),  # not 重庆
    ("打造国家级示范县", None),  # not 范县
    ("在市委和县委的坚强领导下", None),  # not 和县
    ("在忠县第十七届人民代表大会", "重庆市忠县"),  # a two-character county after a clear start
    ("2024年忠县政府工作报告", "重庆市忠县"),
])
def test_a_name_inside_a_longer_word_does_not_match(header, full):
    assert full_of(header) == full


def seed_header(path) -> str:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if "各位代表" in line:
            break
        lines.append(line)
    return "\n".join(lines)


@pytest.mark.parametrize("seed, name, short", [
    ("000_d0fe4f7f7cc8ad9c.txt", "云阳县", "云阳"),
    ("001_4030585dcbde8695.txt", "酉阳土家族苗族自治县", "酉阳"),
    ("002_fbb4d7b36528211a.txt", "涪陵区", "涪陵"),
    ("003_acdff93d03fcc2c7.txt", "城口县", "城口"),
    ("004_650584b8d763417a.txt", "奉节县", "奉节"),
])
def test_the_seed_reports_keep_their_places(seed, name, short):
    place = find_place(seed_header(SEEDS / seed))
    assert (place.name, place.short, place.level, place.province, place.city) == (
        name, short, LEVEL_COUNTY, "重庆市", "")


@pytest.mark.parametrize("header, full", [
    # real headers (2025 Word files and 2026 web pages, chrome included), joined as their lines
    ("2025年内蒙古自治区政府工作报告\n——2025年1月14日自治区人民政府主席王莉霞在内蒙古自治区第十四届"
     "人民代表大会第三次会议上的讲话", "内蒙古自治区"),
    ("2025年北京市政府工作报告\n来源：北京日报\n2025年1月14日在北京市第十六届人民代表大会第三次会议上\n"
     "北京市市长 殷勇同志作政府工作报告。", "北京市"),
    ("2025年天津市政府工作报告\n来源：天津人大—天津日报\n2025年1月14日在天津市第十八届人民代表大会"
     "第三次会议上\n天津市市长张工同志作政府工作报告。", "天津市"),
    ("下载\n打印\n全屏\n收藏\n【字号：\n加大\n还原\n减小\n】\n2026年江苏省政府工作报告\n——2026年2月3日"
     "在江苏省第十四届人民代表大会第五次会议上\n来源：新华日报\n时间：2026-02-09\n省长 刘小涛", "江苏省"),
])
def test_real_provincial_headers(header, full):
    place = find_place(header)
    assert (place.full, place.level, place.city) == (full, LEVEL_PROVINCE, "")


# -- the fields of a place --------------------------------------------------------------------------

@pytest.mark.parametrize("query, fields", [
    ("全国", ("全国", "全国", "全国", LEVEL_NATIONAL, "", "", "100000")),
    ("湖北", ("湖北省", "湖北省", "湖北", LEVEL_PROVINCE, "湖北省", "", "420000")),
    ("武汉市", ("武汉市", "湖北省武汉市", "武汉", LEVEL_PREFECTURE, "湖北省", "武汉市", "420100")),
    ("420102", ("江岸区", "湖北省武汉市江岸区", "江岸", LEVEL_COUNTY, "湖北省", "武汉市", "420102")),
    ("仙桃市", ("仙桃市", "湖北省仙桃市", "仙桃", LEVEL_COUNTY, "湖北省", "", "429004")),  # 省直辖
    ("重庆市城口县", ("城口县", "重庆市城口县", "城口", LEVEL_COUNTY, "重庆市", "", "500229")),
])
def test_place_fields(query, fields):
    (place,) = lookup(query)
    assert (place.name, place.full, place.short, place.level, place.province, place.city,
            place.adcode) == fields


@pytest.mark.parametrize("name, level, short", [
    ("广西壮族自治区", LEVEL_PROVINCE, "广西"),
    ("宁夏回族自治区", LEVEL_PROVINCE, "宁夏"),
    ("新疆维吾尔自治区", LEVEL_PROVINCE, "新疆"),
    ("西藏自治区", LEVEL_PROVINCE, "西藏"),
    ("内蒙古自治区", LEVEL_PROVINCE, "内蒙古"),  # not 内: 蒙古 stays when stripping would leave one character
    ("北京市", LEVEL_PROVINCE, "北京"),
    ("香港特别行政区", LEVEL_PROVINCE, "香港"),
    ("恩施土家族苗族自治州", LEVEL_PREFECTURE, "恩施"),
    ("阿拉善盟", LEVEL_PREFECTURE, "阿拉善"),
    ("大兴安岭地区", LEVEL_PREFECTURE, "大兴安岭"),
    ("酉阳土家族苗族自治县", LEVEL_COUNTY, "酉阳"),
    ("木垒哈萨克自治县", LEVEL_COUNTY, "木垒"),  # an ethnic name written without 族
    ("龙胜各族自治县", LEVEL_COUNTY, "龙胜"),
    ("东乡族自治县", LEVEL_COUNTY, "东乡"),  # the place is named after the people
    ("鄂伦春自治旗", LEVEL_COUNTY, "鄂伦春"),
    ("土默特左旗", LEVEL_COUNTY, "土默特左"),
    ("涿州市", LEVEL_COUNTY, "涿州"),
    ("津市市", LEVEL_COUNTY, "津市"),
    ("浦东新区", LEVEL_COUNTY, "浦东"),
    ("清新区", LEVEL_COUNTY, "清新"),  # 新区 would leave one character
    ("万柏林区", LEVEL_COUNTY, "万柏林"),
    ("神农架林区", LEVEL_COUNTY, "神农架"),
    ("六枝特区", LEVEL_COUNTY, "六枝"),
    ("忠县", LEVEL_COUNTY, "忠县"),  # never a one-character short name
    ("城区", LEVEL_COUNTY, "城区"),
])
def test_short_names(name, level, short):
    assert short_name(name, level) == short


@pytest.mark.parametrize("query, fulls", [
    ("涪陵", ["重庆市涪陵区"]),  # short
    ("涪陵区", ["重庆市涪陵区"]),  # official name
    ("500102", ["重庆市涪陵区"]),  # code
    ("酉阳县", ["重庆市酉阳土家族苗族自治县"]),  # the usual written form
    ("梁平县", ["重庆市梁平区"]),  # an old name from places_extra.tsv
    ("国务院", ["全国"]),
    ("河南", ["河南省"]),  # a province's short name means the province, not 河南蒙古族自治县
    ("朝阳区", ["北京市朝阳区", "吉林省长春市朝阳区"]),  # ambiguous: all of them
    ("长春市朝阳区", ["吉林省长春市朝阳区"]),  # a qualified name that is not the full one
    (" 北京 朝阳区 ", ["北京市朝阳区"]),
    ("重庆市涪陵区发改委", []),  # not a place name
    ("", []),
])
def test_lookup(query, fulls):
    assert [p.full for p in lookup(query)] == fulls


# -- the national list ------------------------------------------------------------------------------

def test_the_list_covers_the_whole_country_without_placeholders():
    places = all_places()
    by_level = {level: [p for p in places if p.level == level] for level in
                (LEVEL_NATIONAL, LEVEL_PROVINCE, LEVEL_PREFECTURE, LEVEL_COUNTY)}
    assert [p.full for p in by_level[LEVEL_NATIONAL]] == ["全国"]
    assert len(by_level[LEVEL_PROVINCE]) == 31
    assert len(by_level[LEVEL_PREFECTURE]) > 330 and len(by_level[LEVEL_COUNTY]) > 2800
    assert not [p for p in places if "市辖区" in p.full or "直辖" in p.full or p.name == "县"]
    assert len({p.full for p in places}) == len(places)
    assert all(len(p.adcode) == 6 and p.adcode.isdigit() for p in places)
    assert all(len(p.short) >= 2 for p in places)


def extra_lines():
    text = (DATA_DIR / "places_extra.tsv").read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@pytest.mark.parametrize("fields", extra_lines(), ids=lambda fields: fields[0])
def test_each_shipped_old_name_leads_to_a_listed_place(fields):
    old, target = fields[0], fields[1]
    assert [p.full for p in lookup(old)] == [target]
    assert not [p for p in all_places() if p.name == old]  # an old name is no listed place's name now


# -- the user's places file -------------------------------------------------------------------------

@pytest.fixture
def places_file(tmp_path, monkeypatch):
    path = tmp_path / "places.tsv"
    monkeypatch.setenv("POLICY_SEARCH_PLACES_FILE", str(path))
    return path


def test_a_user_file_adds_old_names_and_new_places(places_file):
    places_file.write_text(
        "# mine\n万县\t重庆市万州区\t1998年改名\n两江新区\t重庆市\t县级\n"
        "雄安新区\t河北省保定市\t县级\t133100\n", encoding="utf-8")
    assert full_of("在万县第十二届人民代表大会") == "重庆市万州区"
    assert full_of("2024年两江新区工作报告") == "重庆市两江新区"
    (xiongan,) = lookup("雄安")
    assert (xiongan.full, xiongan.level, xiongan.province, xiongan.city, xiongan.adcode) == (
        "河北省保定市雄安新区", LEVEL_COUNTY, "河北省", "保定市", "133100")
    assert lookup("梁平县") == []  # the file replaces the shipped one


@pytest.mark.parametrize("line, complaint", [
    ("梁平县\n", "至少要两列"),
    ("梁平县\t重庆市梁平县\n", "不是名单里的地方"),  # the target must be a listed place
    ("涪陵区\t重庆市万州区\n", "已是名单里的地名"),  # an alias may not take over a listed name
    ("某新区\t重庆市涪陵区\t县级\n", "不能隶属于"),  # a county under a county
    ("某新区\t重庆市\t县级\t5001\n", "六位数字"),
    ("涪陵区\t重庆市\t县级\n", "已在名单里"),  # a new place that is not new
])
def test_a_bad_line_in_the_user_file_is_named(places_file, line, complaint):
    places_file.write_text("# mine\n" + line, encoding="utf-8")
    with pytest.raises(UserError, match=f"第2行.*{complaint}"):
        find_place("涪陵区")


def test_a_missing_user_file_says_which_setting(places_file):
    with pytest.raises(UserError, match="places_file"):
        lookup("涪陵")


# -- deriving the list ------------------------------------------------------------------------------

def load_script():
    spec = importlib.util.spec_from_file_location("make_divisions", ROOT / "scripts" / "make_divisions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SOURCE = [
    {"code": "50", "name": "重庆市", "children": [
        {"code": "5001", "name": "市辖区", "children": [{"code": "500102", "name": "涪陵区"}]},
        {"code": "5002", "name": "县", "children": [{"code": "500242", "name": "酉阳土家族苗族自治县"}]},
    ]},
    {"code": "44", "name": "广东省", "children": [
        {"code": "4419", "name": "东莞市", "children": [{"code": "441900003", "name": "东城街道"}]},
        {"code": "4401", "name": "广州市", "children": [
            {"code": "440103", "name": "荔湾区"}, {"code": "440171", "name": "广州经济技术开发区"}]},
    ]},
    {"code": "42", "name": "湖北省", "children": [
        {"code": "4290", "name": "省直辖县级行政区划", "children": [{"code": "429004", "name": "仙桃市"}]},
    ]},
]


def test_the_script_drops_placeholders_towns_and_functional_zones(tmp_path):
    script = load_script()
    source, output = tmp_path / "pca-code.json", tmp_path / "divisions.tsv"
    source.write_text(json.dumps(SOURCE, ensure_ascii=False), encoding="utf-8")
    assert script.main([str(source), "--output", str(output)]) == 0
    rows = [line.split("\t") for line in output.read_text(encoding="utf-8").splitlines()
            if not line.startswith("#")]
    assert [(r[0], r[1], r[3], r[6]) for r in rows] == [
        ("500000", LEVEL_PROVINCE, "重庆", "重庆市"),
        ("500102", LEVEL_COUNTY, "涪陵", "重庆市涪陵区"),
        ("500242", LEVEL_COUNTY, "酉阳", "重庆市酉阳土家族苗族自治县"),
        ("440000", LEVEL_PROVINCE, "广东", "广东省"),
        ("441900", LEVEL_PREFECTURE, "东莞", "广东省东莞市"),
        ("440100", LEVEL_PREFECTURE, "广州", "广东省广州市"),
        ("440103", LEVEL_COUNTY, "荔湾", "广东省广州市荔湾区"),
        ("420000", LEVEL_PROVINCE, "湖北", "湖北省"),
        ("429004", LEVEL_COUNTY, "仙桃", "湖北省仙桃市"),
    ]
