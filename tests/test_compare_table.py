"""The compare page's controls and table (``/compare``, ``/api/compare``, ``/compare.csv``,
``/compare.xlsx``) over the national reports and the provinces' reports (``corpus_index``): filters
for year, place, province and level on the page; a line per place and year with the target and the
result side by side; sorting; 未能确定; places without a report for the year said plainly."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest

from search.figures.compare import TABLE_COLUMNS
from webui import create_app

from .web_helpers import form_fields, parse_html


@pytest.fixture(scope="module")
def client(corpus_index, tmp_path_factory):
    db = tmp_path_factory.mktemp("compare-table") / "b.sqlite3"
    app = create_app({"INDEX_DIR": corpus_index, "TESTING": True, "BRIEFINGS_DB": db, "SECRET_KEY": "test",
                      "RATE_LIMIT": 0})
    return app.test_client()


def api(client, **params) -> dict:
    response = client.get("/api/compare", query_string=params)
    assert response.status_code == 200, response.json
    return response.json


def page(client, **params):
    response = client.get("/compare", query_string=params)
    assert response.status_code == 200, response.data[:300]
    return parse_html(response.data)


@pytest.mark.parametrize("params, places", [
    ({"level": "国家级"}, {"全国"}),  # one level
    ({"level": "省级", "year": "2024"}, {"北京", "江苏", "湖北", "内蒙古"}),  # provinces only, a year
    ({"province": "江苏"}, {"江苏"}),  # a province by its short name
    ({"place": "全国", "year": "2014"}, {"全国"}),  # the nation, one year
])
def test_filters_narrow_the_places_and_the_years(client, params, places):
    data = api(client, q="地区生产总值", **params)
    shown = {line["county"] for line in data["table"]}
    assert shown and (shown == places if len(places) == 1 else places <= shown)
    if params.get("level") == "省级":
        assert "全国" not in shown
    if "year" in params:
        assert {line["year"] for line in data["table"]} == {int(params["year"])}
    # The page shows the same lines.
    rows = page(client, q="地区生产总值", **params).find("table", "compare-table").find("tbody").find_all("tr")
    assert [tr.find("th").text.strip() for tr in rows] == [line["county"] for line in data["table"]]


def test_a_line_holds_the_target_and_the_result_of_its_place_and_year(client):
    data = api(client, q="地区生产总值", place="全国")
    lines = {line["year"]: line for line in data["table"]}
    assert len(lines) == len(data["table"])  # one line per year for one place
    both = [line for line in data["table"] if line["target"] and line["actual"]]
    assert both, "the nation states a target and a result for some year"
    for line in both:
        assert line["target"]["role"] == "target" and line["actual"]["role"] == "actual"
        assert line["target"]["year"] == line["actual"]["year"] == line["year"]
    tr = next(tr for tr in page(client, q="地区生产总值", place="全国").find("tbody").find_all("tr")
              if f"{both[0]['year']}年" in tr.find("td", "compare-year").text)
    target, actual = tr.find("td", "compare-target"), tr.find("td", "compare-actual")
    assert target.attrs["id"] == f"row-{both[0]['target']['passage']['id']}"
    assert actual.attrs["id"] == f"row-{both[0]['actual']['passage']['id']}"


def test_chart_bars_name_their_series(client):
    data = api(client, q="地区生产总值", place="全国")
    labels = [bar["label"] for bar in data["chart"]["bars"]]
    assert len(set(labels)) == len(labels)  # no two bars read 全国 2024
    assert {bar["series"] for bar in data["chart"]["bars"]} == {"目标", "实绩"}
    for bar in data["chart"]["bars"]:
        assert bar["label"] == f"全国 {bar['year']} {bar['series']}"
    drawn = page(client, q="地区生产总值", place="全国").find("figure", "figure-chart")
    assert [t.text for t in drawn.find_all("text", "bar-label")] == labels


@pytest.mark.parametrize("sort, order, key, descending", [
    ("actual", "", "actual_value", True),  # a result, largest first
    ("actual", "asc", "actual_value", False),
    ("target", "", "target_value", True),
])
def test_sorting_by_a_figure(client, sort, order, key, descending):
    data = api(client, q="地区生产总值", level="省级", year="2024", sort=sort, order=order)
    values = [line[key] for line in data["table"]]
    valued = [v for v in values if v is not None]
    assert valued == sorted(valued, reverse=descending)
    assert values[:len(valued)] == valued  # lines without a value come last
    if sort == "actual":
        assert len(valued) >= 4


def test_sorting_by_place_turns_the_order_round(client):
    forward = [line["county"] for line in api(client, q="地区生产总值", year="2024")["table"]]
    backward = [line["county"] for line in api(client, q="地区生产总值", year="2024", sort="place", order="desc")["table"]]
    assert backward == forward[::-1] and len(forward) > 3


def test_column_headings_sort_without_javascript(client):
    html = page(client, q="地区生产总值", year="2024", level="省级")
    headings = {th.text.strip(" ▲▼"): th for th in html.find("table", "compare-table").find("thead").find_all("th")}
    assert headings["地区"].attrs["aria-sort"] == "ascending"
    link = headings["实绩"].find("a").attrs["href"]
    query = parse_qs(urlsplit(link).query)
    assert query["sort"] == ["actual"] and query["year"] == ["2024"] and query["level"] == ["省级"]
    sorted_page = parse_html(client.get(link).data)
    heading = [th for th in sorted_page.find("thead").find_all("th") if "实绩" in th.text][0]
    assert heading.attrs["aria-sort"] == "descending"
    again = parse_qs(urlsplit(heading.find("a").attrs["href"]).query)  # a second click: the other way round
    assert again["sort"] == ["actual"] and again["order"] == ["asc"]


def test_the_form_offers_year_level_province_and_place(client):
    html = page(client, q="地区生产总值", year="2024", level="省级", province="江苏")
    form = html.find("form", "compare-form")
    fields = form_fields(form)
    assert fields["q"] == "地区生产总值" and fields["year"] == "2024" and fields["level"] == "省级"
    assert fields["province"] == "江苏省"
    years = [o.attrs["value"] for o in html.by_id["compare-year"].find_all("option")]
    assert "" in years and "2024" in years and "2014" in years
    levels = [o.attrs["value"] for o in html.by_id["compare-level"].find_all("option")]
    assert levels == ["", "国家级", "省级"]
    assert html.by_id["compare-place"].attrs["name"] == "place"


def test_unsure_figures_say_so(client):
    data = api(client, q="城乡居民人均可支配收入", year="2025")
    unsure = [r for r in data["rows"] if r["unsure"]]
    assert unsure and all(not r["figures"] for r in unsure)
    html = page(client, q="城乡居民人均可支配收入", year="2025")
    for row in unsure:
        cell = html.by_id[f"row-{row['passage']['id']}"]
        assert "未能确定" in cell.find(cls="compare-figures").text and "未给出数值" not in cell.text


def test_places_without_a_report_for_the_year_are_said_plainly(client):
    data = api(client, q="地区生产总值", year="2014")
    provinces = {"北京", "江苏", "湖北", "内蒙古"}
    assert provinces <= set(data["no_report"]) and not provinces & set(data["missing"])
    assert {line["county"] for line in data["table"]} == {"全国"}
    html = page(client, q="地区生产总值", year="2014")
    line = html.find("p", "no-report").text
    assert line.startswith("以下地区没有2014年的报告：") and "北京" in line
    missing = html.find("p", "missing")
    assert missing is None or "北京" not in missing.text


@pytest.mark.parametrize("params, message, headline, repair", [
    ({"sort": "colour"}, "排序方式", "无法这样排序", {"q": ["地区生产总值"], "year": ["2024"]}),
    ({"order": "sideways"}, "排序方向", "无法这样排序", {"q": ["地区生产总值"], "year": ["2024"]}),
    # every filter dropped, not the bad one kept
    ({"level": "乡级"}, "乡级", "没有这个筛选条件", {"q": ["地区生产总值"]}),
    ({"province": "火星"}, "火星", "没有这个筛选条件", {"q": ["地区生产总值"]}),
])
def test_bad_controls_are_a_clear_400_in_chinese_with_a_repair(client, params, message, headline, repair):
    query = {"q": "地区生产总值", "year": "2024", **params}
    for path in ("/api/compare", "/compare", "/compare.csv", "/compare.xlsx"):
        response = client.get(path, query_string=query)
        assert response.status_code == 400 and message in response.get_data(as_text=True), path
    for path in ("/compare", "/compare.csv"):
        assert parse_html(client.get(path, query_string=query).data).find("h1").text == headline
    html = parse_html(client.get("/compare", query_string=query).data)
    link = html.find("ul", "repairs").find("a").attrs["href"]
    assert parse_qs(urlsplit(link).query) == repair and client.get(link).status_code == 200


def test_the_table_downloads_as_csv_and_excel_in_the_page_order(client):
    params = {"q": "地区生产总值", "level": "省级", "year": "2024", "sort": "actual"}
    data = api(client, **params)
    html = page(client, **params)
    csv_link = html.find("a", "download-csv").attrs["href"]
    body = client.get(csv_link).data
    assert body.startswith("\ufeff".encode())
    header, *rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert header == list(TABLE_COLUMNS)
    assert [(r[0], int(r[2])) for r in rows] == [(line["county"], line["year"]) for line in data["table"]]
    for row, line in zip(rows, data["table"]):
        cells = dict(zip(header, row))
        if line["actual"]:
            assert cells["实绩链接"] == f"http://localhost/p/{line['actual']['passage']['id']}"
            assert cells["实绩原文"] == line["actual"]["passage"]["text"]
            assert all(f["text"] in cells["实绩"] for f in line["actual"]["figures"])
        else:
            assert cells["实绩"] == cells["实绩链接"] == ""
    xlsx = client.get(html.find("a", "download-xlsx").attrs["href"])
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data), read_only=True, data_only=True).worksheets[0]
    table = [["" if c is None else c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert table[0] == list(TABLE_COLUMNS)
    assert [[str(c) for c in row] for row in table[1:]] == rows


def test_a_place_crowded_out_of_the_best_hits_still_gets_its_figure(corpus_index, monkeypatch):
    """A broad comparison's best hits can all come from a few places; a place with a report for the
    year is searched on its own before it is called 未找到数值."""
    from search.engine import Engine
    from search.figures import compare as compare_module

    engine = Engine(corpus_index)
    whole = compare_module.compare(engine, "地区生产总值", year=["2024"])
    with_figures = {line["place"] for line in whole["table"] if line["target"] or line["actual"]}
    # One page of five hits: most places are crowded out of the first pass.
    monkeypatch.setattr(compare_module, "CANDIDATE_PAGES", 1)
    monkeypatch.setattr(compare_module, "PAGE", 5)
    narrow = compare_module.compare(engine, "地区生产总值", year=["2024"])
    first_pass = {h["place"] for h in engine.search("地区生产总值", year=["2024"], per_page=5)["hits"]}
    assert len(with_figures) > len(first_pass) + 3
    found = {line["place"] for line in narrow["table"] if line["target"] or line["actual"]}
    assert found == with_figures and narrow["missing"] == whole["missing"]
