"""The compare page and its JSON twin, and the literal-term link for synonyms."""

from __future__ import annotations

import pytest

from webui import create_app

from .web_helpers import parse_html

MAIN = ["地区生产总值", "一般公共预算收入", "固定资产投资", "社会消费品零售总额", "城乡居民人均可支配收入", "城镇新增就业"]


@pytest.fixture(scope="module")
def client(seed_index, tmp_path_factory):
    db = tmp_path_factory.mktemp("cmp") / "b.sqlite3"
    return create_app({"INDEX_DIR": seed_index, "TESTING": True, "SECRET_KEY": "t", "BRIEFINGS_DB": db}).test_client()


@pytest.mark.parametrize("indicator", MAIN)
def test_main_indicators_compare(client, indicator):
    data = client.get(f"/api/compare?q={indicator}").get_json()
    with_figures = {r["county"] for r in data["rows"] if r["figures"]}
    assert len(with_figures) >= 4
    html = client.get(f"/compare?q={indicator}").get_data(as_text=True)
    page = parse_html(html)
    rows = list(page.find("table", "compare-table").find_all("tr"))[1:]
    assert len(rows) == len(data["rows"])
    first = data["rows"][0]
    assert first["passage"]["citation"] in html and f'href="/p/{first["passage"]["id"]}"' in html
    assert "加入简报" in html


def test_gdp_has_a_chart_and_forest_cover_names_the_missing_county(client):
    html = client.get("/compare?q=地区生产总值").get_data(as_text=True)
    assert 'class="bars"' in html and "557.7亿元" in html
    assert "未找到数值：城口" in client.get("/compare?q=森林覆盖率").get_data(as_text=True)


def test_empty_and_bad_queries(client):
    page = client.get("/compare")
    assert page.status_code == 200 and "常用指标" in page.get_data(as_text=True)
    assert client.get("/api/compare").status_code == 400
    bad = client.get('/api/compare?q="open')
    assert bad.status_code == 400 and "unbalanced quote" in bad.get_json()["error"]
    assert client.get('/compare?q="open').status_code == 400


def test_search_offers_the_literal_term_and_the_comparison(client):
    html = client.get("/search?q=GDP").get_data(as_text=True)
    assert "只搜“GDP”" in html and "q=%22GDP%22" in html
    assert "/compare?q=GDP" in html
    literal = client.get("/api/search?q=%22GDP%22").get_json()
    assert literal["also_searched"] == {} and literal["total"] < client.get("/api/search?q=GDP").get_json()["total"]
