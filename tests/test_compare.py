"""Cross-county comparison (only figures the extraction is sure of), indicator queries that rank
the indicator's own figure first, and zero-result suggestions."""

from __future__ import annotations

import pytest

from search.engine import Engine
from search.text.streams import fold
from search.whoosh_index.indexing import build
from search.figures.compare import compare
from search.figures.extraction import figures_for
from search.figures.indicators import mentions_only_as_part

from .conftest import MINI_REPORT, write_report

MAIN_INDICATORS = ["地区生产总值", "一般公共预算收入", "固定资产投资", "社会消费品零售总额",
                   "城乡居民人均可支配收入", "城镇新增就业"]


@pytest.mark.parametrize("indicator", MAIN_INDICATORS)
def test_main_indicators_compare_across_counties(engine, indicator):
    result = compare(engine, indicator)
    counties = {r["county"] for r in result["rows"] if r["figures"]}
    assert len(counties) >= 4, result["missing"]
    for row in result["rows"]:
        if row["figures"]:
            assert all(f["value"] is not None for f in row["figures"])
            assert row["passage"]["county"] == row["county"] and row["passage"]["year"] == row["year"]
    assert set(result["missing"]) | counties == {r["county"] for r in engine.reports()}


def test_gdp_rows_state_the_headline_figures(engine):
    rows = {(r["county"], r["year"]): r for r in compare(engine, "地区生产总值")["rows"]}
    assert [f["text"] for f in rows[("云阳", 2022)]["figures"]] == ["557.7亿元", "4.7%"]
    assert [f["text"] for f in rows[("酉阳", 2022)]["figures"]][:2] == ["231.7亿元", "2.3%"]
    assert "5.8%" in [f["text"] for f in rows[("奉节", 2023)]["figures"]]  # 奉节 writes GDP


@pytest.mark.parametrize("indicator, county, year, shown, wrong", [
    # 财政总收入和一般公共预算收入分别增长12.5%和34.3%
    ("一般公共预算收入", "城口", 2022, ["34.3%"], "12.5%"),
    # 完成交通固定资产投资78亿元 is a part of 固定资产投资
    ("固定资产投资", "云阳", 2023, ["350亿元", "18%"], "78亿元"),
    # 实施县级以上重大项目90个，完成固定资产投资41亿元: the major projects' share
    ("固定资产投资", "城口", 2022, ["9.3%"], "41亿元"),
    ("固定资产投资", "城口", 2023, ["12%"], "48亿元"),
    # 未来五年GDP突破550亿元 is a five-year goal; the year's target is 6.5%
    ("地区生产总值", "奉节", 2024, ["6.5%"], "550亿元"),
    ("GDP", "奉节", 2024, ["6.5%"], "550亿元"),
])
def test_rows_state_the_right_figure_and_never_the_wrong_one(engine, indicator, county, year, shown, wrong):
    rows = [r for r in compare(engine, indicator)["rows"] if (r["county"], r["year"]) == (county, year)]
    figures = [f["text"] for row in rows for f in row["figures"]]
    assert figures == shown and wrong not in figures


def test_values_split_from_chengxiang_are_shown_as_what_they_are_and_not_drawn(engine):
    # 城口 writes 城乡居民人均可支配收入分别增长4%和7.1%: the values are 城镇's and 农村's.
    result = compare(engine, "城乡居民人均可支配收入")
    rows = {(r["county"], r["year"]): r for r in result["rows"]}
    assert [(f["text"], f["indicator"]) for f in rows[("城口", 2022)]["figures"]] == [
        ("4%", "城镇居民人均可支配收入"), ("7.1%", "农村居民人均可支配收入")]
    assert "城口" not in {b["county"] for b in result["chart"]["bars"]}
    # 涪陵's plan says only 全体居民人均可支配收入增长快于经济增长: the passage, without a number.
    fuling = rows[("涪陵", 2023)]
    assert fuling["figures"] == [] and "全体居民人均可支配收入增长快于经济增长" in fuling["passage"]["text"]


def test_a_table_row_is_drawn_with_the_value_its_row_is_about(engine):
    # 森林覆盖率（%）*：2022年预期目标 53，2022年完成情况 52 is a result row: the bar is 52.
    bars = {b["county"]: b["text"] for b in compare(engine, "森林覆盖率")["chart"]["bars"] if b["year"] == 2022}
    assert bars["涪陵"] == "52"


@pytest.mark.parametrize("q", ["GDP", "地区生产总值"])
def test_the_indicators_figure_ranks_before_indicators_that_contain_its_name(engine, q):
    result = engine.search(q, per_page=50)
    needles = [fold(t) for t in [q, *result["also_searched"].get(q, [])]]
    hits = result["hits"]
    stating = [i for i, h in enumerate(hits) if figures_for(h["figures"], needles)]
    parts = [i for i, h in enumerate(hits)
             if all(mentions_only_as_part(h["text"], n) for n in needles if n in fold(h["text"]))]
    # 单位GDP能耗降低, 亿元地区生产总值安全事故死亡人数, 民营经济占GDP比重 come after every GDP figure.
    assert len(stating) >= 8 and parts and max(stating) < min(parts), [hits[i]["text"][:30] for i in parts[:3]]


@pytest.mark.parametrize("county, before, after", [
    ("云阳", "全年完成固定资产投资350亿元", "完成交通固定资产投资78亿元"),
    ("城口", "固定资产投资增长9.3%", "完成固定资产投资41亿元"),
])
def test_a_qualified_indicator_ranks_after_the_indicator(engine, county, before, after):
    texts = [h["text"] for h in engine.search("固定资产投资", county=[county], per_page=20)["hits"]]
    first = next(i for i, t in enumerate(texts) if before in t)
    assert first < next(i for i, t in enumerate(texts) if after in t)


def test_chart_bars_share_a_unit(engine):
    chart = compare(engine, "地区生产总值")["chart"]
    assert chart and len(chart["bars"]) >= 3
    assert chart["max"] == max(b["value"] for b in chart["bars"])


def test_county_without_a_figure_is_listed_as_missing(engine):
    # 城口 reports no 森林覆盖率 at all (only 森林蓄积量).
    assert "城口" in compare(engine, "森林覆盖率")["missing"]


@pytest.mark.parametrize("query, kw, suggested", [
    ("森林覆盖路", {}, "森林覆盖率"),  # a wrong character: did you mean
    ("抽水蓄能电占", {}, "抽水蓄能电站"),
    ("安吉游戏", {"county": ["城口"]}, "安吉游戏"),  # offer the query without its filter
    ("锰污染 安吉游戏", {}, "安吉游戏"),  # without one of its terms
])
def test_zero_results_suggest_a_query_that_finds_something(engine, query, kw, suggested):
    result = engine.search(query, **kw)
    assert all(h["match"] == "near" for h in result["hits"])  # nothing exact (search.query.near may find some)
    offers = result["suggestions"]
    assert any(s["query"] == suggested and s["total"] > 0 for s in offers), offers
    for s in offers:
        # An offer counts the exact matches it would find; the search may add near ones below them.
        found = engine.search(s["query"], **s["filters"], per_page=50)
        assert sum(h["match"] == "exact" for h in found["hits"]) == min(s["total"], 50) <= found["total"]


def test_no_suggestions_when_something_was_found(engine):
    assert engine.search("森林覆盖率")["suggestions"] == []


@pytest.fixture(scope="module")
def threshold_engine(tmp_path_factory) -> Engine:
    """One report whose review states GDP only as a threshold passed, beside a figure 100 times larger."""
    folder = tmp_path_factory.mktemp("threshold")
    (folder / "src").mkdir()
    review = "全年实现地区生产总值100.5亿元、增长4.7%。中华人民共和国成立以来首次突破百亿。"
    assert review in MINI_REPORT
    write_report(folder / "src", "r.txt", MINI_REPORT.replace(review, "全县地区生产总值突破200亿元大关。全县财政收入达到20000亿元。"))
    build(folder / "src", folder / "index")
    return Engine(folder / "index")


def test_compare_shows_no_figure_it_is_not_sure_of(threshold_engine):
    # 突破200亿元大关 says GDP passed 200亿元, not what it was: the row keeps the passage, without a number.
    rows = {(r["county"], r["year"]): r for r in compare(threshold_engine, "地区生产总值")["rows"]}
    assert rows[("巫山", 2022)]["figures"] == [] and "突破200亿元大关" in rows[("巫山", 2022)]["passage"]["text"]
    assert [f["text"] for f in rows[("巫山", 2023)]["figures"]] == ["6%"]  # the plan's target is sure


@pytest.mark.parametrize("q, found", [
    ("200亿", "全县地区生产总值突破200亿元大关。"),  # not 20000亿元, whose digits begin the same
    ("200亿元", "全县地区生产总值突破200亿元大关。"),
    ("20000亿", "全县财政收入达到20000亿元。"),
    ("2万亿", "全县财政收入达到20000亿元。"),  # the same amount, written otherwise
])
def test_a_figure_finds_its_own_amount_only(threshold_engine, q, found):
    assert [h["text"] for h in threshold_engine.search(q)["hits"]] == [found]
