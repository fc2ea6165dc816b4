"""Metadata from every kind of evidence: the header, the body's self-reference, the file and folder
names; weighed in that order, with the evidence kept for ``inspect``."""

from __future__ import annotations

import pytest

from search.errors import ReportError
from search.reading import parse_text


def report_text(speaker: str = "市", body: str = "", review: str = "一、2023年工作回顾",
                plan: str = "二、2024年工作安排") -> str:
    """A work report with no title or date line, starting at 各位代表 as many real files do."""
    return "\n".join([
        "各位代表：",
        f"现在，我代表{speaker}人民政府，向大会报告工作，请予审议。",
        review,
        f"过去一年，{body}经济稳定增长，全{speaker[-1:]}地区生产总值增长5%。全{speaker[-1:]}上下团结奋斗。",
        plan,
        f"今年要抓好以下工作。全{speaker[-1:]}上下要再接再厉。",
    ])


@pytest.mark.parametrize("names, speaker, body, full", [
    # a file named by a short name that two places share: who speaks says which (a city, not the prefecture)
    (["恩施"], "市", "", "湖北省恩施土家族苗族自治州恩施市"),
    # the same name with a prefecture speaking
    (["恩施"], "州", "", "湖北省恩施土家族苗族自治州"),
    # a folder names the province: 朝阳 is then the city in 辽宁, not a district of 北京 or 长春
    (["辽宁", "朝阳"], "市", "", "辽宁省朝阳市"),
    # without a folder, the body names its province often enough to settle 朝阳
    (["朝阳"], "市", "辽宁全面振兴，朝阳加快发展，辽宁沿海经济带建设提速，", "辽宁省朝阳市"),
    # folders down to the place, the file named by year
    (["湖北", "宜昌", "2024"], "市", "宜昌", "湖北省宜昌市"),
    # a county's folder, no name in the text at all
    (["海拉尔区", "2019"], "区", "", "内蒙古自治区呼伦贝尔市海拉尔区"),
    # no name in the file name: the body names its own city, a neighbour once in passing
    (["report"], "市", "九江市经济稳步回升，九江港吞吐量创新高，九江与南昌合作加深，九江", "江西省九江市"),
])
def test_place_from_body_and_names(names, speaker, body, full):
    report = parse_text(report_text(speaker, body), "x.txt", names=names)
    assert report.place == full
    assert report.evidence["place"], "the evidence is kept for inspect"


@pytest.mark.parametrize("names, speaker, full", [
    # a file named in pinyin, as many are
    (["yichang"], "市", "湖北省宜昌市"),
    # pinyin among other words of a file name, ü written v
    (["2024_lvliang_gzbg"], "市", "山西省吕梁市"),
    # a province's folder in pinyin, the file named by year
    (["hubei", "yichang", "2024"], "市", "湖北省宜昌市"),
    # changsha spells 长沙市 and 长沙县: a 县 speaking settles it
    (["changsha"], "县", "湖南省长沙市长沙县"),
])
def test_a_pinyin_file_name_is_evidence_when_it_spells_one_place_of_the_speakers_kind(names, speaker, full):
    report = parse_text(report_text(speaker), "x.txt", names=names)
    assert report.place == full
    assert "拼音" in report.evidence["place"][0]


@pytest.mark.parametrize("names, speaker, named", [
    (["taizhou"], "市", "浙江省台州市"),  # 台州市 and 泰州市: pinyin cannot tell them apart, the refusal names both
    (["changsha"], "区", None),  # no district is spelled changsha
    (["gzbg"], "市", None),  # an abbreviation, no place
])
def test_a_pinyin_name_that_spells_no_one_place_decides_nothing(names, speaker, named):
    with pytest.raises(ReportError, match="看不出是哪个地区") as refused:
        parse_text(report_text(speaker), "x.txt", names=names)
    assert (named in str(refused.value) and "江苏省泰州市" in str(refused.value)) if named else "拼音" not in str(refused.value)


@pytest.mark.parametrize("head, speaker, names, said", [
    # a city's file holding the State Council's report
    ("", "国务院", ["台州"], "国务院"),
    # a city's file holding another province's report, told by its title
    ("2024年北京市政府工作报告\n", "市人民政府", ["宜昌"], "北京市"),
])
def test_a_file_name_naming_another_place_than_the_report_is_refused_naming_both(head, speaker, names, said):
    text = head + report_text().replace("我代表市人民政府", f"我代表{speaker}")
    with pytest.raises(ReportError) as refused:
        parse_text(text, "x.txt", names=names)
    message = str(refused.value)
    assert names[-1] in message and said in message and "--place" in message


@pytest.mark.parametrize("head, speaker, names, place, warned", [
    # the file names a city inside the province whose report it is: a word, not a refusal
    ("2024年湖北省政府工作报告\n", "省人民政府", ["宜昌"], "湖北省", True),
    # the file names the prefecture of the district whose report it is: nothing to say
    ("", "区人民政府", ["黄山"], "安徽省黄山市黄山区", False),
    # in pinyin, the same
    ("2024年湖北省政府工作报告\n", "省人民政府", ["yichang"], "湖北省", True),
    # pinyin words that spell no place say nothing
    ("2024年北京市政府工作报告\n", "市人民政府", ["2024_report_final"], "北京市", False),
    # a pinyin name for another place altogether: a warning, not a refusal (pinyin is lossy:
    # polyphones such as 朝 in 朝阳 are spelled wrong, so a refusal would turn away good files)
    ("2024年北京市政府工作报告\n", "市人民政府", ["yichang"], "北京市", True),
    ("", "国务院", ["2024_yichang_gzbg"], "全国", True),
])
def test_a_file_name_naming_a_related_place_is_not_a_refusal(head, speaker, names, place, warned):
    text = head + report_text().replace("我代表市人民政府", f"我代表{speaker}")
    if place.endswith("黄山区"):
        text = text.replace("过去一年，", "过去一年，黄山区")
    report = parse_text(text, "x.txt", names=names)
    assert report.place == place
    assert any(names[-1] in w for w in report.warnings) is warned


def test_the_user_settles_a_refused_conflict_with_place():
    from search.reading import Overrides

    text = report_text().replace("我代表市人民政府", "我代表国务院")
    report = parse_text(text, "x.txt", names=["台州"], overrides=Overrides(place="全国"))
    assert report.place == "全国"


def test_a_place_the_body_names_in_passing_never_decides():
    # one mention of another district, and nothing else to go on: refused, not guessed
    with pytest.raises(ReportError, match="看不出是哪个地区"):
        parse_text(report_text("区", "与北碚区合作，"), "x.txt", names=["report"])


@pytest.mark.parametrize("review, plan, opening, names, year", [
    # the review chapter's year: the report is of the next year
    ("一、2023年工作回顾", "二、今年工作安排", "", ["宜昌"], 2024),
    # unnumbered chapters found by what they say
    ("2023年工作回顾", "2024年工作安排建议", "", ["宜昌"], 2024),
    # no year in any heading: 刚刚过去的2023年 in the review
    ("一、工作回顾", "二、今年工作安排", "刚刚过去的2023年，", ["宜昌"], 2024),
    # nothing in the text: a file named by its year
    ("一、工作回顾", "二、今年工作安排", "", ["宜昌", "2019"], 2019),
])
def test_year_from_chapters_opening_and_names(review, plan, opening, names, year):
    text = report_text(review=review, plan=plan).replace("过去一年，", f"过去一年，{opening}")
    report = parse_text(text, "x.txt", names=names)
    assert report.year == year
    assert report.evidence["year"]


def test_a_work_report_without_a_title_is_known_by_its_chapters():
    text = report_text().replace("现在，我代表市人民政府，向大会报告工作，请予审议。\n", "")
    report = parse_text(text, "x.txt", names=["宜昌"])
    assert report.type == "政府工作报告"
    assert report.evidence["type"][0].startswith("章节")


@pytest.mark.parametrize("title, rtype, year", [
    # a bulletin's year is the year it accounts for, though published the next
    ("2025年宜昌市国民经济和社会发展统计公报", "统计公报", 2025),
    # final accounts likewise
    ("关于宜昌市2025年市本级决算（草案）的报告", "决算报告", 2025),
    # a budget report beside a 决算 line is still a budget report
    ("关于宜昌市2025年预算执行情况和2026年预算草案的报告", "预算执行情况报告", 2026),
])
def test_new_types(title, rtype, year):
    text = f"{title}\n一、综合\n全年地区生产总值增长5%。全市居民收入增长6%。\n二、农业\n粮食总产量增长。"
    report = parse_text(text, "x.txt")
    assert (report.type, report.year, report.place) == (rtype, year, "湖北省宜昌市")


def test_a_gazette_issue_is_refused_as_not_one_report():
    text = "宜昌市人民政府公报\n2026年第10期\n目录\n政府工作报告\n各位代表：\n现在我代表市人民政府报告工作。"
    with pytest.raises(ReportError, match="政府公报"):
        parse_text(text, "x.txt")
