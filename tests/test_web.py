"""The web site through Flask's test client: every route as HTML and as JSON, bad input, headers.

Most behaviour is checked on the JSON twins; the HTML checks are about what a reader notices: the
highlighted terms, the links on each hit, the facet boxes, the explanation when something is wrong.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug.test import Client

from webui import create_app
from webui.server import RequestLog

from .web_helpers import parse_html

QUERY = "森林覆盖率"  # 8 passages in four counties of the seed reports


@pytest.fixture(scope="module")
def app(seed_index, tmp_path_factory):
    briefings = tmp_path_factory.mktemp("briefings") / "b.sqlite3"  # not the instance folder's
    return create_app({"INDEX_DIR": seed_index, "TESTING": True, "BRIEFINGS_DB": briefings, "SECRET_KEY": "test"})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def forest_hit(engine) -> dict:
    """A hit in the middle of its report, so it has two passages of context on each side."""
    return next(h for h in engine.search(QUERY)["hits"] if h["position"] > 5)


@pytest.fixture(scope="module")
def fuling(engine) -> dict:
    return next(r for r in engine.reports() if r["county"] == "涪陵")


def html_of(response):
    assert response.mimetype == "text/html", response.data[:200]
    return parse_html(response.data)


def facet_counts(result: dict, name: str) -> dict[str, int]:
    """A facet's counts by the label users see (云阳 for the value 重庆市云阳县)."""
    return {row["label"]: row["count"] for row in result["facets"][name]}


# -- every page, and what every page shares --------------------------------------------------------


EVERY_PAGE = [
    "/", f"/search?q={QUERY}", "/search", f"/search?q={QUERY}&county=云阳&ctx={{hit}}", "/p/{hit}",
    "/reports/{fuling}", "/search?q=不存在的词语组合", "/search?page=0", "/p/nope", "/no-such-page",
]


@pytest.mark.parametrize("url_template", EVERY_PAGE)
def test_every_page_is_zh_cn_with_the_security_headers_and_no_inline_code(client, forest_hit, fuling, url_template):
    url = url_template.format(hit=forest_hit["id"], fuling=fuling["id"])
    response = client.get(url)
    assert response.status_code < 500, url
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
    page = html_of(response)
    assert page.find("html").attrs["lang"] == "zh-CN"
    # The CSP would block these silently in a browser, so the page must not rely on them.
    assert all(script.attrs.get("src") for script in page.find_all("script")), url
    assert not page.find_all("style"), url
    assert b' style="' not in response.data and b" onclick=" not in response.data, url
    addresses = [e.attrs.get(name, "") for e in page.find_all() for name in ("href", "src", "action")]
    assert not [a for a in addresses if a.startswith(("http:", "https:", "//"))], "something from another site"
    assert not page.duplicate_ids, url


def test_static_files_come_from_the_package_with_the_same_headers(client):
    # Static responses stream a file: close them, or the open file is reported (warnings are errors).
    with client.get("/static/style.css") as css:
        assert css.status_code == 200 and css.mimetype == "text/css"
        assert css.headers["X-Content-Type-Options"] == "nosniff"
    with client.get("/static/app.js") as js:
        assert js.mimetype in {"text/javascript", "application/javascript"}


def test_home_lists_every_report_with_its_passage_count_and_a_link_to_read_it(client, engine):
    page = html_of(client.get("/"))
    rows = page.find("table", "reports").find("tbody").children
    assert len(rows) == len(engine.reports()) == 5
    for report, row in zip(engine.reports(), rows):
        cells = [td.text.strip() for td in row.children]
        assert report["county"] in cells[0] and str(report["passage_count"]) in cells
        assert f"/reports/{report['id']}" in [a.attrs["href"] for a in row.find_all("a")]
    assert page.by_id["q"].attrs.get("autofocus") is not None  # the front page focuses the search box


# -- the results page ---------------------------------------------------------------------------


def test_results_mark_terms_and_figures_and_link_each_hit_three_ways(client, engine):
    page = html_of(client.get("/search", query_string={"q": QUERY}))
    result = engine.search(QUERY)
    hits = page.find_all("li", "hit")
    assert len(hits) == result["total"] == 8
    assert "共 8 条结果" in page.find("h1").text
    first = result["hits"][0]
    card = page.by_id[f"hit-{first['id']}"]
    assert [m.text for m in card.find_all("mark", "term")][:1] == [QUERY]
    assert card.find("mark", "figure") is not None
    assert first["county_full"] in card.find("p", "cite").text and first["report_title"] in card.find("p", "cite").text
    links = {a.text.strip(): a.attrs["href"] for a in card.find_all("a")}
    assert links["永久链接"] == f"/p/{first['id']}"
    assert links["在报告中查看"] == f"/reports/{first['report_id']}#{first['id']}"
    assert parse_qs(urlsplit(links["上下文"]).query)["ctx"] == [first["id"]]
    add = card.find("form", "add-briefing-form")  # "加入简报": see test_web_briefings.py
    assert add.attrs["method"] == "post" and add.attrs["action"] == "/b/add"


def test_context_link_shows_the_sentences_around_the_hit_without_javascript(client, engine, forest_hit):
    url = f"/search?q={QUERY}&ctx={forest_hit['id']}"
    card = html_of(client.get(url)).by_id[f"hit-{forest_hit['id']}"]
    context = engine.context(forest_hit["id"])
    shown = [p.text for p in card.find_all("p", "context-passage")]
    assert shown == [p["text"] for p in context["before"] + context["after"]]
    assert "收起上下文" in card.text


def test_a_context_id_not_on_the_page_is_ignored(client):
    page = html_of(client.get(f"/search?q={QUERY}&ctx=not-a-hit"))
    assert not page.find_all("div", "context") and len(page.find_all("li", "hit")) == 8


def test_facet_boxes_are_a_get_form_with_counts(client):
    page = html_of(client.get("/search", query_string={"q": QUERY, "county": "云阳"}))
    form = page.by_id["search-form"]
    assert form.attrs["method"] == "get" and form.attrs["action"] == "/search"
    boxes = {(i.attrs["name"], i.attrs["value"]): i for i in page.find_all("input")
             if i.attrs.get("type") == "checkbox"}
    assert {name for name, _ in boxes} == {"place", "province", "level", "year", "section"}
    assert all(box.attrs["form"] == "search-form" for box in boxes.values())
    assert "checked" in boxes[("place", "重庆市云阳县")].attrs
    assert "checked" not in boxes[("place", "重庆市酉阳土家族苗族自治县")].attrs
    youyang = boxes[("place", "重庆市酉阳土家族苗族自治县")].parent
    assert youyang.find("span", "facet-value").text == "酉阳"  # shown by the name people type
    assert youyang.find("span", "facet-count").text == "1"  # still shown while 云阳 is ticked


def test_chips_show_normalized_filters_and_each_drops_one_value(client):
    # 云阳县 (under the old parameter name county) and 2022年 are accepted spellings; the page
    # shows short names and links the normalized values.
    response = client.get("/search", query_string={"q": QUERY, "county": ["云阳县", "酉阳"], "year": "2022年"})
    chips = html_of(response).find_all("a", "chip")
    assert [re.sub(r"\s+", " ", c.text.replace("×", "")).strip() for c in chips] == \
        ["地区 云阳", "地区 酉阳", "年份 2022年"]
    dropped = parse_qs(urlsplit(chips[0].attrs["href"]).query)
    assert dropped == {"q": [QUERY], "place": ["重庆市酉阳土家族苗族自治县"], "year": ["2022"]}


def test_also_searched_names_the_synonyms(client):
    page = html_of(client.get("/search?q=GDP"))
    assert "地区生产总值" in page.find("p", "also-searched").text


def test_charts_draw_one_bar_per_county_and_year_with_lengths_by_count(client, engine):
    page = html_of(client.get("/search", query_string={"q": QUERY}))
    facets = engine.search(QUERY)["facets"]
    county_chart, year_chart = page.find_all("svg", "bars")
    bars = {g.find("text", "bar-label").text: float(g.find("rect").attrs["width"]) for g in county_chart.find_all("g")}
    counts = {row["label"]: row["count"] for row in facets["place"]}
    assert set(bars) == set(counts)
    assert max(bars, key=bars.get) == max(counts, key=counts.get)  # 涪陵, with 3 hits
    assert bars["涪陵"] / bars["酉阳"] == pytest.approx(3, rel=0.01)
    assert "2022年" in year_chart.attrs["aria-label"]


def test_pages_link_to_each_other(client, engine):
    result = engine.search("GDP", per_page=10)
    assert result["pages"] > 2
    page = html_of(client.get("/search?q=GDP&page=2"))
    nav = page.find("nav", "pagination")
    links = {a.text.strip(): a.attrs["href"] for a in nav.find_all("a")}
    assert parse_qs(urlsplit(links["上一页"]).query) == {"q": ["GDP"]}
    assert parse_qs(urlsplit(links["下一页"]).query) == {"q": ["GDP"], "page": ["3"]}
    assert nav.find("span", "page-current").text == "2"
    last = html_of(client.get(f"/search?q=GDP&page={result['pages']}"))
    assert "下一页" not in {a.text.strip() for a in last.find("nav", "pagination").find_all("a")}


@pytest.mark.parametrize("params, last", [
    ({"q": QUERY, "page": "5"}, 1),  # all 8 hits fit on page 1
    ({"q": "GDP", "page": "99"}, 4),  # the old “第 99 / 4 页”
    ({"q": "发展", "page": "99", "county": "云阳县"}, 9),
    ({"q": "不存在的词语组合", "page": "3"}, 1),  # nothing found: page 1 says so
])
def test_a_page_past_the_last_is_refused_alike_on_the_site_and_in_the_api(client, engine, params, last):
    # One paging rule: the page and its JSON twin both say there is no such page, and which is last.
    response = client.get("/search", query_string=params)
    assert response.status_code == 400
    page = html_of(response)
    assert f"没有第 {params['page']} 页" in page.root.text
    [link] = page.links(f"前往最后一页（第 {last} 页）")
    shown = html_of(client.get(link))
    numbered = re.search(r"第 (\d+) / (\d+) 页", shown.find("h1").text)
    assert numbered is None and last == 1 or numbered[1] == numbered[2] == str(last)
    api = client.get("/api/search", query_string=params)
    assert api.status_code == 400
    assert api.json["code"] == "page_out_of_range" and api.json["last_page"] == last


@pytest.mark.parametrize("q, heading", [
    ("乡村振兴", "“乡村振兴”"),
    ('"乡村振兴"', "“乡村振兴”"),  # one quoted phrase: the page's own quotes are enough
    ("“乡村振兴”", "“乡村振兴”"),
    ('"乡村振兴" 农村', "“‘乡村振兴’ 农村”"),  # quotes inside quotes, as Chinese nests them
    ("“X波段天气雷达” OR 雷达", "“‘X波段天气雷达’ OR 雷达”"),
])
def test_the_heading_quotes_the_query_once(client, q, heading):
    page = html_of(client.get("/search", query_string={"q": q}))
    assert page.find("span", "query-echo").text == heading
    assert page.by_id["q"].attrs["value"] == q  # the box keeps what was typed


def test_facet_boxes_keep_their_order_while_ticking(client):
    def order(**params) -> dict[str, list[str]]:
        page = html_of(client.get("/search", query_string={"q": "发展", **params}))
        return {f.find("input").attrs["name"]: [i.attrs["value"] for i in f.find_all("input")]
                for f in page.find_all("fieldset", "facet")}

    unfiltered = order()
    # Ticking changes the counts of the places (and hides values with none), not their order.
    for params in ({"section": "重点任务"}, {"section": "工作回顾", "year": "2023"}, {"year": "2022"},
                   {"county": "城口"}):
        for name, shown in order(**params).items():
            assert shown == [value for value in unfiltered[name] if value in shown], (params, name)


def test_facets_and_the_front_page_say_what_year_and_part_mean(client):
    page = html_of(client.get("/search", query_string={"q": QUERY}))
    hints = {f.find("input").attrs["name"]: f.find("small", "facet-hint") for f in page.find_all("fieldset", "facet")}
    assert hints["place"] is None
    assert hints["year"].text == "段落所说的年份" and "上一年" in hints["year"].attrs["title"]
    assert hints["section"].text == "段落在报告中的部分" and "工作回顾" in hints["section"].attrs["title"]
    home = html_of(client.get("/"))
    year_header = [th for th in home.find("table", "reports").find_all("th") if th.text == "年份"][0]
    assert "报告的年份" in year_header.attrs["title"] and "报告的年份" in home.find("p", "table-note").text


def test_a_report_s_contents_are_a_disclosure_that_scripts_close_on_narrow_screens(client, fuling):
    toc = html_of(client.get(f"/reports/{fuling['id']}")).find("nav", "toc")
    details = toc.find("details")
    assert "open" in details.attrs and details.find("summary").text == "目录"  # open without JavaScript
    with client.get("/static/app.js") as js:
        assert b'.toc details[open]' in js.data and b"max-width: 700px" in js.data


def test_no_results_says_what_was_searched_and_offers_to_drop_filters(client):
    # 锰污染 is only in 酉阳's 2023 plan: searching it in 城口 finds nothing.
    page = html_of(client.get("/search", query_string={"q": "锰污染", "county": "城口", "year": "2023"}))
    box = page.find("div", "no-results")
    assert "“锰污染”" in box.text and "城口" in box.text and "2023年" in box.text
    drops = {a.text: (a.attrs["href"], li.text) for li in box.find("ul", "drop-suggestions").find_all("li")
             for a in li.find_all("a")}
    href, line = drops["去掉地区筛选（城口）"]
    assert parse_qs(urlsplit(href).query) == {"q": ["锰污染"], "year": ["2023"]} and "→ 1 条" in line
    assert "→ 0 条" in drops["去掉年份筛选（2023年）"][1]
    # The engine's own suggestion: the same words without any filter.
    unfiltered = [a for a in box.find("ul", "suggestions").find_all("a") if a.text == "不加筛选条件"]
    assert [parse_qs(urlsplit(a.attrs["href"]).query) for a in unfiltered] == [{"q": ["锰污染"]}]


def test_no_results_offers_the_close_word_the_index_has(client):
    # 森林覆盖律 now finds 森林覆盖率 as a near match (search.query.near); 城镇化律 shares too little.
    box = html_of(client.get("/search", query_string={"q": "城镇化律"})).find("div", "no-results")
    [link] = [a for a in box.find("ul", "suggestions").find_all("a") if "城镇化率" in a.text]
    assert parse_qs(urlsplit(link.attrs["href"]).query) == {"q": ["城镇化率"]}
    assert client.get(link.attrs["href"]).status_code == 200


def test_empty_query_browses_passages_in_report_order(client, engine):
    page = html_of(client.get("/search?county=城口"))
    assert "按报告原文顺序" in page.find("section", "results").text
    assert len(page.find_all("li", "hit")) == 10


# -- facets, through the API --------------------------------------------------------------------


def test_ticking_a_county_keeps_the_other_counties_counts_and_narrows_the_hits(client):
    everywhere = client.get("/api/search", query_string={"q": QUERY}).json
    yunyang = client.get("/api/search", query_string={"q": QUERY, "county": "云阳"}).json
    assert facet_counts(yunyang, "place") == facet_counts(everywhere, "place")  # own filter not applied
    assert yunyang["total"] == facet_counts(everywhere, "place")["云阳"] == 2
    assert {hit["county"] for hit in yunyang["hits"]} == {"云阳"}
    assert sum(facet_counts(yunyang, "year").values()) == 2  # other facets follow the county filter
    both = client.get("/api/search", query_string={"q": QUERY, "county": ["云阳", "酉阳"]}).json
    assert both["total"] == 3 and {hit["county"] for hit in both["hits"]} == {"云阳", "酉阳"}
    assert both["filters"] == {"place": ["重庆市云阳县", "重庆市酉阳土家族苗族自治县"]}


def test_api_search_is_the_engine_result(client, engine):
    response = client.get("/api/search", query_string={"q": "GDP", "section": "目标安排", "per_page": 5, "page": 2})
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.json == engine.search("GDP", section=["目标安排"], per_page=5, page=2)
    assert list(response.json)[:4] == ["query", "filters", "also_searched", "total"]  # the engine's order
    assert "地区生产总值".encode() in response.data  # readable UTF-8, not \\u escapes


def test_api_per_page_defaults_to_ten(client):
    result = client.get("/api/search?q=GDP").json
    assert result["per_page"] == 10 and len(result["hits"]) == 10


# -- reading: permalink and report --------------------------------------------------------------


def test_permalink_shows_two_sentences_each_side_a_citation_and_a_link_into_the_report(client, engine, forest_hit):
    context = engine.context(forest_hit["id"])
    page = html_of(client.get(f"/p/{forest_hit['id']}"))
    around = [p.text for p in page.find_all("p", "context-passage")]
    assert around == [p["text"] for p in context["before"] + context["after"]] and len(around) == 4
    assert page.by_id[forest_hit["id"]].text == forest_hit["text"]
    citation = page.by_id["citation"]
    assert citation.tag == "textarea" and "readonly" in citation.attrs and citation.text == context["citation"]
    assert f"/reports/{forest_hit['report_id']}#{forest_hit['id']}" in page.links("在报告中查看")


def test_api_passage_has_the_context_shape(client, engine, forest_hit):
    data = client.get(f"/api/passages/{forest_hit['id']}").json
    assert data == engine.context(forest_hit["id"])
    assert set(data) == {"passage", "before", "after", "citation", "report"}
    assert len(data["before"]) == len(data["after"]) == 2


def test_report_page_gives_every_passage_an_element_with_its_id(client, engine, fuling):
    passages = engine.report(fuling["id"])["passages"]
    page = html_of(client.get(f"/reports/{fuling['id']}"))
    assert {p["id"] for p in passages} <= set(page.by_id)
    paragraphs: dict[int, list[str]] = {}
    for p in passages:
        if p["kind"] == "sentence":
            paragraphs.setdefault(p["para"], []).append(p["id"])
    # Sentences of one paragraph share one <p>; another paragraph is another <p>.
    long_para = next(ids for ids in paragraphs.values() if len(ids) > 1)
    other_para = next(ids for ids in paragraphs.values() if ids is not long_para)
    container = page.by_id[long_para[0]].parent
    assert container.tag == "p" and all(page.by_id[i].parent is container for i in long_para)
    assert page.by_id[other_para[0]].parent is not container


def test_report_page_rebuilds_fulings_table_1_as_a_table(client, engine, fuling):
    rows = [p for p in engine.report(fuling["id"])["passages"]
            if p["kind"] == "row" and p["table"]["title"].startswith("表1")]
    page = html_of(client.get(f"/reports/{fuling['id']}"))
    row = page.by_id[rows[0]["id"]]
    assert row.tag == "tr"
    table = next(a for a in row.ancestors() if a.tag == "table")
    assert table.find("caption").text.startswith("表1")
    assert [th.text for th in table.find("thead").find_all("th")] == rows[0]["table"]["header"]
    assert len(table.find("tbody").children) == len(rows)
    assert [c.text for c in row.children] == rows[0]["table"]["cells"]
    assert row.find("mark", "figure") is not None  # its values are marked as figures


def test_report_page_has_a_contents_list_linking_to_its_headings(client, engine, fuling):
    headings = [p for p in engine.report(fuling["id"])["passages"] if p["kind"] == "heading" and p["heading"]]
    page = html_of(client.get(f"/reports/{fuling['id']}"))
    toc_links = page.find("nav", "toc").find_all("a")
    assert [a.attrs["href"] for a in toc_links] == [f"#{h['id']}" for h in headings]
    # Headings are heading elements (under the page's h1 and the report's own title), or a table's caption.
    assert all(re.fullmatch(r"h[3-6]|caption", page.by_id[h["id"]].tag) for h in headings)
    top_level = [h for h in headings if " › " not in h["heading"]]
    assert top_level and all(page.by_id[h["id"]].tag == "h3" for h in top_level)


def test_api_reports_and_report(client, engine, fuling):
    listed = client.get("/api/reports").json["reports"]
    assert listed == engine.reports() and len(listed) == 5
    report = client.get(f"/api/reports/{fuling['id']}").json
    assert report["report"] == fuling and len(report["passages"]) == fuling["passage_count"]


# -- bad input: an explanation, never a 500 -------------------------------------------------------

SIXTEEN_COMMON_CHARACTERS = "业 展 化 进 和 大 动 的 成 区 新 施 等 设 级 建"
BAD_SEARCHES = [
    pytest.param({"county": "不存在县"}, "没有这个筛选条件", "unknown_place", id="unknown county"),
    pytest.param({"year": "1999"}, "没有这个筛选条件", "unknown_year", id="unknown year"),
    pytest.param({"section": "附录"}, "没有这个筛选条件", "unknown_section", id="unknown section"),
    pytest.param({"county": "云阳\x00"}, "没有这个筛选条件", "unknown_place", id="NUL in a facet value"),
    pytest.param({"page": "0"}, "页码或每页条数超出范围", "bad_parameter", id="page 0"),
    pytest.param({"page": "-1"}, "页码或每页条数超出范围", "bad_parameter", id="negative page"),
    pytest.param({"page": str(10**6)}, "页码或每页条数超出范围", "bad_parameter", id="page 10^6"),
    pytest.param({"page": "abc"}, "页码或每页条数超出范围", "bad_parameter", id="page not a number"),
    pytest.param({"per_page": str(10**5)}, "页码或每页条数超出范围", "bad_parameter", id="per_page 10^5"),
    pytest.param({"per_page": "0"}, "页码或每页条数超出范围", "bad_parameter", id="per_page 0"),
    pytest.param({"q": "森" * 5000}, "无法执行这个查询", "bad_query", id="query of 5000 characters"),
    pytest.param({"q": '"森林覆盖率'}, "无法执行这个查询", "bad_query", id="unbalanced ASCII quote"),
    pytest.param({"q": "“森林覆盖率"}, "无法执行这个查询", "bad_query", id="unbalanced Chinese quote"),
    pytest.param({"q": "森林\x00覆盖率"}, "无法执行这个查询", "bad_query", id="NUL byte in the query"),
    pytest.param({"q": "-森林"}, "无法执行这个查询", "bad_query", id="only an exclusion"),
    pytest.param({"q": SIXTEEN_COMMON_CHARACTERS}, "查询太宽泛", "too_broad", id="sixteen common characters"),
]
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


def in_english(message: str) -> bool:
    """Whether a message has English words, besides the values it quotes back (“abc”)."""
    return bool(ENGLISH_WORD.search(re.sub(r"“[^”]*”", "", message)))


@pytest.mark.parametrize("params, headline, code", BAD_SEARCHES)
def test_bad_search_input_gets_a_400_json_error_in_chinese_with_a_code(client, params, headline, code):
    response = client.get("/api/search", query_string={"q": QUERY, **params})
    assert response.status_code == 400 and response.mimetype == "application/json"
    assert response.json["code"] == code
    message = response.json["error"]
    assert message and "\x00" not in message and not in_english(message)


@pytest.mark.parametrize("params, headline, code", BAD_SEARCHES)
def test_bad_search_input_gets_a_400_page_that_explains_in_chinese(client, params, headline, code):
    response = client.get("/search", query_string={"q": QUERY, **params})
    assert response.status_code == 400
    page = html_of(response)
    assert page.find("h1").text == headline
    assert page.find("p", "advice").text and page.find("p", "detail").text
    assert not in_english(page.find("p", "detail").text)
    assert page.by_id["q"].attrs["value"].startswith(params.get("q", QUERY)[:2])  # kept, to be corrected
    assert "\x00" not in response.data.decode()


def test_error_page_links_repair_the_search(client):
    unknown = html_of(client.get("/search", query_string={"q": QUERY, "county": "不存在县"}))
    assert any(parse_qs(urlsplit(h).query) == {"q": [QUERY]} for h in unknown.links("去掉全部筛选条件再搜索"))
    unbalanced = html_of(client.get("/search", query_string={"q": '"森林覆盖率', "county": "云阳"}))
    repair = [a for a in unbalanced.find("ul", "repairs").find_all("a") if "改为检索" in a.text][0]
    assert parse_qs(urlsplit(repair.attrs["href"]).query) == {"q": [QUERY], "place": ["云阳"]}
    assert client.get(repair.attrs["href"]).status_code == 200


def test_a_too_broad_query_is_offered_without_its_single_characters(client):
    q = "业 展 化 进 和 大 动 的 成 区 产业 OR 发展 -的"
    page = html_of(client.get("/search", query_string={"q": q, "county": "云阳"}))
    assert page.find("h1").text == "查询太宽泛"
    [repair] = [a for a in page.find("ul", "repairs").find_all("a") if a.text.startswith("去掉单字")]
    assert repair.text == "去掉单字，检索“产业 OR 发展”"
    assert parse_qs(urlsplit(repair.attrs["href"]).query) == {"q": ["产业 OR 发展"], "place": ["云阳"]}
    assert client.get(repair.attrs["href"]).status_code == 200


@pytest.mark.parametrize("params", [
    {"q": "<script>alert(1)</script>"},  # a results page (nothing found)
    {"q": '<script>alert(1)</script>"'},  # an error page: unbalanced quote
    {"q": "<script>alert(1)</script>", "page": "abc"},  # an error page about another parameter
])
def test_the_query_is_echoed_escaped(client, params):
    response = client.get("/search", query_string=params)
    body = response.data.decode()
    assert response.status_code in (200, 400)
    assert "<script>alert(1)" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_the_api_echoes_a_refused_value_as_json_only(client):
    # JSON is never rendered as HTML: a JSON type and nosniff make the raw text inert.
    response = client.get("/api/search", query_string={"q": QUERY, "county": "<script>alert(1)</script>"})
    assert response.status_code == 400 and response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>alert(1)</script>" in response.json["error"]


def test_an_unknown_facet_value_is_echoed_escaped(client):
    body = client.get("/search", query_string={"county": "<img src=x onerror=alert(1)>"}).data.decode()
    assert "<img src=x" not in body and "&lt;img src=x onerror=alert(1)&gt;" in body


@pytest.mark.parametrize("url", ["/p/nope", "/reports/nope", "/p/%00", "/reports/..%2F..%2Fetc", "/no-such-page"])
def test_unknown_pages_are_404_pages(client, url):
    response = client.get(url)
    assert response.status_code == 404
    page = html_of(response)
    assert page.find("p", "error-status").text == "错误 404" and "/" in page.links("回到首页")


@pytest.mark.parametrize("url, message", [
    ("/api/passages/nope", "没有编号为“nope”的段落"),
    ("/api/reports/nope", "没有编号为“nope”的报告"),
    ("/api/passages/%00", "没有编号为"),
    ("/api/nothing", "没有这个页面"),  # no such route: the site's words, not werkzeug's
])
def test_unknown_api_resources_are_404_json_in_chinese(client, url, message):
    response = client.get(url)
    assert response.status_code == 404 and response.mimetype == "application/json"
    assert message in response.json["error"] and response.json["code"] == "not_found"
    assert not in_english(response.json["error"])


def test_wrong_method_is_405_with_allow(client):
    page = client.post("/search")
    assert page.status_code == 405 and "GET" in page.headers["Allow"] and page.mimetype == "text/html"
    assert html_of(page).find("p", "detail") is None  # werkzeug's English description is not shown
    api = client.post("/api/search")
    assert api.status_code == 405 and api.json["code"] == "method_not_allowed"
    assert "不支持这种请求方式" in api.json["error"]


def test_a_missing_index_is_explained_not_crashed(tmp_path):
    client = create_app({"INDEX_DIR": tmp_path / "none", "TESTING": True, "SECRET_KEY": "test"}).test_client()
    page = client.get("/search?q=x")
    assert page.status_code == 503 and "policy-search build" in page.data.decode()
    api = client.get("/api/search?q=x")
    assert api.status_code == 503 and "build" in api.json["error"]


# -- the production server's request log ----------------------------------------------------------


def test_request_log_has_method_path_status_and_time(app, caplog):
    with caplog.at_level(logging.INFO, logger="webui.requests"):
        response = Client(RequestLog(app)).get("/api/search?q=GDP")
        response.close()
    assert re.fullmatch(r"GET /api/search\?q=GDP 200 \d+\.\d ms", caplog.records[-1].getMessage())


@pytest.mark.parametrize("path", ["/api/passages//x", "/api/reports//"])
def test_a_doubled_slash_in_an_api_path_is_a_json_404_not_an_html_redirect(client, path):
    response = client.get(path)
    assert response.status_code == 404 and response.mimetype == "application/json"
    assert response.get_json()["code"] == "not_found"
