"""Searching within one report, and results in year or place order: the engine, the API and the CLI.

Orders are checked against the engine's own relevance order: ``year`` is newest first and, within a
year, the passages in the order a relevance search filtered to that year gives them; ``place`` is
by division code, then in relevance order within each place. Every page continues the one before.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from search.cli import cli
from search.errors import BadParameter, UnknownFilter
from webui import create_app

# (query, filters): a topic, a query of one word, no query at all (reading order), a filtered one.
QUERIES = [("发展", {}), ("就业", {}), ("", {}), ("GDP", {"year": ["2023", "2024"]})]
PER_PAGE = 7


def every_page(engine, q, **kwargs) -> list[dict]:
    first = engine.search(q, per_page=PER_PAGE, **kwargs)
    hits = list(first["hits"])  # the engine shares its cached lists
    for page in range(2, first["pages"] + 1):
        hits += engine.search(q, per_page=PER_PAGE, page=page, **kwargs)["hits"]
    assert len(hits) == min(first["total"], first["pages"] * PER_PAGE)
    return hits


@pytest.fixture(scope="module")
def adcodes(engine) -> dict:
    return {r["place"]: r["adcode"] for r in engine.reports()}


@pytest.mark.parametrize("q, filters", QUERIES)
def test_year_order_is_newest_first_and_relevance_within_a_year(engine, q, filters):
    hits = every_page(engine, q, sort="year", **filters)
    years = [h["year"] for h in hits]
    assert years == sorted(years, reverse=True) and len(set(years)) > 1
    for year in set(years):
        within = [h["id"] for h in every_page(engine, q, **{**filters, "year": [str(year)]})]
        assert [h["id"] for h in hits if h["year"] == year] == within


@pytest.mark.parametrize("q, filters", QUERIES)
def test_place_order_is_by_division_code_and_relevance_within_a_place(engine, adcodes, q, filters):
    hits = every_page(engine, q, sort="place", **filters)
    codes = [adcodes[h["place"]] for h in hits]
    assert codes == sorted(codes) and len(set(codes)) > 1
    for place in {h["place"] for h in hits}:
        within = [h["id"] for h in every_page(engine, q, **{**filters, "place": [place]})]
        assert [h["id"] for h in hits if h["place"] == place] == within


@pytest.mark.parametrize("sort", ["year", "place"])
def test_an_order_lists_the_same_passages_as_relevance(engine, sort):
    relevance = every_page(engine, "发展")
    ordered = every_page(engine, "发展", sort=sort)
    assert sorted(h["id"] for h in ordered) == sorted(h["id"] for h in relevance)
    assert [h["id"] for h in ordered] != [h["id"] for h in relevance]  # the cache keeps orders apart


@pytest.mark.parametrize("sort", ["", None, "relevance", " relevance "])
def test_relevance_is_the_default_order(engine, sort):
    assert engine.search("发展", sort=sort)["hits"] == engine.search("发展")["hits"]


@pytest.mark.parametrize("sort", ["date", "Year", "-year"])
def test_an_unknown_order_is_refused_in_chinese(engine, sort):
    with pytest.raises(BadParameter, match="不能按.*排序.*relevance.*year.*place"):
        engine.search("发展", sort=sort)


@pytest.mark.parametrize("q, sort", [("就业", None), ("", None), ("就业", "year"), ("发展 -就业", "place")])
def test_report_searches_that_report_only(engine, q, sort):
    report = engine.reports()[1]
    result = engine.search(q, report=report["id"], sort=sort, per_page=50)
    assert result["total"] and {h["report_id"] for h in result["hits"]} == {report["id"]}
    everywhere = engine.search(q, per_page=1)
    assert result["total"] < everywhere["total"]
    assert result["report"] == {"id": report["id"], "title": report["title"], "place": report["place"],
                                "year": report["year"]}
    assert "report_id" not in result["filters"]  # the facets' filters only
    assert sum(r["count"] for r in result["facets"]["place"]) == result["total"]  # counted within the report


def test_report_and_filters_combine(engine):
    report = engine.reports()[0]
    result = engine.search("", report=report["id"], section=["工作回顾"], per_page=50)
    assert result["total"] and all(h["report_id"] == report["id"] and h["section"] == "工作回顾"
                                   for h in result["hits"])


@pytest.mark.parametrize("report_id", ["nope", "../x", "ZZZZZZZZ"])
def test_an_unknown_report_is_refused(engine, report_id):
    with pytest.raises(UnknownFilter, match="没有编号为.*的报告") as refused:
        engine.search("发展", report=report_id)
    assert refused.value.code == "unknown_report"


def test_nothing_found_within_a_report_suggests_searches_that_stay_in_it(engine):
    report = engine.reports()[0]
    result = engine.search("森林覆盖路", report=report["id"])  # a typo
    assert result["suggestions"]
    for suggestion in result["suggestions"]:
        assert "report_id" not in suggestion["filters"]
        assert suggestion["report"] in (None, report["id"])


@pytest.mark.parametrize("filters, reason", [
    ({}, "在全部报告中检索"),
    ({"section": ["工作回顾"]}, "在全部报告中、不加筛选条件检索"),
])
def test_a_suggestion_that_leaves_the_report_says_so(engine, filters, reason):
    """A word the report never uses but others do: the way out names what it drops."""
    report = next(r for r in engine.reports() if not engine.search("抽水蓄能", report=r["id"])["total"]
                  and engine.search("抽水蓄能")["total"])
    result = engine.search("抽水蓄能", report=report["id"], **filters)
    leaving = [s for s in result["suggestions"] if s["report"] is None]
    assert leaving and leaving[0]["reason"] == reason and leaving[0]["filters"] == {}


# -- the API and the CLI --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(seed_index, tmp_path_factory):
    briefings = tmp_path_factory.mktemp("briefings") / "b.sqlite3"
    return create_app({"INDEX_DIR": seed_index, "TESTING": True, "BRIEFINGS_DB": briefings,
                       "SECRET_KEY": "test"}).test_client()


@pytest.mark.parametrize("sort", ["year", "place"])
def test_api_pages_in_order_continue_each_other(client, engine, sort):
    pages = [client.get("/api/search", query_string={"q": "发展", "sort": sort, "per_page": 9, "page": n}).json
             for n in (1, 2, 3)]
    assert [p["sort"] for p in pages] == [sort] * 3
    ids = [h["id"] for p in pages for h in p["hits"]]
    assert ids == [h["id"] for h in engine.search("发展", sort=sort, per_page=27)["hits"]]


def test_api_search_within_a_report(client, engine):
    report = engine.reports()[2]
    body = client.get("/api/search", query_string={"q": "发展", "report": report["id"]}).json
    assert body["report"]["id"] == report["id"] and {h["report_id"] for h in body["hits"]} == {report["id"]}
    refused = client.get("/api/search", query_string={"q": "发展", "report": "nope"})
    assert (refused.status_code, refused.json["code"]) == (400, "unknown_report")


def test_results_page_keeps_the_order_and_the_report_in_its_links(client, engine):
    report = engine.reports()[0]
    html = client.get("/search", query_string={"q": "发展", "report": report["id"], "sort": "year"}).get_data(as_text=True)
    assert "仅在" in html and report["title"] in html
    assert f"report={report['id']}" in html and "sort=year" in html  # paging and facets stay within


@pytest.mark.parametrize("args, expected", [
    (["--sort", "year"], "2024年"),
    (["--report", "{report_id}"], "within: {place}"),
])
def test_cli_search_sorts_and_searches_within_a_report(seed_index, engine, args, expected):
    report = engine.reports()[0]
    args = [a.format(report_id=report["id"]) for a in args]
    result = CliRunner().invoke(cli, ["search", "发展", *args, "--limit", "3", "--index", str(seed_index)])
    assert result.exit_code == 0, result.output
    assert expected.format(place=report["place"]) in result.output.splitlines()[0 if "within" in expected else 3]


@pytest.mark.parametrize("args, message", [(["--sort", "date"], "不能按“date”排序"),
                                           (["--report", "nope"], "没有编号为“nope”的报告")])
def test_cli_refuses_an_unknown_order_or_report(seed_index, args, message):
    result = CliRunner().invoke(cli, ["search", "发展", *args, "--index", str(seed_index)])
    assert result.exit_code == 1 and message in result.output


@pytest.mark.parametrize("params, headline, repair", [
    ({"q": "发展", "report": "nope", "sort": "year"}, "没有这份报告", "在全部报告中检索"),
    ({"q": "发展", "sort": "date", "year": "2023"}, "没有这种排序", "按相关度排序"),
])
def test_error_page_explains_and_its_repair_link_works(client, params, headline, repair):
    from .web_helpers import parse_html

    response = client.get("/search", query_string=params)
    page = parse_html(response.data)
    assert response.status_code == 400 and headline in page.find("h1").text
    link = next(a for a in page.find_all("a") if a.text == repair)
    repaired = client.get(link.attrs["href"])
    assert repaired.status_code == 200 and "发展" in repaired.get_data(as_text=True)
