"""Where the targets ledger takes its results from, and amplification, over small indexes.

- A hand-written index of 湖北's 2024 reports: a 统计公报 as the official result, and amplification
  (层层加码) of a city over its province and a county over its city. 宜昌, 襄阳 and 荆州 each have a 2024
  work report setting a GDP target and a 2025 one reviewing 2024; 宜昌 and 襄阳 also have their 2024
  统计公报. The province and three counties set 2024 targets only.
- Three years of 巫溪's 计划执行情况报告 (tests/fixtures/targets, in the seeds' format): a target against
  the next plan report's result; and the seeds' 计划执行情况 tables, whose rows give both.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli import cli
from search.engine import Engine
from search.figures.ledger import ledger
from search.whoosh_index.indexing import build

from .conftest import write_report
from .web_helpers import parse_html


def work_report(place: str, year: int, congress: str, review: str, goals: str) -> str:
    """A short 政府工作报告 of ``place``, delivered in January of ``year``."""
    return f"""政府工作报告
——{year}年1月10日在{place}{congress}上
各位代表：
现在，我代表{place}人民政府，向大会报告工作，请予审议，并请政协委员和其他列席人员提出意见。
一、{year - 1}年工作回顾
{review}
二、{year}年工作总体要求和主要目标
今年经济社会发展的主要预期目标是：{goals}
三、{year}年重点工作
（一）扩大有效需求。实施亿元以上项目300个，新增规模以上工业企业100家。
"""


def bulletin(place: str, gdp: str, growth: str) -> str:
    """A short 国民经济和社会发展统计公报 for 2024, worded as the statistics bureaus word them."""
    short = place.removesuffix("市")
    return f"""{place}2024年国民经济和社会发展统计公报
{place}统计局
国家统计局{short}调查队
2025年3月28日
2024年，面对外部压力加大、内部困难增多的复杂严峻形势，全市上下坚持稳中求进工作总基调，经济运行总体平稳、稳中有进。
一、综合
初步核算，全年全市地区生产总值{gdp}亿元，按不变价格计算，比上年增长{growth}。其中，第一产业增加值增长3.9%；第二产业增加值增长6.8%；第三产业增加值增长5.9%。
全年居民消费价格比上年上涨0.3%。年末城镇调查失业率为5.1%。
二、工业和建筑业
全年全市规模以上工业增加值比上年增长8.2%。
三、财政和金融
全年一般公共预算收入比上年增长6.5%。
"""


REPORTS = {
    "湖北-2024.txt": work_report("湖北省", 2024, "第十四届人民代表大会第二次会议",
                                 "过去一年，全省地区生产总值增长6%。", "地区生产总值增长5.5%左右。"),
    # 宜昌: the review's 6% and the bulletin's 6.1% differ; 居民消费价格 too (0.4% and 0.3%).
    "宜昌-2024.txt": work_report("宜昌市", 2024, "第八届人民代表大会第四次会议", "过去一年，全市地区生产总值增长6.5%。",
                                 "地区生产总值增长7%左右；居民消费价格涨幅3%左右。"),
    "宜昌-2025.txt": work_report("宜昌市", 2025, "第八届人民代表大会第五次会议",
                                 "过去一年，全市地区生产总值增长6%，居民消费价格上涨0.4%。", "地区生产总值增长6.5%左右。"),
    "宜昌-2024-统计公报.txt": bulletin("宜昌市", "6205.75", "6.1%"),
    # 襄阳: the review gives 预计6.2%, the bulletin the same figure as final.
    "襄阳-2024.txt": work_report("襄阳市", 2024, "第十七届人民代表大会第四次会议", "过去一年，全市地区生产总值增长5.8%。",
                                 "地区生产总值增长6.5%左右。"),
    "襄阳-2025.txt": work_report("襄阳市", 2025, "第十七届人民代表大会第五次会议",
                                 "过去一年，预计全市地区生产总值增长6.2%。", "地区生产总值增长6%左右。"),
    "襄阳-2024-统计公报.txt": bulletin("襄阳市", "6105.40", "6.2%"),
    # 荆州: no bulletin, so the result is the next report's review.
    "荆州-2024.txt": work_report("荆州市", 2024, "第六届人民代表大会第四次会议", "过去一年，全市地区生产总值增长6.3%。",
                                 "地区生产总值增长6.5%以上。"),
    "荆州-2025.txt": work_report("荆州市", 2025, "第六届人民代表大会第五次会议",
                                 "过去一年，全市地区生产总值增长6.4%。", "地区生产总值增长6%以上。"),
    # Counties: 当阳 under 宜昌 (indexed), 钟祥 under 荆门 (not indexed), 仙桃 under the province itself.
    "当阳-2024.txt": work_report("当阳市", 2024, "第十届人民代表大会第四次会议", "过去一年，全市地区生产总值增长7%。",
                                 "地区生产总值增长7.5%左右。"),
    "钟祥-2024.txt": work_report("钟祥市", 2024, "第十届人民代表大会第四次会议", "过去一年，全市地区生产总值增长6.8%。",
                                 "地区生产总值增长7%左右。"),
    "仙桃-2024.txt": work_report("仙桃市", 2024, "第九届人民代表大会第四次会议", "过去一年，全市地区生产总值增长6.5%。",
                                 "地区生产总值增长6%以上。"),
}


@pytest.fixture(scope="module")
def hubei_src(tmp_path_factory):
    src = tmp_path_factory.mktemp("hubei-src")
    for name, text in REPORTS.items():
        write_report(src, name, text)
    return src


@pytest.fixture(scope="module")
def hubei(hubei_src, tmp_path_factory) -> Engine:
    index_dir = tmp_path_factory.mktemp("hubei-index")
    build(hubei_src, index_dir)
    return Engine(index_dir)


def gdp_2024(engine, place: str) -> dict:
    (row,) = ledger(engine, q="GDP", place=[place], year=["2024"])["rows"]
    return row


def test_the_reader_takes_the_bulletin_for_a_statistical_bulletin_of_2024(hubei, hubei_src):
    out = CliRunner().invoke(cli, ["inspect", str(hubei_src / "宜昌-2024-统计公报.txt")])
    assert out.exit_code == 0 and "类型　统计公报" in out.output and "年份　2024" in out.output
    bulletins = [r for r in hubei.reports() if r["type"] == "统计公报"]
    assert {(r["county"], r["year"], r["title"]) for r in bulletins} == {
        ("宜昌", 2024, "2024年国民经济和社会发展统计公报"), ("襄阳", 2024, "2024年国民经济和社会发展统计公报")}


# place: the 2024 target, the result, its source, estimated, met (strict)
GDP_2024 = {
    # The review (January 2025) says 6%, the bulletin (March 2025) 6.1%: the bulletin wins. It is the
    # statistics bureau's figure for the year, published after the review, and what a researcher cites;
    # the two sources disagreeing is no doubt about the figure, so the row is not listed as unsure.
    "宜昌": ((7, 7, "左右"), 6.1, "bulletin", False, False),
    # 预计6.2% in the review; the bulletin's final 6.2% replaces the estimate.
    "襄阳": ((6.5, 6.5, "左右"), 6.2, "bulletin", False, False),
    "荆州": ((6.5, None, "以上"), 6.4, "review", False, False),  # no bulletin: the next report's review
}


@pytest.mark.parametrize("place", sorted(GDP_2024))
def test_a_bulletin_is_the_official_result_over_the_next_reports_review(hubei, place):
    row = gdp_2024(hubei, place)
    target, actual, source, estimated, met = GDP_2024[place]
    assert (row["target_low"], row["target_high"], row["qualifier"]) == target
    assert (row["actual"], row["actual_source"], row["estimated"], row["met"]) == (actual, source, estimated, met)
    # the file's title is the type alone (政府工作报告): place and year are added to it
    assert row["target_citation"] == f"湖北省{place}市《{place}市2024年政府工作报告》，二、2024年工作总体要求和主要目标，2024年"
    passage = hubei.passage(row["actual_passage_id"])
    assert row["actual_url"] == f"/p/{row['actual_passage_id']}" and f"增长{actual:g}%" in passage["text"]
    if source == "bulletin":
        assert row["actual_source_label"] == "统计公报"
        assert row["actual_citation"] == f"湖北省{place}市《2024年国民经济和社会发展统计公报》，一、综合，2024年"
        assert hubei.report(passage["report_id"])["report"]["type"] == "统计公报"
    else:
        assert row["actual_source_label"] == "下一年政府工作报告的回顾"
        assert row["actual_citation"] == f"湖北省{place}市《{place}市2025年政府工作报告》，一、2024年工作回顾，2025年"
    assert not [u for u in ledger(hubei, q="GDP", place=[place], year=["2024"])["unsure"] if u["role"] == "actual"]


@pytest.mark.parametrize("q, actual, passage_says", [
    ("居民消费价格", 0.3, "上涨0.3%"),  # the review said 0.4%
    ("城镇调查失业率", 5.1, "失业率为5.1%"),  # only the bulletin gives it
    ("规上工业增加值", 8.2, "增长8.2%"),
    ("一般公共预算收入", 6.5, "增长6.5%"),
])
def test_every_indicator_the_bulletin_states_is_its_years_result(hubei, q, actual, passage_says):
    (row,) = ledger(hubei, q=q, place=["宜昌"], year=["2024"])["rows"]
    assert (row["actual"], row["actual_source"]) == (actual, "bulletin")
    assert passage_says in hubei.passage(row["actual_passage_id"])["text"]


def test_a_bulletin_sets_no_targets(hubei):
    rows = ledger(hubei, place=["宜昌"], year=["2024"])["rows"]
    assert all(r["target_citation"] == "" or "统计公报" not in r["target_citation"] for r in rows)


# place: its 2024 GDP target's binding end, and the amplification over the place one level up
AMPLIFICATION_2024 = {
    "湖北": (5.5, None, ""),  # no national report indexed: nothing to compare with
    "宜昌": (7, 1.5, "湖北"),  # a city over its province: 7%左右 − 5.5%左右
    "荆州": (6.5, 1, "湖北"),  # 6.5%以上 − 5.5%左右
    "当阳": (7.5, 0.5, "宜昌"),  # a county over its city, not over the province
    "钟祥": (7, None, ""),  # its city 荆门's report is not indexed: none, rather than over the province
    "仙桃": (6, 0.5, "湖北"),  # a county no city stands over (省直管): over the province
}


@pytest.mark.parametrize("place", sorted(AMPLIFICATION_2024))
def test_amplification_over_the_level_above(hubei, place):
    row = gdp_2024(hubei, place)
    target, amplification, over = AMPLIFICATION_2024[place]
    assert row["target_low"] == target
    assert (row["amplification"], row["amplification_over"]) == (amplification, over)


def test_the_api_and_the_permalink_show_the_bulletin(hubei):
    from webui import create_app

    app = create_app({"INDEX_DIR": hubei.index_dir, "TESTING": True, "SECRET_KEY": "test", "RATE_LIMIT": 0})
    client = app.test_client()
    (row,) = client.get("/api/targets", query_string={"place": "宜昌", "q": "GDP", "year": "2024"}).json["rows"]
    assert (row["actual"], row["actual_source"], row["actual_source_label"]) == (6.1, "bulletin", "统计公报")
    page = client.get(row["actual_url"])
    text = parse_html(page.data).find("body").text
    assert page.status_code == 200 and "按不变价格计算，比上年增长6.1%" in text and "统计公报" in text


# -- 计划执行情况报告 and their tables ------------------------------------------------------------------

WUXI = Path(__file__).parent / "fixtures" / "targets"


@pytest.fixture(scope="module")
def wuxi(tmp_path_factory) -> Engine:
    index_dir = tmp_path_factory.mktemp("wuxi-index")
    build(WUXI, index_dir)
    return Engine(index_dir)


def one_row(engine, q: str, place: str, year: int) -> dict:
    (row,) = ledger(engine, q=q, place=[place], year=[str(year)])["rows"]
    return row


@pytest.mark.parametrize("q, year, target, actual, met", [
    ("地区生产总值", 2022, "6.5%左右", "4.2%", False),
    ("地区生产总值", 2023, "6%左右", "6.2%", True),
    ("GDP", 2023, "6%左右", "6.2%", True),  # the synonym finds the same row
    ("一般公共预算收入", 2022, "5%", "5.3%", True),
    ("一般公共预算收入", 2023, "5%", "3.1%", False),
    ("城镇调查失业率", 2023, "5.5%以内", "控制在5.3%", True),  # a ceiling: less is better
    ("居民消费价格", 2022, "3%左右", "1.9%", True),
])
def test_a_plan_reports_target_against_the_next_plan_reports_result(wuxi, q, year, target, actual, met):
    row = one_row(wuxi, q, "巫溪", year)
    assert (row["target_text"], row["actual_text"], row["met"], row["actual_source"]) == (target, actual, met, "plan")
    assert f"《{year - 1}年国民经济和社会发展计划执行情况" in row["target_citation"]
    assert f"《{year}年国民经济和社会发展计划执行情况" in row["actual_citation"]
    assert row["target_passage_id"] != row["actual_passage_id"]
    assert target in wuxi.passage(row["target_passage_id"])["text"]


def test_a_review_saying_deemed_met_is_kept_beside_the_verdict(wuxi):
    # …固定资产投资增速计划目标由10%调整为6%，视为完成: 6% misses 10%以上 under any rule, and the report's word is kept.
    row = one_row(wuxi, "固定资产投资", "巫溪", 2022)
    assert (row["target_text"], row["actual_text"], row["met"], row["deemed_met"]) == ("10%以上", "6%", False, True)
    assert "视为完成" in wuxi.passage(row["deemed_url"].removeprefix("/p/"))["text"] and row["deemed_citation"]


def test_parts_and_five_year_figures_never_make_a_row(wuxi):
    # 完成交通固定资产投资20亿元, 重大项目…完成固定资产投资30亿元, 力争工业投资增长15%, 年均增长5.9%
    shown = {r[k] for r in ledger(wuxi, place=["巫溪"])["rows"] for k in ("target_text", "actual_text")}
    assert shown and not shown & {"15亿元", "20亿元", "30亿元", "15%", "5.9%"}


def test_a_target_whose_result_is_not_indexed_has_an_empty_result(wuxi):
    row = one_row(wuxi, "GDP", "巫溪", 2024)  # 2024's result is in a report not written yet
    assert (row["target_text"], row["actual"], row["met"], row["actual_citation"]) == ("6%左右", None, None, "")


@pytest.mark.parametrize("place, q, target, actual, met", [
    ("酉阳", "地区生产总值", "7%", "2.3%", False),  # 2022年预期目标增幅（%） 7，2022年完成增幅（%） 2.3
    ("酉阳", "固定资产投资", "8%", "11.6%", True),
    ("涪陵", "城镇调查失业率", "≤5.5%", "5%", True),
    ("涪陵", "一般公共预算收入", "4%", "2.6%", False),  # deemed met, below
    # 2022年预期目标增幅（%） 1.5以内，2022年完成增幅（%） 2.5以内: anything up to 2.5 may or may not be.
    ("酉阳", "居民消费价格", "1.5%以内", "2.5%以内", None),
    # 单位GDP能耗降低（%）*：2022年预期目标 3.3，2022年完成情况 预计1.1: a smaller fall than planned.
    ("涪陵", "单位GDP能耗", "3.3%", "预计1.1%", False),
])
def test_a_table_row_gives_the_target_and_the_result(engine, place, q, target, actual, met):
    row = one_row(engine, q, place, 2022)
    assert row["actual_source"] == "table" and row["target_passage_id"] == row["actual_passage_id"]
    assert (row["target_text"], row["actual_text"], row["met"]) == (target, actual, met)


def test_a_table_row_of_falls_is_signed_and_the_report_word_is_kept(engine):
    energy = one_row(engine, "单位GDP能耗", "涪陵", 2022)
    assert (energy["target_high"], energy["actual"], energy["estimated"]) == (-3.3, -1.1, True)
    # 2022年预期目标 4，2022年完成情况 2.6, and elsewhere: …计划目标由4%…调整为增长0.1%…，视为完成。
    revenue = one_row(engine, "一般公共预算收入", "涪陵", 2022)
    assert revenue["deemed_met"] and revenue["met"] is False
