"""Cross-county comparison and zero-result suggestions."""

from __future__ import annotations

import pytest

from search.compare import compare

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
    assert all(h["match"] == "near" for h in result["hits"])  # nothing exact (search.near may find some)
    offers = result["suggestions"]
    assert any(s["query"] == suggested and s["total"] > 0 for s in offers), offers
    for s in offers:
        assert engine.search(s["query"], **s["filters"])["total"] == s["total"]


def test_no_suggestions_when_something_was_found(engine):
    assert engine.search("森林覆盖率")["suggestions"] == []
