"""The analyzer's guarantees, proven on a small index (see search/analysis.py for the design)."""

from __future__ import annotations

import pytest

from search.analysis import GramAnalyzer, WordAnalyzer, fold
from search.engine import Engine
from search.indexing import build

from .conftest import write_report

SENTENCES = {
    "prc": "中华人民共和国成立以来首次突破百亿。",
    "renmin": "人民群众满意度持续提升。",
    "gdp_cn": "全年实现地区生产总值100.5亿元、增长4.7%。",
    "gdp_en": "全年GDP增长5.8%，总量突破百亿。",
    "gdp_lower": "单位gdp能耗下降3%。",
    "slogan": "群众说事、干部答题机制全面推广。",
    "slogan_comma": "群众说事，干部答题同步开展。",
    "fiveg": "新建5G基站20个，光纤覆盖率达88%。",
    "radar": "推进X波段天气雷达建设。",
    "reits": "开展REITs试点，盘活存量资产。",
    "ppp": "规范推进PPP项目，防范隐性债务。",
    "scattered": "总值稳步提升，生产效率提高。",
    "pumped": "加快建设抽水蓄能电站。",
    "pumped_apart": "抽水工程与蓄能设施分别建设，电站选址完成。",
    "script": "<script>alert(1)</script>不应执行。",
}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """An index of one report whose body is the sentences above, one paragraph each."""
    folder = tmp_path_factory.mktemp("small-src")
    body = "\n".join(SENTENCES.values())
    write_report(folder, "r.txt", "巫山县2022年国民经济和社会发展计划执行情况及2023年计划草案的报告\n各位代表：\n"
                 "一、2022年国民经济和社会发展计划执行情况\n" + body + "\n")
    index_dir = tmp_path_factory.mktemp("small-index")
    build(folder, index_dir)
    return Engine(index_dir)


def texts(engine, q, **kw):
    return [h["text"] for h in engine.search(q, per_page=50, **kw)["hits"]]


def keys(engine, q):
    found = texts(engine, q)
    return {k for k, s in SENTENCES.items() if s in found}


@pytest.mark.parametrize("query, expected", [
    # 1. A quoted phrase finds exactly the passages that contain it, punctuation included.
    ('"群众说事、干部答题"', {"slogan"}),
    ('"群众说事，干部答题"', {"slogan_comma"}),
    # The same phrase unquoted is still one term: the enumeration comma must match too.
    ("群众说事、干部答题", {"slogan"}),
    ('"抽水蓄能电站"', {"pumped"}),
    # 2. Any Chinese word of two or more characters finds every passage containing it.
    ("人民共和国", {"prc"}),  # jieba keeps 中华人民共和国 whole; bigrams still find it
    ("人民", {"prc", "renmin"}),
    ("总值", {"gdp_cn", "scattered"}),  # sub-word of 地区生产总值, and a word of its own
    ("共和", {"prc"}),
    # 4. Figures: a number finds the figure that starts with it.
    ("4.7", {"gdp_cn"}),
    ("100.5", {"gdp_cn"}),
    ("5.8", {"gdp_en"}),
    # 5. Latin terms: case-insensitive, whole, digits kept.
    ("gdp", {"gdp_en", "gdp_lower"} | {"gdp_cn"}),  # plus 地区生产总值 through the synonym list
    ('"GDP"', {"gdp_en", "gdp_lower"}),  # quoted: literal, no synonyms
    ("5G", {"fiveg"}),
    ("5g基站", {"fiveg"}),
    ("X波段", {"radar"}),
    ("x波段天气雷达", {"radar"}),
    ("REITs", {"reits"}),
    ("reits", {"reits"}),
    ("PPP", {"ppp"}),
    # Latin stays whole: a piece of a token is not a match.
    ("ppp项目", {"ppp"}),
    ("pp", set()),
])
def test_guarantees(small, query, expected):
    assert keys(small, query) == expected


def test_whole_word_ranks_above_sub_word(small):
    # 3. "总值" is a word in the scattered sentence and only part of 地区生产总值 in gdp_cn.
    found = texts(small, "总值")
    assert found.index(SENTENCES["scattered"]) < found.index(SENTENCES["gdp_cn"])


def test_phrase_ranks_above_scattered_terms(small):
    # 3. Both sentences contain 抽水, 蓄能 and 电站; only one has them side by side.
    found = texts(small, "抽水 蓄能 电站")
    assert found[:2] == [SENTENCES["pumped"], SENTENCES["pumped_apart"]]


def test_markup_in_a_passage_is_text(small):
    hit = small.search("不应执行")["hits"][0]
    assert "<script>" not in hit["html"]
    assert "&lt;script&gt;" in hit["html"]


@pytest.mark.parametrize("analyzer, text, tokens", [
    (GramAnalyzer(), "X波段雷达", ["x", "波段", "段雷", "雷达"]),
    (GramAnalyzer(), "增长4.7%", ["增长", "4.7", "%"]),
    (GramAnalyzer(), "说事、干部", ["说事", "、", "干部"]),
    (GramAnalyzer(), "ＧＤＰ（亿元）", ["gdp", "(", "亿元", ")"]),  # full-width folded to ASCII
    (WordAnalyzer(), "全年GDP增长4.7%", ["全年", "gdp", "增长", "4.7"]),
    (WordAnalyzer(), "地区生产总值", ["地区生产总值"]),  # from the domain user dictionary
])
def test_tokens(analyzer, text, tokens):
    assert [t.text for t in analyzer(text)] == tokens


def test_word_positions_count_words_not_characters():
    positions = [(t.text, t.pos) for t in WordAnalyzer()("全年实现地区生产总值", positions=True)]
    assert positions == [("全年", 0), ("实现", 1), ("地区生产总值", 2)]


def test_fold_keeps_length():
    text = "ＧＤＰ增长４．７％㎡"
    assert len(fold(text)) == len(text)
    assert fold(text).startswith("gdp增长4.7%")
