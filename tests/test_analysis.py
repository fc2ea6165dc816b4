"""The analyzer's guarantees, proven on a small index (see search/analysis.py for the design)."""

from __future__ import annotations

import pytest

from search.text.streams import fold, reference_word_stream, user_words, whole_word, word_stream
from search.whoosh_index.analyzers import GramAnalyzer, WordAnalyzer
from search.engine import Engine
from search.relevance import load_cases
from search.whoosh_index.indexing import build, read_reports, report_files
from search.query.parse import parse

from .conftest import ROOT, write_report

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


# -- rjieba cuts the words field; jieba is the reference ------------------------------------------

# Measured on the seeds: the same word tokens for all 2,205 passages (the raw cuts differ on 4,
# number ranges such as 200-1000, which both streams re-split into 200 and 1000). Over the 8,629
# sentences of the national reports in ../shared/corpus/ the word tokens agree on all too.
MIN_AGREEMENT = 1.0


def _tokens(stream, text: str) -> list[str]:
    return [t for t, _, _ in stream(fold(text))]


def test_rjieba_cuts_the_seed_passages_as_jieba_does(seeds_dir):
    texts = [p.text for r in read_reports(report_files(seeds_dir), None, []) for p in r.passages]
    differing = []
    for text in texts:
        fast, reference = list(word_stream(fold(text))), list(reference_word_stream(fold(text)))
        if fast != reference:
            differing.append(f"{text}\n  rjieba only: {[t for t in fast if t not in reference]}"
                             f"\n  jieba only:  {[t for t in reference if t not in fast]}")
    agreement = 1 - len(differing) / len(texts)
    assert agreement >= MIN_AGREEMENT, f"{len(differing)} of {len(texts)} passages cut differently:\n" + \
        "\n".join(differing[:20])


def test_the_user_dictionary_applies_to_rjieba_as_to_jieba():
    words = [word for word, _, _ in user_words()]
    assert len(words) > 100
    differing = [(w, _tokens(word_stream, w), _tokens(reference_word_stream, w)) for w in words
                 if _tokens(word_stream, w) != _tokens(reference_word_stream, w)]
    assert not differing
    # In a sentence too: jieba's own dictionary would cut 地区生产总值 into 地区 / 生产总值.
    assert "地区生产总值" in _tokens(word_stream, "全年实现地区生产总值100.5亿元")


def test_every_user_dictionary_entry_can_be_a_word():
    # The words field keeps a token whole only when it is all Chinese or all Latin letters and
    # digits (search.text.streams._words splits the rest): an entry such as 单位GDP能耗 would
    # never apply, however often it is listed.
    dead = [w for w, _, _ in user_words() if [t for t, _, _ in word_stream(fold(w))] != [fold(w)]]
    assert dead == []


# -- the whole-word bonus without a segmenter -----------------------------------------------------

VOCABULARY = {"森林覆盖率", "森林", "覆盖率", "gdp", "4.7", "干龙坝村", "锰"}


@pytest.mark.parametrize("term, word", [
    ("森林覆盖率", "森林覆盖率"),  # a word of the index
    ("森林覆盖", None),  # not one: no bonus, only the substring match
    ("GDP", "gdp"),  # folded as the index folds it
    ("ＧＤＰ", "gdp"),
    ("4.7%", "4.7"),  # a unit sign is not part of the word stream
    ("5.8", None),  # a number the index does not hold
    ("X波段", None),  # a Latin run and a Chinese run are two words
    ("群众说事、干部答题", None),  # punctuation between runs: several words
    ("干龙坝村", "干龙坝村"),  # jieba splits it standing alone, but the index holds it whole
    ("锰。", "锰"),
    ("、", None),
])
def test_whole_word_asks_the_index_vocabulary(term, word):
    assert whole_word(term, VOCABULARY.__contains__) == word


def _searched_texts(query: str):
    """Every text a query scores with the whole-word bonus: terms, synonyms, the adjacent form."""
    parsed = parse(query)
    for group in parsed.groups + [[t] for t in parsed.excluded]:
        for term in group:
            yield term.text
            yield from term.synonyms
    if len(parsed.groups) > 1 and all(len(g) == 1 for g in parsed.groups):
        yield "".join(g[0].text for g in parsed.groups)


def test_whole_word_gives_the_bonus_jieba_gave_for_the_eval_cases(engine):
    """Before whole_word, queries cut their terms with jieba, and a single word earned the bonus
    where the index held it: the eval cases' terms must get the same bonus as then."""
    evaluator = engine.generation().evaluator
    texts = {t for name in ("dev.json", "own.json") for case in load_cases(ROOT / "tests" / "eval" / name)
             for t in _searched_texts(case["query"])}
    assert len(texts) > 80
    differing = []
    for text in sorted(texts):
        jieba_words = _tokens(reference_word_stream, text)
        by_jieba = jieba_words[0] if len(jieba_words) == 1 and evaluator.has_word(jieba_words[0]) else None
        if whole_word(text, evaluator.has_word) != by_jieba:
            differing.append((text, by_jieba))
    assert not differing
