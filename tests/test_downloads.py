"""Downloads of every hit of a search: ``/search.csv``, ``/search.xlsx`` and ``search --csv``, over the
seed index: the same hits as the search, in its order, all of them, with the same refusals."""

from __future__ import annotations

import csv
import io
from urllib.parse import unquote

import openpyxl
import pytest
from click.testing import CliRunner

from search.cli import cli
from search.downloads import HIT_COLUMNS
from webui import create_app

from .web_helpers import parse_html


@pytest.fixture(scope="module")
def client(seed_index, tmp_path_factory):
    db = tmp_path_factory.mktemp("downloads") / "b.sqlite3"
    app = create_app({"INDEX_DIR": seed_index, "TESTING": True, "BRIEFINGS_DB": db, "SECRET_KEY": "test",
                      "RATE_LIMIT": 0})
    return app.test_client()


def every_hit_by_paging(client, params: dict) -> list[dict]:
    """The search's hits as an analyst would page through them in the API."""
    hits, page = [], 1
    while True:
        result = client.get("/api/search", query_string={**params, "page": page, "per_page": 50}).json
        hits += result["hits"]
        if page >= result["pages"]:
            return hits
        page += 1


def csv_table(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode("utf-8")), "no BOM: Excel would read the CSV as GBK"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_table(body: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True, data_only=True).worksheets[0]
    return [["" if cell is None else cell for cell in row] for row in sheet.iter_rows(values_only=True)]


SEARCHES = [
    {"q": "经济"},  # more hits (205) than a page can hold (50)
    {"q": "乡村振兴 OR 农村", "year": "2023"},  # an operator and a filter
    {"q": "森林覆盖路"},  # near matches only (a typo), ranked as the search ranks them
    {"q": "", "place": "云阳"},  # no query: the place's passages in reading order; a short place name
    {"q": "经济", "sort": "year"},  # the page's order, newest year first, is the file's
    {"q": "经济", "sort": "place"},
]


@pytest.mark.parametrize("params", SEARCHES)
@pytest.mark.parametrize("ext, read", [("csv", csv_table), ("xlsx", xlsx_table)])
def test_a_download_holds_every_hit_in_the_search_order(client, params, ext, read):
    expected = every_hit_by_paging(client, params)
    response = client.get(f"/search.{ext}", query_string=params)
    assert response.status_code == 200
    header, *rows = read(response.data)
    assert header == list(HIT_COLUMNS)
    assert len(rows) == len(expected) > 0
    for row, hit in zip(rows, expected):
        cells = dict(zip(header, row))
        assert cells["链接"] == f"http://localhost/p/{hit['id']}"
        assert (cells["地区"], cells["层级"], str(cells["年份"]), cells["部分"], cells["报告"], cells["句子"],
                cells["引用"]) == (hit["place"], hit["level"], str(hit["year"]), hit["section"],
                                   hit["report_title"], hit["text"], hit["citation"])


def test_a_download_is_not_held_to_the_deepest_page(client, monkeypatch):
    monkeypatch.setenv("POLICY_SEARCH_MAX_PAGE", "2")
    result = client.get("/api/search", query_string={"q": "", "per_page": 50}).json
    assert result["pages"] == 2 and result["total"] > 100  # the API stops at 100 of them
    header, *rows = csv_table(client.get("/search.csv").data)
    assert len(rows) == result["total"]
    assert len({row[-1] for row in rows}) == result["total"]  # every passage once


def test_the_file_is_named_for_the_query_and_the_day(client):
    response = client.get("/search.csv", query_string={"q": "森林覆盖率"})
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    name = unquote(disposition.split("filename*=UTF-8''")[1])
    assert name.startswith("检索-森林覆盖率-") and name.endswith(".csv")
    assert response.mimetype == "text/csv"
    xlsx = client.get("/search.xlsx", query_string={"q": "a/b"})
    assert xlsx.mimetype.endswith("spreadsheetml.sheet")
    assert "/" not in unquote(xlsx.headers["Content-Disposition"].split("filename*=UTF-8''")[1])


@pytest.mark.parametrize("params, message", [
    ({"q": "经济", "place": "火星"}, "火星"),  # an unknown place
    ({"q": "经济", "year": "二〇二三"}, "二〇二三"),  # not a year of the index
    ({"q": '"未闭合'}, "引号"),  # a query that cannot run
])
@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_a_bad_search_is_refused_as_the_results_page_refuses_it(client, params, message, ext):
    page = client.get("/search", query_string=params)
    response = client.get(f"/search.{ext}", query_string=params)
    assert response.status_code == page.status_code == 400
    assert message in response.get_data(as_text=True)


def test_the_results_page_links_to_both_downloads_of_its_own_search(client):
    page = parse_html(client.get("/search", query_string={"q": "经济", "level": "县级", "page": 2}).data)
    links = {a.text: a.attrs["href"] for a in page.find("p", cls="result-downloads").find_all("a")}
    assert set(links) == {"CSV", "Excel"}
    assert links["CSV"].startswith("/search.csv?") and links["Excel"].startswith("/search.xlsx?")
    for href in links.values():
        assert "level=" in href and "page=" not in href
        assert client.get(href).status_code == 200


def test_the_cli_writes_the_same_csv(client, seed_index, tmp_path):
    out = tmp_path / "hits.csv"
    result = CliRunner().invoke(cli, ["search", "经济", "--level", "县级", "--csv", str(out), "--index", str(seed_index)])
    assert result.exit_code == 0, result.output
    header, *rows = csv_table(out.read_bytes())
    expected = every_hit_by_paging(client, {"q": "经济", "level": "县级"})
    assert header == list(HIT_COLUMNS) and [r[5] for r in rows] == [h["text"] for h in expected]
    to_stdout = CliRunner().invoke(cli, ["search", "经济", "--csv", "--index", str(seed_index)])
    assert to_stdout.exit_code == 0 and to_stdout.output.count("\n") == len(expected) + 1


def test_the_spreadsheet_leaves_no_file_behind(client, tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    response = client.get("/search.xlsx", query_string={"q": "经济"})
    assert response.status_code == 200 and len(response.data) > 1000
    assert list(tmp_path.iterdir()) == []
    refused = client.get("/search.xlsx", query_string={"q": "经济", "place": "火星"})
    assert refused.status_code == 400 and list(tmp_path.iterdir()) == []


def test_the_spreadsheet_permalinks_are_links(client):
    body = client.get("/search.xlsx", query_string={"q": "森林覆盖率"}).data
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    links = [row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert links and all(link.startswith('=HYPERLINK("http://localhost/p/') for link in links)


def test_a_result_longer_than_a_sheet_says_so_on_its_last_row(client, monkeypatch):
    """Excel holds 1,048,576 rows a sheet; a longer result fills the sheet and its last row says
    how many are there and where the rest is, instead of ending without a word. (The limit is
    made small here: the seeds' 205 hits of 经济 against a sheet of 101 rows.)"""
    monkeypatch.setattr("search.downloads.EXCEL_ROWS", 101)
    header, *rows = xlsx_table(client.get("/search.xlsx", query_string={"q": "经济"}).data)
    assert header == list(HIT_COLUMNS) and len(rows) == 100
    assert rows[-1][0] == "结果超过 Excel 一张表 101 行的上限，以上是前 99 条；完整的结果请下载 CSV。"
    assert all(row[5] for row in rows[:-1])
    full = csv_table(client.get("/search.csv", query_string={"q": "经济"}).data)
    assert [r[5] for r in rows[:-1]] == [r[5] for r in full[1:100]] and len(full) > 101
