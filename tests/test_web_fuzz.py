"""Fuzzing every GET route and parameter: never a 5xx, never a traceback, JSON errors under /api/."""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webui import create_app

ROUTES = ["/search", "/api/search", "/compare", "/api/compare"]
PATH_ROUTES = ["/p/{}", "/api/passages/{}", "/reports/{}", "/api/reports/{}", "/b/{}", "/api/briefings/{}"]
PARAMS = ["q", "county", "year", "section", "page", "per_page", "ctx"]
TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(['"', "“", "\x00", "-", "OR", "10" * 40, "-1", "0", "1e9", "云阳", "2022", "工作回顾",
                     "%00", "../../etc/passwd", "<script>", "ＧＤＰ", "\ud7ff", "\U0001f600" * 3]),
)


@pytest.fixture(scope="module")
def client(seed_index, tmp_path_factory):
    db = tmp_path_factory.mktemp("fuzz") / "b.sqlite3"
    return create_app({"INDEX_DIR": seed_index, "TESTING": True, "SECRET_KEY": "t", "BRIEFINGS_DB": db,
                       "RATE_LIMIT": 0}).test_client()


def check(response, path: str, started: float) -> None:
    assert response.status_code < 500, (path, response.status_code)
    body = response.get_data(as_text=True)
    assert "Traceback" not in body
    if path.startswith("/api/") and response.status_code >= 400:
        assert "error" in response.get_json()
    assert time.perf_counter() - started < 1.0, path


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(ROUTES), params=st.lists(st.tuples(st.sampled_from(PARAMS), TEXT), max_size=6))
def test_query_parameters(client, route, params):
    query = "&".join(f"{quote(k)}={quote(v.encode('utf-8', 'surrogatepass'))}" for k, v in params)
    started = time.perf_counter()
    check(client.get(f"{route}?{query}"), route, started)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(PATH_ROUTES), ident=TEXT)
def test_path_parameters(client, route, ident):
    path = route.format(quote(ident.encode("utf-8", "surrogatepass"), safe=""))
    started = time.perf_counter()
    check(client.get(path), path, started)
