"""The targets ledger checked against the record: the national series 2010–2025 from the State
Council's reports (tests/fixtures/corpus/national, 2020 missing), and the provinces' 2025 targets
against their 2026 reports, with their amplification over the national 5%左右."""

from __future__ import annotations

import pytest

from search.engine import Engine
from search.errors import UserError
from search.figures.ledger import ledger, parse_years
from search.figures.ledger_rules import judge, target_band

@pytest.fixture(scope="module")
def corpus(corpus_index) -> Engine:
    return Engine(corpus_index)


def rows_by_year(engine, q="地区生产总值", place="全国", **kw) -> dict[int, dict]:
    return {r["year"]: r for r in ledger(engine, q=q, place=[place], **kw)["rows"]}


# year: target low, high, qualifier, result (None: its report is not indexed: 2020's, or not written yet)
NATIONAL_GDP = {
    2010: (8, 8, "左右", 10.3),  # 2010's result is in the 2011 report's plan chapter, after 过去一年
    2011: (8, 8, "左右", 9.2),
    2012: (7.5, 7.5, "none", 7.8),
    2013: (7.5, 7.5, "左右", 7.7),
    2014: (7.5, 7.5, "左右", 7.4),
    2015: (7, 7, "左右", 6.9),
    2016: (6.5, 7, "range", 6.7),  # the 2017 report breaks 74.4 / 万亿元，增长6.7% across lines
    2017: (6.5, 6.5, "左右", 6.9),
    2018: (6.5, 6.5, "左右", 6.6),
    2019: (6, 6.5, "range", None),  # the result is in the 2020 report, which the corpus lacks
    2021: (6, None, "以上", 8.1),
    2022: (5.5, 5.5, "左右", 3),
    2023: (5, 5, "左右", 5.2),
    2024: (5, 5, "左右", 5),
    2025: (5, 5, "左右", None),  # the 2026 report is not written yet
}


@pytest.mark.parametrize("year", sorted(NATIONAL_GDP))
def test_the_national_gdp_series(corpus, year):
    row = rows_by_year(corpus)[year]
    low, high, qualifier, actual = NATIONAL_GDP[year]
    assert (row["target_low"], row["target_high"], row["qualifier"], row["actual"]) == (low, high, qualifier, actual)
    assert row["target_citation"].startswith(f"国务院《政府工作报告》") and f"{year}年" in row["target_citation"]
    if actual is not None:
        assert f"{year + 1}年" in row["actual_citation"] and row["actual_source"] == "review"
        assert row["actual_url"] == f"/p/{row['actual_passage_id']}" != row["target_url"]
    else:
        assert row["met"] is None and row["gap"] is None and not row["actual_citation"]


def test_2020_has_a_result_but_no_target_since_its_report_is_missing(corpus):
    row = rows_by_year(corpus)[2020]
    assert row["actual"] == 2.3 and row["target_low"] is None and not row["no_target"]


@pytest.mark.parametrize("year, strict, tolerance, midpoint", [
    (2014, False, True, False),  # 7.4 against 7.5%左右: the government counted it as met
    (2015, False, True, False),
    (2016, True, True, False),  # 6.7 against 6.5%–7%: reaches the low end, not the midpoint 6.75
    (2021, True, True, True),  # 8.1 against 6%以上
    (2022, False, False, False),  # 3 against 5.5%左右: beyond any tolerance
    (2024, True, True, True),
])
def test_each_rule_gives_its_verdict(corpus, year, strict, tolerance, midpoint):
    verdicts = [rows_by_year(corpus, rule=rule)[year]["met"] for rule in ("strict", "tolerance", "midpoint")]
    assert verdicts == [strict, tolerance, midpoint]
    assert rows_by_year(corpus, rule="midpoint")[2016]["gap"] == pytest.approx(-0.05)


@pytest.mark.parametrize("q, year, target, actual, met", [
    ("居民消费价格", 2014, (3.5, 3.5, "左右"), 2, True),  # a ceiling: 2% is under 3.5%
    ("城镇调查失业率", 2022, (None, 5.5, "以内"), 5.5, True),
    ("城镇新增就业", 2018, (1100, None, "以上"), 1361, True),
    ("单位GDP能耗", 2018, (None, -3, "以上"), -3.1, True),  # a fall of 3% or more: at most −3
    ("粮食产量", 2021, (13000, None, "以上"), 13700, True),  # 1.3万亿斤以上 against 1.37万亿斤, in 亿斤
])
def test_other_indicators_and_ceilings(corpus, q, year, target, actual, met):
    row = rows_by_year(corpus, q=q)[year]
    assert (row["target_low"], row["target_high"], row["qualifier"], row["actual"], row["met"]) == (*target, actual, met)
    assert row["hard"] == (target[2] == "以上")


def test_a_report_that_sets_no_figure_for_an_indicator_earlier_years_had(corpus):
    # 城镇登记失业率 was a target until 2019; the 2021 report sets none (it has 城镇调查失业率).
    rows = rows_by_year(corpus, q="城镇登记失业率")
    assert rows[2019]["target_high"] == 4.5 and not rows[2019]["no_target"]
    assert rows[2021]["no_target"] and rows[2021]["target_low"] is rows[2021]["target_high"] is None


# province: 2025 target (low, high, qualifier), 2026 report's result, amplification over 全国 5%左右
PROVINCES_2025 = {
    "北京": ((5, 5, "左右"), 5.4, 0),
    "江苏": ((5, None, "以上"), 5.3, 0),
    "河南": ((5.5, 5.5, "左右"), 5.6, 0.5),
    "湖北": ((6, 6, "左右"), 5.5, 1),
    "内蒙古": ((6, 6, "左右"), None, 1),  # no 2026 report indexed: an empty result
    "吉林": ((5.5, 5.5, "左右"), None, 0.5),
    "安徽": ((5.5, None, "以上"), None, 0.5),
    "湖南": ((5.5, 5.5, "左右"), None, 0.5),
    "河北": ((5, None, "以上"), None, 0),
    "天津": ((5, 5, "左右"), None, 0),
    "山西": ((5, 5, "左右"), None, 0),
    "江西": ((5, 5, "左右"), None, 0),
}


@pytest.mark.parametrize("place", sorted(PROVINCES_2025))
def test_provinces_2025_targets_results_and_amplification(corpus, place):
    row = rows_by_year(corpus, place=place, year=["2025"])[2025]
    target, actual, amplification = PROVINCES_2025[place]
    assert (row["target_low"], row["target_high"], row["qualifier"], row["actual"]) == (*target, actual)
    assert (row["amplification"], row["amplification_over"]) == (amplification, "全国")
    assert row["level"] == "省级" and row["adcode"].endswith("0000")


def test_filters_by_level_and_years(corpus):
    rows = ledger(corpus, q="GDP", level=["省级"], year=["2025"])["rows"]
    assert {r["place"] for r in rows} == set(PROVINCES_2025) and {r["year"] for r in rows} == {2025}
    assert set(rows_by_year(corpus, year=["2012-2014"])) == {2012, 2013, 2014}


def test_unsure_figures_are_listed_apart_with_the_reason(corpus):
    unsure = ledger(corpus, q="单位GDP能耗", place=["全国"])["unsure"]
    # 十二五's 16% (2011) is a five-year target, not 2011's.
    assert any(u["year"] == 2011 and u["shown"] == "16%" and "几年累计" in u["reason"] for u in unsure)
    assert all(u["citation"] and u["url"].startswith("/p/") for u in unsure)


@pytest.mark.parametrize("kwargs, message", [
    ({"place": ["火星"]}, "没有地区“火星”"),
    ({"q": "幸福指数"}, "没有指标“幸福指数”"),
    ({"rule": "loose"}, "判断规则只能是"),
    ({"year": ["20x5"]}, "年份须是"),
    ({"level": ["乡级"]}, "级别只能是"),
])
def test_bad_filters_say_what_is_wrong_in_chinese(corpus, kwargs, message):
    with pytest.raises(UserError, match=message):
        ledger(corpus, **kwargs)


@pytest.mark.parametrize("values, years", [
    (["2024"], {2024}), (["2010-2012"], {2010, 2011, 2012}), ("2019,2021", {2019, 2021}), ([], set()),
])
def test_parse_years(values, years):
    assert parse_years(values) == years


def fig(text, value, **kw):
    return {"text": text, "value": value, "unit": "%", "start": 0, "end": len(text), **kw}


@pytest.mark.parametrize("text, figure, measure, band", [
    ("5%左右", fig("5%", 5, qualifier="≈"), "growth", (5, 5, "左右", False)),
    ("5%以上", fig("5%", 5, qualifier="≥"), "growth", (5, None, "以上", True)),
    ("确保5%", fig("5%", 5), "growth", (5, 5, "确保", True)),
    ("力争5%", fig("5%", 5), "growth", (5, 5, "力争", False)),
    ("控制在5.5%以内", fig("5.5%", 5.5, qualifier="≤"), "level", (None, 5.5, "以内", False)),
    ("6%-6.5%", fig("6%-6.5%", 6, high=6.5), "growth", (6, 6.5, "range", False)),
    ("能耗下降3.4%以上", fig("3.4%", 3.4, qualifier="≥", change="下降"), "growth", (None, -3.4, "以上", True)),
])
def test_target_band(text, figure, measure, band):
    figure["start"] = text.index(figure["text"])
    figure["end"] = figure["start"] + len(figure["text"])
    got = target_band(text, figure, measure)
    assert (got["target_low"], got["target_high"], got["qualifier"], got["hard"]) == band


def row(low, high, qualifier, actual, direction="higher", bound=""):
    return {"target_low": low, "target_high": high, "qualifier": qualifier, "actual": actual,
            "direction": direction, "actual_bound": bound}


@pytest.mark.parametrize("r, rule, met", [
    (row(7.5, 7.5, "左右", 7.4), "strict", False),
    (row(7.5, 7.5, "左右", 7.0), "tolerance", True),  # exactly 0.5 below
    (row(7.5, 7.5, "none", 7.4), "tolerance", False),  # tolerance is for 左右 only
    (row(3, 3, "左右", 3.4), "tolerance", True),  # a ceiling: 0.5 above still met
    (row(None, -3, "以上", -2.0, "lower", "≤"), "strict", None),  # 降幅超过2%: may or may not reach 3%
    (row(None, -2.5, "左右", -3.0, "lower", "≤"), "strict", True),  # 降幅超过3% against 2.5%左右
    (row(5, 5, "none", None), "strict", None),  # no result yet
    (row(6, 6, "none", 6), "strict", True),  # reaching the target is meeting it
    (row(5, 5, "none", -2), "strict", False),  # a fall misses any rise
    (row(None, 5.5, "以内", 5.8, "lower"), "strict", False),
    (row(63, 63, "none", 64, bound="≥"), "strict", True),  # 预计64以上: whatever it is, it reaches 63
    (row(63, 63, "none", 60, bound="≥"), "strict", None),  # 60以上 may or may not reach 63
    (row(None, 1.5, "以内", 2.5, "lower", "≤"), "strict", None),  # 2.5以内 against 1.5以内
    (row(None, 1.5, "以内", 1.2, "lower", "≤"), "strict", True),
])
def test_judge(r, rule, met):
    assert judge(r, rule)[1] is met


def test_the_cli_prints_the_ledger_and_its_csv(corpus_index):
    from click.testing import CliRunner

    from search.cli import cli

    runner = CliRunner()
    table = runner.invoke(cli, ["targets", "GDP", "--place", "全国", "--year", "2014", "--index", str(corpus_index)])
    assert table.exit_code == 0 and "全国\t2014\t地区生产总值\t目标 7.5%左右\t实绩 7.4%\t未达到" in table.output
    out = runner.invoke(cli, ["targets", "GDP", "--level", "省级", "--year", "2025", "--rule", "tolerance", "--csv",
                              "--base-url", "https://example.org", "--index", str(corpus_index)])
    lines = out.output.lstrip("\ufeff").splitlines()
    assert out.exit_code == 0 and out.output.startswith("\ufeffplace,") and len(lines) == 13
    assert any(line.startswith("湖北,") and ",tolerance,-0.5,TRUE," in line and "https://example.org/p/" in line
               for line in lines)
    bad = runner.invoke(cli, ["targets", "幸福指数", "--index", str(corpus_index)])
    assert bad.exit_code == 1 and "没有指标“幸福指数”" in bad.output
