"""Wording that differs from the query (issue 10): marks inside a name, figures written another way.

One small report holds each sentence the issue names; every case searches it and says which
sentence must (or must not) be found.
"""

from __future__ import annotations

import pytest

from search.engine import Engine
from search.whoosh_index.indexing import build
from tests.conftest import write_report

REPORT = """巫溪县2023年国民经济和社会发展计划
执行情况及2024年计划草案的报告
各位代表：
一、2023年国民经济和社会发展计划执行情况
建成全市首座“零碳”供电所，新能源装机规模持续扩大。
大力实施“两岸青山·千里林带”工程，完成营造林10万亩。
全县一、二、三产业增加值分别增长4.1%、6.2%、5.3%。
渝昆高铁（渝宜段）开工建设，城乡交通更加便捷。
统筹推进县城、市场和园区建设，发展态势良好。
加快推进教育、医疗等公共服务均衡发展。
坚持产业发展，园区建设提速增效。
全县地区生产总值突破200亿大关。
完成固定资产投资200亿元，增长8%。
全省地区生产总值达到20000亿元。
外贸进出口总额3万亿元。
全年社会消费品零售总额同比增长了5.5%。
储蓄存款余额1200亿元，增长15.5%。
工业用电量下降5.5%，此前三年连续稳定增长。
三、2024年重点任务
推动发展 5G 基站建设。
"""


@pytest.fixture(scope="module")
def wording_engine(tmp_path_factory) -> Engine:
    source = tmp_path_factory.mktemp("wording-source")
    write_report(source, "巫溪.txt", REPORT)
    index_dir = tmp_path_factory.mktemp("wording-index")
    build(source, index_dir)
    return Engine(index_dir)


def _texts(engine: Engine, q: str) -> list[str]:
    return [h["text"] for h in engine.search(q, per_page=50)["hits"]]


@pytest.mark.parametrize("query, sentence", [
    ("零碳供电所", "零碳”供电所"),  # quotes inside a name
    ("两岸青山千里林带", "两岸青山·千里林带"),  # a middle dot
    ("一二三产业增加值", "一、二、三产业增加值"),  # 、 between single characters
    ("渝昆高铁渝宜段", "渝昆高铁（渝宜段）"),  # brackets
    ("两岸青山·千里林带", "两岸青山·千里林带"),  # the mark typed: still found
    ("两岸青山、千里林带", "两岸青山·千里林带"),  # another mark typed: marks are ignored alike
    ("5G基站建设", "5G 基站建设"),  # spaces inside the text
    ("零碳供电所 新能源", "零碳”供电所"),  # with another term
])
def test_unquoted_term_matches_through_marks(wording_engine, query, sentence):
    assert any(sentence in t for t in _texts(wording_engine, query))


@pytest.mark.parametrize("query", [
    "\"零碳供电所\"",  # quoted phrases stay literal
    "“渝昆高铁渝宜段”",
    "城市",  # two characters are one bigram: 县城、市场 is not 城市
    "教育医疗",  # 、 between words is a list, not a name
    "产业发展园区建设",  # a clause break (，) stops a match
])
def test_no_match_across_what_separates(wording_engine, query):
    assert _texts(wording_engine, query) == []


@pytest.mark.parametrize("query, marked", [
    ("零碳供电所", "零碳”供电所"),
    ("一二三产业增加值", "一、二、三产业增加值"),
    ("渝昆高铁渝宜段", "渝昆高铁（渝宜段"),  # the closing bracket is outside the term
])
def test_the_mark_covers_the_marks_inside(wording_engine, query, marked):
    hit = wording_engine.search(query)["hits"][0]
    assert f'<mark class="term">{marked}</mark>' in hit["html"]


def test_evaluator_agrees_with_whoosh_through_marks(wording_engine):
    """Same matches and scores, but for the 1 that Whoosh's Not adds (see whoosh_query._unquoted_query)."""
    from search.query.parse import parse
    from search.whoosh_index.whoosh_query import to_whoosh

    gen = wording_engine.generation()
    for q in ("零碳供电所", "一二三产业增加值", "两岸青山千里林带 OR 渝昆高铁渝宜段"):
        parsed = parse(q)
        expected = {h.docnum: h.score for h in gen.searcher().search(to_whoosh(parsed, gen.evaluator.has_word), limit=None)}
        scored = gen.evaluator.query(parsed)
        got = dict(zip(scored.docs.tolist(), scored.scores.tolist()))
        assert got.keys() == expected.keys() and expected
        assert all(got[d] == pytest.approx(s - 1, rel=1e-6) for d, s in expected.items())


@pytest.mark.parametrize("query, sentence", [
    ("200亿", "突破200亿大关"),  # a scale without a unit: whatever follows it
    ("200亿", "投资200亿元"),
    ("突破200亿", "突破200亿大关"),  # words in front of the figure
    ("2万亿元", "20000亿元"),  # the same amount in another scale
    ("30000亿元", "3万亿元"),
    ("增长5.5%", "同比增长了5.5%"),  # the figure a few tokens after the words
    ("5.5%", "同比增长了5.5%"),
])
def test_figure_terms_match_other_writings(wording_engine, query, sentence):
    assert any(sentence in t for t in _texts(wording_engine, query))


@pytest.mark.parametrize("query, sentence", [
    ("200亿", "1200亿元"),  # a number is a whole token
    ("5.5%", "15.5%"),
    ("增长5.5%", "下降5.5%"),  # 增长 stands after the figure, not before it
    ("\"200亿\"", "突破200亿大关"),  # quoted: literal, and 200亿大 is not 200亿 then a unit
])
def test_figure_terms_stay_precise(wording_engine, query, sentence):
    assert not any(sentence in t for t in _texts(wording_engine, query))


def test_figure_written_another_way_is_marked(wording_engine):
    hit = wording_engine.search("2万亿元")["hits"][0]
    assert '<mark class="term figure">20000亿元</mark>' in hit["html"]


# -- near matches ---------------------------------------------------------------------------------

NEAR_REPORT = """奉节县2024年国民经济和社会发展计划
执行情况及2025年计划草案的报告
一、2024年国民经济和社会发展计划执行情况
全县城镇新就业10727人。
积极开展戏沙湖抽水蓄能前期工作。
全社会研发经费投入强度达到3.25%。
城镇新增就业1.2万人，超额完成目标。
云阳抽水蓄能电站开工建设。
全县居民收入稳步增长。
推进乡村全面振兴。
全市生产总值增长5%。
规上工业实现利润8亿元。
规上工业增加值增长8%。
"""


@pytest.fixture(scope="module")
def near_engine(tmp_path_factory) -> Engine:
    source = tmp_path_factory.mktemp("near-source")
    write_report(source, "奉节.txt", NEAR_REPORT)
    index_dir = tmp_path_factory.mktemp("near-index")
    build(source, index_dir)
    return Engine(index_dir)


def _matches(engine: Engine, q: str) -> list[tuple[str, str]]:
    return [(h["match"], h["text"]) for h in engine.search(q, per_page=50)["hits"]]


@pytest.mark.parametrize("query, sentence, marked", [
    ("城镇新增就业", "城镇新就业10727人", "城镇新就业"),  # a character dropped
    ("抽水蓄能电站", "戏沙湖抽水蓄能前期", "抽水蓄能"),  # the head without its suffix
    ("研发投入强度", "研发经费投入强度", "研发经费投入强度"),  # a longer form
    ("乡村振兴", "乡村全面振兴", "乡村全面振兴"),  # four characters, all there
    ("规上工业利润", "规上工业实现利润", "规上工业实现利润"),  # two characters inserted
])
def test_near_match_found_after_every_exact_match_and_marked(near_engine, query, sentence, marked):
    hits = near_engine.search(query, per_page=50)["hits"]
    kinds = [h["match"] for h in hits]
    assert kinds == sorted(kinds)  # "exact" < "near": every exact match first
    near = [h for h in hits if sentence in h["text"]]
    assert near and near[0]["match"] == "near"
    assert f'<mark class="term">{marked}</mark>' in near[0]["html"]


@pytest.mark.parametrize("query", [
    "就业",  # two characters: no near matches
    "农民收入",  # 居民收入 shares three characters of four: not near
    "农村居民收入",  # 居民收入 lacks the head 农村: another indicator
    "\"城镇新增就业\"",  # quoted: literal
    "城镇新增就业 -新就业",  # an excluded term excludes near matches too
])
def test_no_near_match(near_engine, query):
    assert all(kind == "exact" for kind, _ in _matches(near_engine, query))


def test_exact_matches_say_exact(near_engine):
    assert _matches(near_engine, "城镇新增就业")[0] == ("exact", "城镇新增就业1.2万人，超额完成目标。")


def test_each_level_of_government_writes_gdp_its_own_way(near_engine):
    assert ("exact", "全市生产总值增长5%。") in _matches(near_engine, "GDP")


def test_a_near_match_keeps_the_measure(near_engine):
    # 规上工业实现利润 nearly says 规上工业利润; 规上工业增加值 measures something else.
    texts = [text for _, text in _matches(near_engine, "规上工业利润")]
    assert texts == ["规上工业实现利润8亿元。"]
