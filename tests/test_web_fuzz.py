"""Fuzzing every GET route of the site and every parameter it reads, with hypothesis.

Whatever the URL: never a 5xx, never a traceback, a JSON ``{"error", "code"}`` under /api/ and a
page elsewhere, no hostile text echoed as markup, and no more search work than a few queries'
budgets (a comparison runs up to four searches). Routes come from the
app's URL map, so a new route is fuzzed without being listed here. Path arguments are either fuzz
or real ids, so that fuzzed parameters also reach the code behind a real passage or briefing.
"""

from __future__ import annotations

import re
from urllib.parse import quote, quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.query.budget import metered
from webui import create_app

# Every parameter a view reads, plus one it does not.
PARAMS = ["q", "county", "year", "section", "page", "per_page", "ctx", "token", "next", "unknown"]
XSS = '"><script>alert(1)</script>'
SAMPLES = [
    "", " ", "\x00", "%00", '"', "“", "”", "「", "-", "--", "OR", "|", "-森林", '"森林', "森林 OR", "*", "?", "\\", "/", "../..",
    "森林覆盖率", "GDP", "地区生产总值", "云阳", "云阳县", "2022", "2022年", "工作回顾", "目标安排", "其他",
    "0", "-1", "1e999", "NaN", "inf", "0x10", "1_000", "٣", "１０", "10" * 30, str(2**64), str(-(10**40)),
    XSS, "<img src=x onerror=alert(1)>", "javascript:alert(1)", "//evil.example", "\u202e", "\ufeff", "\U0001f600" * 5,
    "森" * 201, "好" * 2000, "a b " * 20,
]
TEXT = st.one_of(
    st.sampled_from(SAMPLES),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),  # any unicode a URL can carry
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
# Percent-encoded: any bytes, so invalid UTF-8 and control characters too.
VALUE = st.one_of(TEXT.map(lambda t: quote(t, safe="")), st.binary(max_size=20).map(lambda b: quote_from_bytes(b, safe="")))
NAME = st.one_of(st.sampled_from(PARAMS), st.sampled_from(PARAMS), VALUE)
HTML_RESPONSE = re.compile(r"text/html")


@pytest.fixture(scope="module")
def app(seed_index, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    return create_app({"INDEX_DIR": seed_index, "TESTING": True, "BRIEFINGS_DB": folder / "b.sqlite3",
                       "SAVED_SEARCHES_DB": folder / "saved.sqlite3", "SECRET_KEY": "fuzz", "RATE_LIMIT": 0})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def real_ids(client, engine) -> dict[str, list[str]]:
    """Path arguments that exist, by argument name."""
    hit = engine.search("森林覆盖率")["hits"][0]
    made = client.post("/api/briefings", json={"title": "fuzz"}).json
    client.post(f"/api/briefings/{made['id']}/items", json={"passage_id": hit["id"]},
                headers={"X-Edit-Token": made["edit_token"]})
    saved = client.post("/api/saved-searches", json={"q": "森林覆盖率"}).json
    return {"passage_id": [hit["id"]], "report_id": [hit["report_id"]], "briefing_id": [made["id"]],
            "saved_id": [saved["id"]], "filename": ["style.css", "app.js"]}


@pytest.fixture(scope="module")
def budget(engine) -> int:
    """The most search work one request may do: a search (or a comparison's four), its
    suggestions, and the results page's unfiltered facet order (one more search)."""
    gen = engine.generation()
    return 6 * (gen.evaluator.budget().limit + gen.facets.size)


@pytest.fixture(scope="module")
def get_rules(app) -> list:
    rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods]
    assert {r.endpoint for r in rules} >= {"pages.search", "api.search", "pages.compare", "api.compare",
                                            "passages.passage", "api.passage", "passages.report", "api.report",
                                            "briefings.view", "briefing_api.briefing"}
    return rules


def url_of(rule, args: dict[str, str], params: list[tuple[str, str]]) -> str:
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(rf"<(?:\w+:)?{name}>", args[name], path)
    return path + ("?" + "&".join(f"{k}={v}" for k, v in params) if params else "")


def check(client, url: str, budget: int) -> None:
    with metered() as work:
        response = client.get(url)
    try:
        body = response.get_data()
    finally:
        response.close()  # a static file stays open until then
    assert response.status_code < 500, (url, response.status_code, body[:300])
    assert b"Traceback" not in body and b"Internal Server Error" not in body, url
    if url.startswith("/api/"):
        assert response.mimetype == "application/json", url
        if response.status_code >= 400:
            assert isinstance(response.json["error"], str) and response.json["error"], url
            assert isinstance(response.json["code"], str) and response.json["code"], url
    if HTML_RESPONSE.match(response.content_type or ""):
        assert XSS.encode() not in body and b"<script>alert" not in body, url
        assert b' style="' not in body, url
    assert work.cost <= budget, (url[:200], work)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), params=st.lists(st.tuples(NAME, VALUE), max_size=6))
def test_every_get_route_with_any_parameters(client, get_rules, real_ids, budget, data, params):
    rule = data.draw(st.sampled_from(get_rules), label="route")
    args = {name: data.draw(st.one_of(st.sampled_from(real_ids[name]), VALUE.filter(bool)), label=name)
            for name in sorted(rule.arguments)}
    check(client, url_of(rule, args, params), budget)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(q=TEXT, extra=st.lists(st.tuples(st.sampled_from(["year", "section", "county"]), TEXT), max_size=3))
def test_compare_and_search_with_any_query(client, budget, q, extra):
    query = "&".join(f"{k}={quote(v, safe='')}" for k, v in [("q", q), *extra])
    for route in ("/compare", "/api/compare", "/search", "/api/search"):
        check(client, f"{route}?{query}", budget)
