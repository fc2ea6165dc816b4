"""Figures: extraction with value, normalized unit and indicator; which figures are sure; and the
labelled facts of tests/eval/facts.tsv, which extraction must state with precision ≥ 98% and
recall ≥ 90%."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from search.figures.extraction import base_value, extract, figures_for
from search.figures.indicators import indicator_key, mentions_only_as_part

FACTS = Path(__file__).parent / "eval" / "facts.tsv"
REVIEW, GOALS, TASKS = "工作回顾", "目标安排", "重点任务"


def simple(text, kind="sentence"):
    return [(f["text"], f["value"], f["unit"], f.get("indicator")) for f in extract(text, kind)]


def sure(text, indicator, section=REVIEW, year=None, heading=None):
    """(text, role) of the sure figures the sentence states for the indicator."""
    figures = extract(text, section=section, year=year, heading=heading)
    return [(f["text"], f["role"]) for f in figures_for(figures, [indicator], sure=True)]


@pytest.mark.parametrize("text, expected", [
    ("全年实现地区生产总值557.7亿元、增长4.7%。",
     [("557.7亿元", 557.7, "亿元", "地区生产总值"), ("4.7%", 4.7, "%", "地区生产总值")]),  # 增长 inherits
    ("城乡居民人均可支配收入达到27572元、增长11.7%。",
     [("27572元", 27572, "元", "城乡居民人均可支配收入"), ("11.7%", 11.7, "%", "城乡居民人均可支配收入")]),
    ("全年GDP增长5.8%", [("5.8%", 5.8, "%", "GDP")]),
    # A statistical bulletin's aside between the amount and its growth does not break the pair.
    ("全年全市地区生产总值6205.75亿元，按不变价格计算，比上年增长6.1%。",
     [("6205.75亿元", 6205.75, "亿元", "地区生产总值"), ("6.1%", 6.1, "%", "地区生产总值")]),
    ("新增市场主体1.4万户", [("1.4万户", 1.4, "万户", "新增市场主体")]),  # a flow, not the stock
    ("空气质量优良天数达326天", [("326天", 326, "天", "空气质量优良天数")]),
    ("占比提高3个百分点", [("3个百分点", 3, "个百分点", "占比")]),
    ("三次产业结构为18.5：14.6：66.9", [("18.5：14.6：66.9", None, "比例", "三次产业结构")]),
    # Units are normalized: 万亿元 to 亿元, 亿吨 to 万吨, 万亿斤 to 亿斤.
    ("总投资1.2万亿元", [("1.2万亿元", 12000, "亿元", "总投资")]),
    ("粮食产量5.31亿吨", [("5.31亿吨", 53100, "万吨", "粮食产量")]),
    ("粮食产量1.37万亿斤", [("1.37万亿斤", 13700, "亿斤", "粮食产量")]),
    # A range is one figure, valued at its lower end.
    ("国内生产总值增长6.5%－7%", [("6.5%－7%", 6.5, "%", "国内生产总值")]),
    # Years, dates and numbers inside names are not figures.
    ("2022年1月31日召开", []),
    ("新建5G基站，PM2.5浓度下降，G351改建", []),
    ("专栏1：重点项目", []),
])
def test_extract(text, expected):
    assert simple(text) == expected


def test_units_compare_in_their_smallest_unit():
    wan, yuan = extract("城镇居民人均可支配收入6.6万元，农村居民人均可支配收入27572元")
    assert base_value(wan) == ("元", 66000) and base_value(yuan) == ("元", 27572)


@pytest.mark.parametrize("text, indicator, section, expected", [
    # 分别: each indicator with its own value.
    ("财政总收入和一般公共预算收入分别增长12.5%和34.3%。", "一般公共预算收入", REVIEW, [("34.3%", "actual")]),
    ("财政总收入和一般公共预算收入分别增长12.5%和34.3%。", "财政总收入", REVIEW, [("12.5%", "actual")]),
    # 城乡 with two values is 城镇 then 农村, with or without 分别.
    ("城乡居民人均可支配收入分别增长4%和7.1%。", "农村居民人均可支配收入", REVIEW, [("7.1%", "actual")]),
    ("城乡居民人均可支配收入增长5.5%和8%。", "城镇居民人均可支配收入", TASKS, [("5.5%", "target")]),
    ("城镇、农村居民人均可支配收入分别增长4.3%、6.2%。", "城镇居民人均可支配收入", REVIEW, [("4.3%", "actual")]),
    # 同比分别: the subjects of the list before.
    ("全县累计接待游客2122万人次，实现旅游综合收入101亿元，同比分别增长5.8%、19.3%。", "旅游综合收入", REVIEW,
     [("101亿元", "actual"), ("19.3%", "actual")]),
    # A list of values and of subjects that do not match is nobody's.
    ("全年累计接待游客3111万人次，其中过夜游客176万人次、购票游客194万人次，旅游综合收入180亿元，"
     "分别增长16.8%、40.4%、25.1%。", "旅游综合收入", REVIEW, [("180亿元", "actual")]),
    # Completion rates and shares are not the indicator's value.
    ("城镇新增就业、新增发放创业担保贷款分别完成年计划的113.4%、256.1%。", "城镇新增就业", REVIEW, []),
    ("民间投资增速持续高于全社会固定资产投资增速、占比达59%。", "固定资产投资", REVIEW, []),
    # A qualifier makes another indicator.
    ("完成交通固定资产投资78亿元。", "固定资产投资", TASKS, []),
    ("固定资产投资同比增长2.3%，其中工业投资同比增长11%。", "固定资产投资", REVIEW, [("2.3%", "actual")]),
    ("八是单位GDP能耗降低3%。", "GDP", REVIEW, []),
    ("人均地区生产总值达16.7万元。", "地区生产总值", REVIEW, []),
    # 完成 whose subject is the projects of the clause before.
    ("实施县级以上重大项目90个，完成固定资产投资41亿元，建筑业增加值增长19.7%。", "固定资产投资", REVIEW, []),
    ("全年完成固定资产投资350亿元以上、增长18%以上。", "固定资产投资", TASKS, [("350亿元", "target"), ("18%", "target")]),
    # Periods: a five-year or 十四五 figure is not the year's.
    ("全县“十四五”规划纲要明确“十四五”期间地区生产总值平均增长7.5%，县十五届党代会提出，未来五年GDP突破550亿元。",
     "地区生产总值", GOALS, []),
    ("国内生产总值年均增长7.8%，经济总量稳居世界第二位。", "地区生产总值", REVIEW, []),
    ("城镇新增就业连续4年超过90万人。", "城镇新增就业", REVIEW, []),
    # …but the value reached at the end of 从…增加到… is the review year's.
    ("国内生产总值从54万亿元增加到82.7万亿元，年均增长7.1%。", "地区生产总值", REVIEW, [("82.7万亿元", "actual")]),
    # Targets and results: by section, and by wording.
    ("——地区生产总值增长6.5%左右。", "地区生产总值", GOALS, [("6.5%", "target")]),
    ("预计全市地区生产总值增长5.2%左右。", "地区生产总值", REVIEW, [("5.2%", "actual")]),
    ("今年经济增长预期目标定为7.5%左右。", "GDP", GOALS, [("7.5%", "target")]),
    ("去年居民消费价格涨幅回落到2.6%。", "居民消费价格", GOALS, []),  # last year's result in a plan
    ("主要预期目标是：国内生产总值增长5%左右。", "地区生产总值", "其他", [("5%", "target")]),
    ("国内生产总值增长10.3%。", "地区生产总值", "其他", []),  # a section of unknown kind: no role
    # Synonyms of the indicator: every level writes it its own way.
    ("全省生产总值增长5.4%。", "地区生产总值", REVIEW, [("5.4%", "actual")]),
    ("国内生产总值增长5.2%。", "GDP", REVIEW, [("5.2%", "actual")]),
    ("投资、社零、进出口分别同比增长2.3%、0.7%和12%。", "社会消费品零售总额", REVIEW, [("0.7%", "actual")]),
])
def test_sure_figures(text, indicator, section, expected):
    assert sure(text, indicator, section) == expected


@pytest.mark.parametrize("text, year, heading, expected", [
    ("2024年地区生产总值达13.7万亿元。", 2024, None, [("13.7万亿元", "actual")]),
    ("2023年达到13.09万亿元，地区生产总值再上一个台阶。", 2024, None, []),  # another year named
    # A review of five years and the last one: a growth rate is the year's, a total is not sure.
    ("地区生产总值增长5.5%。", 2025, "一、“十四五”时期和2025年工作回顾", [("5.5%", "actual")]),
    ("城镇新增就业141万人。", 2025, "一、“十四五”时期和2025年工作回顾", []),
    ("刚刚过去的2025年，城镇新增就业141万人。", 2025, "一、“十四五”时期和2025年工作回顾", [("141万人", "actual")]),
])
def test_year_and_heading(text, year, heading, expected):
    indicator = "城镇新增就业" if "就业" in text else "地区生产总值"
    assert sure(text, indicator, REVIEW, year, heading) == expected


def test_table_row_values_take_unit_role_and_year_from_the_labels():
    figures = extract("数字经济规模（亿元）：2022年预期目标 350，2022年完成情况 400", "row", year=2022)
    assert [(f["text"], f["value"], f["unit"], f["indicator"], f["role"], f["sure"]) for f in figures] == [
        ("350", 350, "亿元", "数字经济规模", "target", True), ("400", 400, "亿元", "数字经济规模", "actual", True)]
    low, high = extract("粮食产量（万吨）*：2022年预期目标 ≥43，2022年完成情况 44.4", "row")
    assert low["qualifier"] == "≥" and low["unit"] == "万吨" and high["role"] == "actual"
    estimate = extract("全社会研发经费投入强度（%）：2022年预期目标 2.55，2022年完成情况 预计2.25", "row")[1]
    assert estimate["value"] == 2.25 and estimate.get("estimate") and estimate["role"] == "actual"


@pytest.mark.parametrize("row, year, sure", [
    ("数字经济规模（亿元）：2022年完成情况 400", 2022, True),  # the row the others spoil one part of
    ("数字经济规模：2022年完成情况 400", 2022, False),  # no unit, in the row's name or the column's
    ("数字经济规模（亿元）：2022年 400", 2022, False),  # no role: neither 目标 nor 完成 in the column
    ("数字经济规模（亿元）：2021年完成情况 400", 2022, False),  # another year than the report's
    ("（亿元）：2022年完成情况 400", 2022, False),  # no indicator named
])
def test_a_table_row_figure_is_sure_only_with_its_name_unit_role_and_year(row, year, sure):
    assert [f["sure"] for f in extract(row, "row", year=year)] == [sure]


@pytest.mark.parametrize("name, key", [
    ("全社会固定资产投资", "固定资产投资"), ("固投", "固定资产投资"), ("交通固定资产投资", "交通固定资产投资"),
    ("GDP", "地区生产总值"), ("gdp", "地区生产总值"), ("国内生产总值", "地区生产总值"), ("地区生产总值增速（%）", "地区生产总值"),
    ("一般公共预算收入扣除留抵退税因素后", "一般公共预算收入"), ("地方一般公共预算收入", "一般公共预算收入"),
    ("城镇常住居民人均可支配收入", "城镇居民人均可支配收入"), ("单位GDP能耗", "单位GDP能耗"),
])
def test_indicator_key(name, key):
    assert indicator_key(name) == key


@pytest.mark.parametrize("text, needle, only_part", [
    ("八是单位GDP能耗降低。", "GDP", True),
    ("——亿元地区生产总值安全事故死亡人数0.03。", "地区生产总值", True),
    ("民营经济增加值占GDP比重提高到60%以上。", "GDP", True),
    ("——单位地区生产总值能源消耗下降3%。", "生产总值", True),  # the bare form of the synonym group too
    ("全年GDP增长5.8%，单位GDP能耗下降3%。", "GDP", False),  # one mention is the indicator itself
    ("地区生产总值增长6.5%左右。", "地区生产总值", False),
])
def test_mentions_only_as_part(text, needle, only_part):
    assert mentions_only_as_part(text, needle) is only_part


# -- the labelled facts --------------------------------------------------------------------------


def score(facts: list[dict]) -> tuple[float, float, list[str], list[str]]:
    """Precision and recall of the sure figures against the labels, with the wrong and missed ones.
    A sentence and indicator labelled with no value is a negative: any sure figure for it is wrong."""
    groups = defaultdict(list)
    for fact in facts:
        groups[(fact["text"], fact["kind"], fact["section"], fact["year"], fact["heading"], fact["indicator"])].append(fact)
    correct, wrong, missed = 0, [], []
    for (text, kind, section, year, heading, indicator), labels in groups.items():
        expected = [((*base_value(f), f["role"])) for f in labels if f["value"] is not None]
        figures = extract(text, kind, section=section, year=year, heading=heading)
        for figure in figures_for(figures, [indicator], sure=True):
            unit, value = base_value(figure)
            match = next((e for e in expected
                          if e[0] == unit and e[1] == pytest.approx(value) and e[2] == figure["role"]), None)
            if match:
                expected.remove(match)
                correct += 1
            else:
                wrong.append(f"{indicator} {figure['text']} {figure['role']}: {text[:60]}")
        missed += [f"{indicator} {value}{unit} {role}: {text[:60]}" for unit, value, role in expected]
    return correct / (correct + len(wrong)), correct / (correct + len(missed)), wrong, missed


def load_facts(path: Path = FACTS) -> list[dict]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    facts = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    for fact in facts:
        fact["year"] = int(fact["year"])
        fact["value"] = float(fact["value"]) if fact["value"] else None
    return facts


def test_the_labelled_facts_are_stated_with_precision_and_recall():
    facts = load_facts()
    assert len([f for f in facts if f["value"] is not None]) >= 150
    assert {f["source"].split("/")[0] for f in facts} >= {"seeds", "national", "web-2026", "docx-2025"}
    precision, recall, wrong, missed = score(facts)
    assert precision >= 0.98, "wrong figures:\n" + "\n".join(wrong)
    assert recall >= 0.90, "missed facts:\n" + "\n".join(missed)


# -- figures in search results -------------------------------------------------------------------


def test_hits_carry_figures(engine):
    hit = next(h for h in engine.search("地区生产总值", county=["云阳"], per_page=50)["hits"]
               if "557.7亿元" in h["text"])
    assert {"text": "557.7亿元", "value": 557.7, "unit": "亿元", "indicator": "地区生产总值", "role": "actual",
            "sure": True}.items() <= next(f for f in hit["figures"] if f["text"] == "557.7亿元").items()
    # Figures are extracted with their passage's section, year and heading when the index is built.
    hits = engine.search("一般公共预算收入", county=["城口"], year=["2022"])["hits"]
    chengkou = next(h for h in hits if "34.3%" in h["text"])
    assert [(f["text"], f["indicator"]) for f in chengkou["figures"] if f["sure"] and f["unit"] == "%"][2:4] == [
        ("12.5%", "财政总收入"), ("34.3%", "一般公共预算收入")]


def test_a_stated_figure_ranks_above_a_mention(engine):
    # Both 涪陵 passages name 空气质量优良天数; the ones stating a number of days come first.
    hits = engine.search("空气质量优良天数", county=["涪陵"])["hits"]
    assert hits[0]["figures"] and any(f["unit"] == "天" for f in hits[0]["figures"])
    mentions = [i for i, h in enumerate(hits) if not h["figures"]]
    stated = [i for i, h in enumerate(hits) if h["figures"]]
    assert not mentions or min(mentions) > min(stated)
