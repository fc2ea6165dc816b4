"""Figures: extraction with value, normalized unit and indicator; years are not figures."""

from __future__ import annotations

import pytest

from search.figures import extract


def simple(text, kind="sentence"):
    return [(f["text"], f["value"], f["unit"], f.get("indicator")) for f in extract(text, kind)]


@pytest.mark.parametrize("text, expected", [
    ("全年实现地区生产总值557.7亿元、增长4.7%。",
     [("557.7亿元", 557.7, "亿元", "地区生产总值"), ("4.7%", 4.7, "%", "地区生产总值")]),  # 增长 inherits
    ("城乡居民人均可支配收入达到27572元、增长11.7%。",
     [("27572元", 27572, "元", "城乡居民人均可支配收入"), ("11.7%", 11.7, "%", "城乡居民人均可支配收入")]),
    ("全年GDP增长5.8%", [("5.8%", 5.8, "%", "GDP")]),
    ("新增市场主体1.4万户", [("1.4万户", 1.4, "万户", "市场主体")]),
    ("空气质量优良天数达326天", [("326天", 326, "天", "空气质量优良天数")]),
    ("占比提高3个百分点", [("3个百分点", 3, "个百分点", "占比")]),
    ("三次产业结构为18.5：14.6：66.9", [("18.5：14.6：66.9", None, "比例", "三次产业结构")]),
    ("总投资1.2万亿元", [("1.2万亿元", 12000, "亿元", "总投资")]),  # normalized to 亿元
    # Years, dates and numbers inside names are not figures.
    ("2022年1月31日召开", []),
    ("新建5G基站，PM2.5浓度下降，G351改建", []),
    ("专栏1：重点项目", []),
])
def test_extract(text, expected):
    assert simple(text) == expected


def test_table_row_values_take_the_unit_and_indicator_from_the_row_name():
    assert simple("数字经济规模（亿元）：2022年预期目标 350，2022年完成情况 400", "row") == [
        ("350", 350, "亿元", "数字经济规模"), ("400", 400, "亿元", "数字经济规模")]
    figures = extract("粮食产量（万吨）*：2022年预期目标 ≥43，2022年完成情况 44.4", "row")
    assert figures[0]["qualifier"] == "≥" and figures[0]["unit"] == "万吨"


def test_hits_carry_figures(engine):
    hit = next(h for h in engine.search("地区生产总值", county=["云阳"], per_page=50)["hits"]
               if "557.7亿元" in h["text"])
    assert {"text": "557.7亿元", "value": 557.7, "unit": "亿元", "indicator": "地区生产总值"}.items() <= \
        next(f for f in hit["figures"] if f["text"] == "557.7亿元").items()


def test_a_stated_figure_ranks_above_a_mention(engine):
    # Both 涪陵 passages name 空气质量优良天数; the ones stating a number of days come first.
    hits = engine.search("空气质量优良天数", county=["涪陵"])["hits"]
    assert hits[0]["figures"] and any(f["unit"] == "天" for f in hits[0]["figures"])
    mentions = [i for i, h in enumerate(hits) if not h["figures"]]
    stated = [i for i, h in enumerate(hits) if h["figures"]]
    assert not mentions or min(mentions) > min(stated)
