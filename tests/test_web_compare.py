"""Comparing an indicator across counties (``/compare`` and ``/api/compare``), the links that lead
there, and the link that searches a term literally when synonyms were added."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from webui import create_app
from webui.figures.charts import text_width
from webui.searching.params import literal_query

from .web_helpers import form_fields, parse_html

MAIN_INDICATORS = ["地区生产总值", "一般公共预算收入", "固定资产投资", "社会消费品零售总额", "城乡居民人均可支配收入", "城镇新增就业"]
PLAN_SECTIONS = {"目标安排", "重点任务"}


@pytest.fixture(scope="module")
def app(seed_index, tmp_path_factory):
    db = tmp_path_factory.mktemp("compare") / "b.sqlite3"
    return create_app({"INDEX_DIR": seed_index, "TESTING": True, "BRIEFINGS_DB": db, "SECRET_KEY": "test",
                       "RATE_LIMIT": 0})


@pytest.fixture
def client(app):
    return app.test_client()


def page_of(response):
    assert response.status_code == 200 and response.mimetype == "text/html", response.data[:300]
    assert b' style="' not in response.data and b"<style" not in response.data  # the CSP forbids them
    return parse_html(response.data)


def query_of(url: str) -> dict:
    return parse_qs(urlsplit(url).query)


@pytest.mark.parametrize("indicator", MAIN_INDICATORS)
def test_each_main_indicator_gives_a_row_per_county_and_year_with_figures(client, indicator):
    data = client.get("/api/compare", query_string={"q": indicator}).json
    assert {r["county"] for r in data["rows"] if r["figures"]} >= {"云阳", "酉阳", "涪陵", "城口"}
    assert len({(r["county"], r["year"], r["role"]) for r in data["rows"]}) == len(data["rows"])
    page = page_of(client.get("/compare", query_string={"q": indicator}))
    lines = list(page.find("table", "compare-table").find("tbody").find_all("tr"))
    # One line per place and year, its target and its result side by side.
    assert [(tr.find("th").text.strip(), tr.find("td", "compare-year").text.strip()) for tr in lines] == \
        [(line["county"], f"{line['year']}年") for line in data["table"]]
    cells = {td.attrs["id"]: td for tr in lines for td in tr.find_all("td", "compare-cell") if "id" in td.attrs}
    assert sorted(cells) == sorted(f"row-{r['passage']['id']}" for r in data["rows"])
    rows = [cells[f"row-{r['passage']['id']}"] for r in data["rows"]]
    for tr, row in zip(rows, data["rows"]):
        passage = row["passage"]
        assert f"compare-{row['role']}" in tr.classes
        figures = tr.find(cls="compare-figures").text
        assert all(f["text"] in figures for f in row["figures"])
        assert row["figures"] or ("未能确定" if row["unsure"] else "未给出数值") in figures
        assert passage["citation"] in tr.text
        links = [a.attrs["href"] for a in tr.find_all("a")]
        assert f"/p/{passage['id']}" in links and f"/reports/{passage['report_id']}#{passage['id']}" in links
        form = tr.find("form", "add-briefing-form")
        assert form_fields(form)["passage_id"] == passage["id"] and form.attrs["action"] == "/b/add"
        assert tr.find("div", "notices").attrs["data-for"] == f"passage-{passage['id']}"  # where "已加入" shows
    # Exact rows mark the indicator or a synonym; a near match (奉节's 城镇新就业) marks what it says.
    exact_rows = [tr for tr, row in zip(rows, data["rows"]) if row["passage"].get("match") != "near"]
    marked = [m for tr in exact_rows for m in tr.find_all("mark", "term")]
    assert marked and all(m.text in [indicator, *data["also_searched"].get(indicator, [])] for m in marked)


@pytest.mark.parametrize("indicator, county, year, shown, wrong", [
    ("一般公共预算收入", "城口", 2022, ["34.3%"], "12.5%"),  # …和一般公共预算收入分别增长12.5%和34.3%
    ("固定资产投资", "云阳", 2023, ["350亿元以上", "18%以上"], "78亿元"),  # 78亿元 is 交通固定资产投资
    ("固定资产投资", "城口", 2022, ["9.3%"], "41亿元"),  # the 重大项目's share
    ("固定资产投资", "城口", 2023, ["12%"], "48亿元"),
    ("地区生产总值", "奉节", 2024, ["6.5%左右"], "550亿元"),  # 550亿元 is a five-year goal
])
def test_the_page_states_the_right_figure_as_the_report_writes_it_and_never_the_wrong_one(
        client, indicator, county, year, shown, wrong):
    data = client.get("/api/compare", query_string={"q": indicator}).json
    row = next(r for r in data["rows"] if (r["county"], r["year"]) == (county, year))
    tr = page_of(client.get("/compare", query_string={"q": indicator})).by_id[f"row-{row['passage']['id']}"]
    values = [span.text for span in tr.find(cls="compare-figures").find_all("span", "figure-value")]
    assert values == shown and wrong not in tr.find(cls="compare-figures").text


def test_a_table_row_labels_the_value_that_is_not_its_rows_kind(client):
    data = client.get("/api/compare?q=森林覆盖率").json
    row = next(r for r in data["rows"] if (r["county"], r["year"]) == ("涪陵", 2022))
    tr = page_of(client.get("/compare?q=森林覆盖率")).by_id[f"row-{row['passage']['id']}"]
    # 森林覆盖率（%）*：2022年预期目标 53，2022年完成情况 52, in the review: 53 is the target.
    assert [s.text for s in tr.find(cls="compare-figures").find_all("span", "figure-value")] == ["53%（目标）", "52%"]


def test_the_comparison_leads_to_targets_against_results(client):
    link = page_of(client.get("/compare?q=地区生产总值")).find("a", "targets-link")
    assert urlsplit(link.attrs["href"]).path == "/targets" and query_of(link.attrs["href"]) == {"q": ["地区生产总值"]}
    assert client.get(link.attrs["href"]).status_code == 200


def test_gdp_draws_a_bar_per_charted_row_to_scale_inside_the_drawing(client):
    data = client.get("/api/compare?q=地区生产总值").json
    chart = data["chart"]
    assert chart and chart["unit"] and len(chart["bars"]) >= 4
    figure = page_of(client.get("/compare?q=地区生产总值")).find("figure", "figure-chart")
    assert chart["unit"] in figure.find("figcaption").text
    svg = figure.find("svg", "bars")
    width = float(svg.attrs["viewbox"].split()[2])  # the parser lowercases attribute names
    groups = list(svg.find_all("g"))
    assert [g.find("text", "bar-count").text for g in groups] == [b["text"] for b in chart["bars"]]
    lengths = [float(g.find("rect").attrs["width"]) for g in groups]
    longest = max(range(len(lengths)), key=lengths.__getitem__)
    assert chart["bars"][longest]["value"] == chart["max"]
    for g, bar, length in zip(groups, chart["bars"], lengths):
        assert length / lengths[longest] == pytest.approx(bar["value"] / chart["max"], abs=0.02)
        label_end = text_width(g.find("text", "bar-label").text)
        count_x = float(g.find("text", "bar-count").attrs["x"])
        assert label_end < float(g.find("rect").attrs["x"]) and count_x + text_width(bar["text"]) <= width
    plans = {r["passage"]["id"] for r in data["rows"] if r["section"] in PLAN_SECTIONS}
    assert [("is-target" in g.classes) for g in groups] == [b["passage_id"] in plans for b in chart["bars"]]
    assert "目标" in figure.find("p", "chart-legend").text


def test_counties_without_a_figure_are_named_with_a_search_of_their_reports(client):
    data = client.get("/api/compare?q=森林覆盖率").json
    assert data["missing"] == ["城口"] and "城口" not in {r["county"] for r in data["rows"] if r["figures"]}
    line = page_of(client.get("/compare?q=森林覆盖率")).find("p", "missing")
    assert line.text.strip().startswith("未找到数值：城口")
    assert query_of(line.find("a").attrs["href"]) == {"q": ["森林覆盖率"], "place": ["城口"]}


def test_no_query_is_the_starting_page_with_the_main_indicators(client):
    for url in ("/compare", "/compare?q=", "/compare?q=+OR+"):
        page = page_of(client.get(url))
        assert page.find("form", "compare-form") and not page.find("table", "compare-table")
        offered = [query_of(a.attrs["href"])["q"][0] for a in list(page.find("p", "indicators").find_all("a"))]
        assert offered == MAIN_INDICATORS
    response = client.get("/api/compare")
    assert response.status_code == 400 and "地区生产总值" in response.json["error"]


@pytest.mark.parametrize("params, headline, repair", [
    ({"q": '"开放'}, "无法执行这个查询", {"q": ["开放"]}),
    ({"q": "地区生产总值", "year": "1999"}, "没有这个筛选条件", {"q": ["地区生产总值"]}),
    ({"q": "地区生产总值", "section": "序言"}, "没有这个筛选条件", {"q": ["地区生产总值"]}),
    ({"q": "森林\x00覆盖率"}, "无法执行这个查询", {"q": ["森林覆盖率"]}),
])
def test_bad_input_is_400_as_json_and_as_a_page_that_explains(client, params, headline, repair):
    api = client.get("/api/compare", query_string=params)
    assert api.status_code == 400 and api.mimetype == "application/json" and api.json["error"]
    page = client.get("/compare", query_string=params)
    assert page.status_code == 400 and "\x00" not in page.get_data(as_text=True)
    html = parse_html(page.data)
    assert html.find("h1").text == headline
    repairs = [a.attrs["href"] for a in html.find("ul", "repairs").find_all("a")]
    assert urlsplit(repairs[0]).path == "/compare" and query_of(repairs[0]) == repair


def test_nothing_found_says_so_and_offers_the_full_text_search(client):
    page = page_of(client.get("/compare?q=不存在的词语组合"))
    assert not page.find("table", "compare-table") and "没有找到" in page.find(cls="no-results").text
    assert "/search?q=" in " ".join(page.links())


def test_results_or_targets_only(client):
    results = client.get("/api/compare?q=地区生产总值&section=工作回顾").json
    assert results["rows"] and {r["section"] for r in results["rows"]} == {"工作回顾"}
    page = page_of(client.get("/compare?q=地区生产总值&section=目标安排&section=重点任务"))
    current = [a for a in page.find("nav", "compare-sections").find_all("a") if a.attrs.get("aria-current")]
    assert [a.text for a in current] == ["目标（目标安排、重点任务）"]
    sections = {span.text for span in page.find_all("span", "section-badge")}
    assert sections and sections <= PLAN_SECTIONS
    hidden = form_fields(page.find("form", "compare-form"))
    assert hidden["section"] and hidden["q"] == "地区生产总值"  # a new indicator keeps the filter


def test_adding_a_row_to_a_briefing_without_javascript_comes_back_to_the_row(client):
    page = page_of(client.get("/compare?q=固定资产投资"))
    row = page.find("table", "compare-table").find("tbody").find("td", "compare-cell")
    fields = form_fields(row.find("form", "add-briefing-form")) | {"title": "固投对比"}
    response = client.post("/b/add", data=fields)
    assert response.status_code == 303
    back = urlsplit(response.headers["Location"])
    assert back.path == "/compare" and back.fragment == row.attrs["id"]
    again = page_of(client.get(f"{back.path}?{back.query}"))
    assert "已加入简报《固投对比》" in again.by_id[row.attrs["id"]].find("div", "notices").text


def test_the_query_is_echoed_escaped(client):
    response = client.get("/compare", query_string={"q": "<script>alert(1)</script>"})
    assert b"<script>alert" not in response.data and "&lt;script&gt;" in response.get_data(as_text=True)


# -- links to the comparison, and the literal term -------------------------------------------------


def test_the_home_page_and_the_header_lead_to_the_comparison(client):
    page = page_of(client.get("/"))
    offered = [query_of(href).get("q", [""])[0] for href in page.links() if href.startswith("/compare")]
    assert "" in offered and set(MAIN_INDICATORS) <= set(offered)
    assert "/compare" in [a.attrs["href"] for a in page.find("nav", "site-nav").find_all("a")]


def test_search_results_link_to_the_comparison_keeping_every_filter(client):
    page = page_of(client.get("/search?q=森林覆盖率&year=2022&county=云阳&level=县级&section=工作回顾"))
    link = page.find("p", "compare-link").find("a")
    assert link.text == "按地区对比“森林覆盖率”"
    assert query_of(link.attrs["href"]) == {"q": ["森林覆盖率"], "year": ["2022"], "place": ["重庆市云阳县"],
                                            "level": ["县级"], "section": ["工作回顾"]}
    compared = client.get("/api/compare", query_string=query_of(link.attrs["href"]), ).json
    assert {(r["county"], r["year"], r["section"]) for r in compared["rows"]} == {("云阳", 2022, "工作回顾")}
    assert not page_of(client.get("/search?q=不存在的词语组合")).find("p", "compare-link")


def test_synonyms_come_with_a_link_that_searches_the_term_literally(client):
    page = page_of(client.get("/search?q=GDP&county=涪陵"))
    link = page.find("p", "also-searched").find("a", "literal-link")
    assert link.text == "只搜“GDP”"
    assert query_of(link.attrs["href"]) == {"q": ['"GDP"'], "place": ["重庆市涪陵区"]}
    literal = client.get("/api/search", query_string={"q": '"GDP"', "county": "涪陵"}).json
    expanded = client.get("/api/search", query_string={"q": "GDP", "county": "涪陵"}).json
    assert literal["also_searched"] == {} and 0 < literal["total"] < expanded["total"]
    assert not page_of(client.get('/search?q="GDP"')).find("a", "literal-link")  # nothing was added
    compare_link = page_of(client.get("/compare?q=GDP")).find("a", "literal-link")
    assert compare_link.text == "只对比“GDP”" and query_of(compare_link.attrs["href"]) == {"q": ['"GDP"']}


@pytest.mark.parametrize("q, term, literal", [
    ("GDP", "GDP", '"GDP"'),
    ("GDP OR 社零 -疫情", "社零", 'GDP OR "社零" -疫情'),
    ("固投  固投 云阳", "固投", '"固投" "固投" 云阳'),
    ("-GDP 增长", "GDP", "-GDP 增长"),  # an excluded term is not expanded, so not offered either
])
def test_the_literal_query_quotes_only_that_term(q, term, literal):
    assert literal_query(q, term) == literal
