"""The ledger's page, its JSON twin and its downloads, and the coverage grid, over the national reports
and the provinces' 2025 and 2026 reports (the ``corpus_index`` of conftest)."""

from __future__ import annotations

import csv
import io
import zipfile
from urllib.parse import parse_qs, urlsplit

import pytest

from search.figures.ledger_columns import FIELDS
from webui import create_app

from .web_helpers import parse_html


@pytest.fixture(scope="module")
def client(corpus_index, tmp_path_factory):
    db = tmp_path_factory.mktemp("ledger-web") / "b.sqlite3"
    app = create_app({"INDEX_DIR": corpus_index, "TESTING": True, "BRIEFINGS_DB": db, "SECRET_KEY": "test",
                      "RATE_LIMIT": 0})
    return app.test_client()


def api(client, **params) -> dict:
    response = client.get("/api/targets", query_string=params)
    assert response.status_code == 200, response.json
    return response.json


def test_the_api_carries_every_field_and_the_rule(client):
    data = api(client, place="全国", q="GDP", year="2014", rule="tolerance")
    (row,) = data["rows"]
    assert set(FIELDS) <= set(row) and [c["name"] for c in data["columns"]] == list(FIELDS)
    assert (row["target_text"], row["actual_text"], row["met"], row["met_strict"]) == ("7.5%左右", "7.4%", True, False)
    assert data["rule"] == "tolerance" and data["tolerance"] == 0.5


@pytest.mark.parametrize("params, message", [
    ({"place": "火星"}, "火星"),  # an unknown place
    ({"q": "幸福指数"}, "没有指标"),  # not a ledger indicator
    ({"rule": "loose"}, "判断规则"),
    ({"level": "乡级"}, "级别"),
    ({"year": "二〇二四"}, "年份"),
    ({"sort": "colour"}, "排序"),
    ({"sort": "year", "order": "sideways"}, "排序方向"),
])
def test_bad_params_are_a_clear_400_in_chinese(client, params, message):
    response = client.get("/api/targets", query_string=params)
    assert response.status_code == 400 and message in response.json["error"]
    for path in ("/targets", "/targets.csv", "/targets.xlsx"):
        page = client.get(path, query_string=params)
        assert page.status_code == 400 and message in page.get_data(as_text=True)


def test_the_page_shows_the_rule_in_force_and_switching_it_changes_verdicts(client):
    def verdict_2014(rule):
        page = parse_html(client.get("/targets", query_string={"place": "全国", "q": "地区生产总值", "rule": rule}).data)
        (checked,) = [i for i in page.find_all("input") if i.attrs.get("name") == "rule" and "checked" in i.attrs]
        assert checked.attrs["value"] == rule
        row = next(tr for tr in page.find("table", "ledger-table").find("tbody").find_all("tr")
                   if list(tr.find_all("td"))[1].text.strip() == "2014")
        return page.find("p", "ledger-rule-in-force").text, row.find("span", "status-badge").text.strip()

    assert verdict_2014("strict") == ("当前规则：严格：达到目标值（区间取下限）。", "未达到")
    rule_text, verdict = verdict_2014("tolerance")
    assert "容差 0.5 个百分点" in rule_text and verdict == "达到"


def test_the_page_links_both_passages_and_draws_the_series(client):
    page = parse_html(client.get("/targets", query_string={"place": "全国", "q": "GDP"}).data)
    rows = list(page.find("table", "ledger-table").find("tbody").find_all("tr"))
    years = [int(list(tr.find_all("td"))[1].text) for tr in rows]
    assert years == sorted(years) and {2010, 2016, 2019, 2025} <= set(years)
    row_2016 = rows[years.index(2016)]
    assert row_2016.find("td", "target-value").text.strip() == "6.5%－7%"
    links = [a.attrs["href"] for a in row_2016.find("td", "ledger-cites").find_all("a")]
    assert len(links) == 2 and all(href.startswith("/p/") for href in links)
    assert client.get(links[1]).status_code == 200
    (chart,) = list(page.find_all("figure", "ledger-chart"))
    assert "全国“地区生产总值”" in chart.find("figcaption").text
    assert len(list(chart.find_all("circle", "actual"))) == 15  # 2009 and 2020 have results only and len(list(chart.find_all("rect", "band"))) == 15


def test_sorting_by_a_column(client):
    page = parse_html(client.get("/targets", query_string={"q": "GDP", "year": "2025", "level": "省级",
                                                           "sort": "amplification", "order": "desc"}).data)
    cells = [list(tr.find_all("td"))[7].text for tr in page.find("table", "ledger-table").find("tbody").find_all("tr")]
    assert cells[0].startswith("+1") and cells[-1].startswith("+0")
    (header,) = [th for th in page.find_all("th") if th.attrs.get("aria-sort") == "descending"]
    assert "加码" in header.text


def test_the_downloads_keep_the_page_query_and_every_row(client):
    query = {"q": "GDP", "level": "省级", "year": "2025", "rule": "tolerance"}
    page = parse_html(client.get("/targets", query_string=query).data)
    for cls in ("download-csv", "download-xlsx"):
        href = page.find("a", cls).attrs["href"]
        assert {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()} == query
    rows = api(client, **query)["rows"]
    body = client.get("/targets.csv", query_string=query).data
    assert body.startswith("\ufeff".encode("utf-8"))
    table = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(table) == len(rows) == 12
    beijing = next(r for r in table if r["place"] == "北京")
    assert (beijing["target_low"], beijing["actual"], beijing["met"], beijing["amplification"]) == ("5", "5.4", "TRUE", "0")
    assert beijing["target_url"].startswith("http://localhost/p/") and "北京市" in beijing["target_citation"]
    xlsx = client.get("/targets.xlsx", query_string=query)
    assert xlsx.mimetype.endswith("spreadsheetml.sheet")
    with zipfile.ZipFile(io.BytesIO(xlsx.data)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode("utf-8")
        strings = book.read("xl/sharedStrings.xml").decode("utf-8") if "xl/sharedStrings.xml" in book.namelist() else ""
    assert sheet.count("<row ") == 13  # the header and every row
    assert "北京市" in sheet + strings and "http://localhost/p/" in sheet + strings


def test_coverage_is_a_grid_of_places_and_years(client):
    data = client.get("/api/coverage").json
    national = data["places"][0]
    assert national["place"] == "全国" and data["years"][0] == 2010
    assert sorted(map(int, national["cells"])) == [y for y in range(2010, 2026) if y != 2020]
    provinces = client.get("/api/coverage", query_string={"level": "省级"}).json
    assert {p["level"] for p in provinces["places"]} == {"省级"} and provinces["years"] == [2025, 2026]
    page = parse_html(client.get("/coverage", query_string={"province": "北京市"}).data)
    links = list(page.find("table", "coverage-table").find_all("a", "type-chip"))
    assert len(links) == 2  # 北京's 2025 Word report and its 2026 web text
    href = links[0].attrs["href"]
    assert parse_qs(urlsplit(href).query) == {"place": ["北京市"], "year": ["2025"]} and client.get(href).status_code == 200
    assert client.get("/api/coverage", query_string={"province": "火星"}).status_code == 400
