"""Searching the bundled reports: syntax, caps, filters, facet counts, paging, context, shape."""

from __future__ import annotations

import random
import re

import pytest

from search.text.streams import fold
from search.engine import Engine
from search.errors import BadParameter, NotFound, PageOutOfRange, QueryError, UnknownFilter

ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


def texts(engine, q, **kw):
    return [h["text"] for h in engine.search(q, per_page=50, **kw)["hits"]]


def all_passages(engine):
    return list(engine.export())


@pytest.mark.parametrize("query, must_have, must_not_have", [
    # AND: both terms in every hit.
    ("森林覆盖率 64.1", ["森林覆盖率", "64.1"], []),
    # OR: either term.
    ("锰污染 OR 安吉游戏", [], []),
    # Exclusion.
    ("森林覆盖率 -64.1", ["森林覆盖率"], ["64.1"]),
    # A quoted phrase with a space keeps both parts in order.
    ('"两岸青山·千里林带"', ["两岸青山·千里林带"], []),
])
def test_syntax(engine, query, must_have, must_not_have):
    found = texts(engine, query)
    assert found
    for text in found:
        assert all(m in text for m in must_have), text
        assert not any(m in text for m in must_not_have), text


def test_or_is_the_union(engine):
    a, b = set(texts(engine, "锰污染")), set(texts(engine, "安吉游戏"))
    assert set(texts(engine, "锰污染 OR 安吉游戏")) == a | b and a and b


@pytest.mark.parametrize("query, message", [
    ('"unbalanced', "引号 \" 没有配对：请在短语末尾补上 \""),
    ("“未闭合", "引号 “ 没有配对：请在短语末尾补上 ”"),
    ("a\x00b", "控制字符"),
    ("长" * 201, "查询有 201 个字符，最多只能有 200 个"),
    (" ".join(["词"] * 17), "查询有 17 个词，最多只能有 16 个"),
    ("-森林", "只有要排除的词"),
])
def test_bad_queries_get_a_clear_message_in_chinese(engine, query, message):
    with pytest.raises(QueryError, match=message) as refused:
        engine.search(query)
    assert refused.value.code == "bad_query" and not ENGLISH_WORD.search(str(refused.value))


@pytest.mark.parametrize("query", ["*1*", "森林*", "森?", "a~2", "(森林", "field:value"])
def test_nothing_else_is_special(engine, query):
    # Wildcards, regex, fuzzy, grouping and fields are plain text: an answer, never an error.
    result = engine.search(query)
    assert result["total"] >= 0


@pytest.mark.parametrize("query", [
    "，。！？",  # punctuation alone
    "!!!",
    "-",  # the minus sign with nothing after it
    "OR",  # an operator alone
    '""',  # an empty phrase
    "/.*/",  # what a regex would be is plain text here, and holds no word
    "\\",
])
def test_a_query_with_nothing_to_search_says_so(engine, query):
    # Not every passage listed under a heading that names the punctuation: a message saying why.
    with pytest.raises(QueryError, match="没有可检索的词") as refused:
        engine.search(query)
    assert refused.value.code == "bad_query"
    assert engine.search("")["total"] > 0  # the empty query still browses everything


@pytest.mark.parametrize("kw, message, code", [
    ({"county": ["北京"]}, "索引中没有地区“北京”；现有的地区：云阳、", "unknown_place"),
    ({"level": ["乡级"]}, "索引中没有层级“乡级”；现有的层级：县级", "unknown_level"),
    ({"year": ["1999"]}, "索引中没有年份“1999”；现有的年份：2024年、2023年", "unknown_year"),
    ({"section": ["不存在"]}, "索引中没有部分“不存在”；现有的部分：工作回顾", "unknown_section"),
])
def test_unknown_filter_values(engine, kw, message, code):
    with pytest.raises(UnknownFilter, match=message) as refused:
        engine.search("发展", **kw)
    assert refused.value.code == code


@pytest.mark.parametrize("kw, message", [
    ({"page": 0}, "页码须在 1 到 1000 之间，不能是 0"),
    ({"page": -1}, "页码须在 1 到 1000 之间"),
    ({"page": 10**6}, "页码须在 1 到 1000 之间"),
    ({"page": "abc"}, "页码须是 1 到 1000 的整数，不能是“abc”"),
    ({"per_page": 0}, "每页条数须在 1 到 50 之间"),
    ({"per_page": 10**5}, "每页条数须在 1 到 50 之间"),
    ({"per_page": "x"}, "每页条数须是 1 到 50 的整数"),
])
def test_bad_paging(engine, kw, message):
    with pytest.raises(BadParameter, match=message) as refused:
        engine.search("发展", **kw)
    assert refused.value.code == "bad_parameter"


def test_county_accepts_short_and_full_names(engine):
    short = engine.search("发展", county=["酉阳"])
    full = engine.search("发展", county=["酉阳土家族苗族自治县"])
    assert short["total"] == full["total"] > 0
    assert full["filters"] == {"place": ["重庆市酉阳土家族苗族自治县"]}


def test_filters_or_within_and_across(engine):
    yun = engine.search("森林覆盖率", county=["云阳"])["total"]
    you = engine.search("森林覆盖率", county=["酉阳"])["total"]
    both = engine.search("森林覆盖率", county=["云阳", "酉阳"])
    assert both["total"] == yun + you
    narrowed = engine.search("森林覆盖率", county=["云阳", "酉阳"], year=["2022"])
    assert all(h["year"] == 2022 and h["county"] in ("云阳", "酉阳") for h in narrowed["hits"])
    assert 0 < narrowed["total"] < both["total"]


def test_facet_counts_ignore_their_own_filter(engine):
    unfiltered = engine.search("发展")
    ticked = engine.search("发展", county=["云阳"])
    counts = {f["value"]: f["count"] for f in ticked["facets"]["place"]}
    assert counts == {f["value"]: f["count"] for f in unfiltered["facets"]["place"]}
    assert [f["label"] for f in ticked["facets"]["place"] if f["selected"]] == ["云阳"]
    # The other facets do follow the county filter.
    year_total = sum(f["count"] for f in ticked["facets"]["year"])
    assert year_total == ticked["total"] < unfiltered["total"]


def test_facet_counts_match_the_hits(engine):
    result = engine.search("森林覆盖率")
    for facet in ("place", "province", "level", "year", "section"):
        for row in result["facets"][facet]:
            filtered = engine.search("森林覆盖率", **{facet: [row["value"]]})
            assert filtered["total"] == row["count"], (facet, row)


def test_empty_query_with_filters_lists_in_report_order(engine):
    result = engine.search("", county=["城口"], per_page=50)
    positions = [h["position"] for h in result["hits"]]
    assert positions == sorted(positions) and positions[0] == 0
    assert result["total"] == next(r["passage_count"] for r in engine.reports() if r["county"] == "城口")


def test_paging_covers_every_hit_once(engine):
    first = engine.search("发展", per_page=50)
    ids = []
    for page in range(1, first["pages"] + 1):
        ids += [h["id"] for h in engine.search("发展", page=page, per_page=50)["hits"]]
    assert len(ids) == len(set(ids)) == first["total"]
    # Past the last page: refused, naming the last page (the site and the API share this rule).
    with pytest.raises(PageOutOfRange, match=f"没有第 {first['pages'] + 1} 页") as refused:
        engine.search("发展", page=first["pages"] + 1, per_page=50)
    assert refused.value.last_page == first["pages"] and refused.value.code == "page_out_of_range"


def test_pages_never_promise_more_than_may_be_asked(engine, monkeypatch):
    # An empty query lists every passage: more pages than max_page; "pages" says how far one may go.
    engine = Engine(engine.index_dir)  # its own page cache: max_page changes below
    monkeypatch.setenv("POLICY_SEARCH_MAX_PAGE", "5")
    result = engine.search("", per_page=10)
    assert result["total"] > 50 and result["pages"] == 5
    assert engine.search("", page=5, per_page=10)["hits"]
    with pytest.raises(BadParameter, match="页码须在 1 到 5 之间"):
        engine.search("", page=6, per_page=10)
    monkeypatch.delenv("POLICY_SEARCH_MAX_PAGE")  # pages are cached: another page size below
    last = engine.search("", per_page=20)["pages"]
    with pytest.raises(PageOutOfRange, match=f"共 .* 条结果、{last} 页"):
        engine.search("", page=last + 1, per_page=20)
    # No results at all is still one (empty) page, not an error.
    assert engine.search("森林覆盖率", year=["2023"], section=["其他"])["pages"] == 1


def test_result_shape(engine):
    result = engine.search("地区生产总值", county=["云阳"])
    assert {"query", "total", "page", "per_page", "hits", "facets"} <= result.keys()
    hit = result["hits"][0]
    assert {"id", "report_id", "county", "year", "section", "heading", "text", "html", "spans",
            "score", "url"} <= hit.keys()
    assert hit["url"] == f"/p/{hit['id']}"
    assert re.fullmatch(r"[a-z0-9]{10}", hit["id"])
    assert set(result["facets"]) == {"place", "province", "level", "year", "section"}


def test_terms_and_figures_are_marked(engine):
    hit = next(h for h in engine.search("地区生产总值", county=["云阳"], per_page=50)["hits"]
               if "557.7亿元" in h["text"])
    assert '<mark class="term">地区生产总值</mark>' in hit["html"]
    assert '<mark class="figure">557.7亿元</mark>' in hit["html"]
    kinds = {(hit["text"][s["start"]:s["end"]], s["kind"]) for s in hit["spans"]}
    assert ("地区生产总值", "term") in kinds and ("557.7亿元", "figure") in kinds and ("4.7%", "figure") in kinds
    assert not any(t.startswith("2022年") for t, k in kinds if k == "figure")


def test_synonyms_are_searched_and_reported(engine):
    result = engine.search("GDP", county=["云阳"])
    assert result["also_searched"] == {"GDP": ["地区生产总值", "国内生产总值", "生产总值"]}
    assert any('<mark class="term">地区生产总值</mark>' in h["html"] for h in result["hits"])
    assert engine.search('"GDP"', county=["云阳"])["total"] == 0  # quoted: literal only


def test_context_gives_neighbours_in_the_same_report(engine):
    hit = engine.search("榨菜专营支行")["hits"][0]
    ctx = engine.context(hit["id"])
    assert ctx["passage"]["id"] == hit["id"]
    assert len(ctx["before"]) == 2 and len(ctx["after"]) == 2
    positions = [p["position"] for p in ctx["before"] + [ctx["passage"]] + ctx["after"]]
    assert positions == list(range(positions[0], positions[0] + 5))
    assert {p["report_id"] for p in ctx["before"] + ctx["after"]} == {hit["report_id"]}
    assert ctx["citation"].startswith("重庆市涪陵区《2022年国民经济和社会发展计划执行情况及2023年计划草案的报告》，一、")


def test_context_at_the_start_of_a_report(engine):
    first = engine.search("", county=["奉节"])["hits"][0]
    ctx = engine.context(first["id"])
    assert ctx["before"] == [] and len(ctx["after"]) == 2


def test_unknown_ids(engine):
    with pytest.raises(NotFound, match="没有编号为“nosuchid00”的段落") as passage:
        engine.context("nosuchid00")
    with pytest.raises(NotFound, match="没有编号为“nosuch”的报告") as report:
        engine.report("nosuch")
    assert passage.value.code == report.value.code == "not_found"


def test_random_substrings_find_exactly_the_passages_containing_them(engine):
    """Guarantee 2 on the whole corpus: any Chinese substring finds every passage containing it."""
    passages = all_passages(engine)
    folded = [fold(p["text"]) for p in passages]
    rng = random.Random(20261123)
    cjk = re.compile(r"[\u4e00-\u9fff]{2,}")
    checked = 0
    while checked < 150:
        text = rng.choice(folded)
        runs = cjk.findall(text)
        if not runs:
            continue
        run = rng.choice(runs)
        length = rng.randint(2, min(6, len(run)))
        start = rng.randint(0, len(run) - length)
        needle = run[start:start + length]
        expected = sum(needle in t for t in folded)
        # Quoted: literal, so synonyms cannot add passages that lack the substring.
        assert engine.search(f'"{needle}"')["total"] == expected, needle
        checked += 1


def test_facets_list_the_largest_values_and_every_ticked_one(engine, monkeypatch):
    monkeypatch.setenv("POLICY_SEARCH_FACET_LIMIT", "2")
    full = {f["value"]: f["count"] for f in engine.search("发展")["facets"]["place"]}
    largest = sorted(full, key=lambda v: -full[v])[:2]
    smallest = min(full, key=full.get)
    shown = engine.search("发展", county=[smallest])["facets"]["place"]
    assert {f["value"] for f in shown} == set(largest) | {smallest}
    assert all(f["count"] == full[f["value"]] for f in shown)


@pytest.mark.parametrize("query, kw, suggested", [
    # An OR group is dropped whole, and the rest keeps its OR and its exclusion.
    ("锰污染 OR 安吉游戏 森林覆盖路 -云阳", {}, "锰污染 OR 安吉游戏 -云阳"),
    # A quoted phrase with a quote mark inside stays one phrase.
    ('“群众说事、干部答题” 不存在的词语', {}, '"群众说事、干部答题"'),
    # A typo among several terms: the close word in its place (城镇化律: no passage nearly says it).
    ("城镇化律 2022", {}, "城镇化 2022"),
    # Quoted GDP finds nothing literal in 云阳: searched with its synonyms, it does.
    ('"GDP"', {"county": ["云阳"]}, "GDP"),
])
def test_suggestions_find_what_they_say(engine, query, kw, suggested):
    result = engine.search(query, **kw)
    assert result["total"] == 0
    offers = {s["query"]: s for s in result["suggestions"]}
    assert suggested in offers, list(offers)
    for s in result["suggestions"]:
        # An offer counts exact matches; the search may list near ones after them.
        found = engine.search(s["query"], **s["filters"], per_page=50)
        exact = sum(h["match"] == "exact" for h in found["hits"])
        assert exact == min(s["total"], 50) and 0 < s["total"] <= found["total"], s


def test_every_exact_match_comes_before_every_near_match(engine):
    # On the seeds 城镇新增就业 has 12 exact hits and 2 near ones; a near hit ranked among the exact
    # ones would show a passage that lacks the words above one that has them.
    matches = [h["match"] for h in engine.search("城镇新增就业", per_page=50)["hits"]]
    assert "exact" in matches and "near" in matches
    assert matches == sorted(matches, key=lambda m: m != "exact")
    paged = [h["match"] for page in (1, 2, 3) for h in engine.search("城镇新增就业", page=page, per_page=5)["hits"]]
    assert paged == matches
