"""Limits on one client: a request rate on the API and on forms (429 with Retry-After), the size of
a body (413) and of a URL (414, or waitress's own 431) — and never a 500 on the way."""

from __future__ import annotations

import http.client
import threading

import pytest

from webui import create_app
from webui.limits import DEFAULT_PER_MINUTE, MAX_QUERY_STRING, RateLimiter, client_key
from webui.server import make_server

from .web_helpers import parse_html

RATE, BURST = 60, 5  # one request a second, five at once


def make_app(index_dir, tmp_path, **config):
    return create_app({"INDEX_DIR": index_dir, "TESTING": True, "SECRET_KEY": "test",
                       "BRIEFINGS_DB": tmp_path / "b.sqlite3", **config})


@pytest.fixture
def client(seed_index, tmp_path):
    return make_app(seed_index, tmp_path, RATE_LIMIT=RATE, RATE_LIMIT_BURST=BURST).test_client()


def exhaust(client, url="/api/search?q=森林", **kwargs) -> list[int]:
    return [client.get(url, **kwargs).status_code for _ in range(BURST + 2)]


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# -- over the limit ---------------------------------------------------------------------------------


def test_the_burst_passes_then_429_json_with_retry_after(client):
    assert exhaust(client) == [200] * BURST + [429, 429]
    response = client.get("/api/search?q=森林")
    assert response.status_code == 429 and response.mimetype == "application/json"
    assert response.headers["Retry-After"] == "1"  # one token a second, whole seconds
    assert "too many requests" in response.json["error"]
    assert response.headers["Content-Security-Policy"]  # still the site's headers


def test_every_api_route_counts_and_a_refused_request_costs_nothing(client, engine):
    hit = engine.search("森林覆盖率")["hits"][0]
    urls = ["/api/reports", f"/api/passages/{hit['id']}", "/api/compare?q=地区生产总值", "/api/no-such-thing",
            "/api/search?page=0"]
    assert [client.get(url).status_code for url in urls] == [200, 200, 200, 404, 400]
    assert client.get("/api/reports").status_code == 429


def test_other_clients_are_not_affected_and_ipv6_counts_by_its_64(client):
    exhaust(client)
    assert client.get("/api/search?q=森林", environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 200
    v6 = {"REMOTE_ADDR": "2001:db8:1:2::1"}
    assert exhaust(client, environ_base=v6)[-1] == 429
    neighbour = client.get("/api/reports", environ_base={"REMOTE_ADDR": "2001:db8:1:2:ffff::9"})
    other_subscriber = client.get("/api/reports", environ_base={"REMOTE_ADDR": "2001:db8:1:3::1"})
    assert (neighbour.status_code, other_subscriber.status_code) == (429, 200)
    assert client_key("::ffff:10.0.0.2") == client_key("10.0.0.2") == "10.0.0.2"
    assert client_key(None) == "-"


def test_reading_pages_are_not_limited_forms_are_with_a_page(client):
    exhaust(client)
    assert client.get("/search?q=森林").status_code == 200 and client.get("/compare?q=森林覆盖率").status_code == 200
    response = client.post("/b/add", data={"passage_id": "x"})
    assert response.status_code == 429 and response.mimetype == "text/html" and response.headers["Retry-After"]
    page = parse_html(response.data)
    assert page.find("h1").text == "操作太频繁" and "Traceback" not in response.get_data(as_text=True)


# -- the token bucket itself ------------------------------------------------------------------------


def test_tokens_come_back_at_the_rate_and_retry_after_says_when():
    clock = FakeClock()
    limiter = RateLimiter(per_minute=30, burst=2, clock=clock)  # a token every 2 s
    assert [limiter.take("a") for _ in range(2)] == [0.0, 0.0]
    assert limiter.take("a") == pytest.approx(2.0)
    clock.now += 1.5
    assert limiter.take("a") == pytest.approx(0.5)  # the refused request above spent nothing
    clock.now += 0.5
    assert limiter.take("a") == 0.0 and limiter.take("a") > 0
    clock.now += 3600
    assert [limiter.take("a") for _ in range(3)][:2] == [0.0, 0.0]  # an idle hour refills only the burst


def test_memory_stays_bounded_whatever_the_number_of_clients():
    clock = FakeClock()
    limiter = RateLimiter(per_minute=60, burst=5, max_clients=100, clock=clock)
    for n in range(5000):
        limiter.take(f"10.0.{n // 256}.{n % 256}")
        assert len(limiter) <= 100
    clock.now += 5  # every bucket has filled up again: the same as no bucket
    limiter.take("10.9.9.9")
    assert len(limiter) == 1


def test_the_bucket_is_thread_safe():
    limiter = RateLimiter(per_minute=1, burst=100)  # practically no refill during the test
    allowed = []
    lock = threading.Lock()

    def hammer():
        mine = sum(1 for _ in range(60) if limiter.take("same") == 0.0)
        with lock:
            allowed.append(mine)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(allowed) == 100


# -- configuration ----------------------------------------------------------------------------------


@pytest.mark.parametrize("config, env, limited", [
    ({"RATE_LIMIT": 0}, None, False),
    ({"RATE_LIMIT": None}, None, False),
    ({"RATE_LIMIT": 0}, "3", False),  # the config wins over the environment
    ({"RATE_LIMIT": 3, "RATE_LIMIT_BURST": 1}, "0", True),
    ({}, "0", False),  # how the benchmark turns it off
    ({"RATE_LIMIT_BURST": 1}, "3", True),
    ({}, None, False),  # the test client: off unless asked for
])
def test_configuration(seed_index, tmp_path, monkeypatch, config, env, limited):
    if env is None:
        monkeypatch.delenv("POLICY_SEARCH_RATE_LIMIT", raising=False)
    else:
        monkeypatch.setenv("POLICY_SEARCH_RATE_LIMIT", env)
    client = make_app(seed_index, tmp_path, **config).test_client()
    statuses = {client.get("/api/reports").status_code for _ in range(30)}
    assert statuses == ({200, 429} if limited else {200})


def test_the_default_applies_outside_tests_and_a_bad_value_is_refused(seed_index, tmp_path, monkeypatch):
    monkeypatch.delenv("POLICY_SEARCH_RATE_LIMIT", raising=False)
    app = create_app({"INDEX_DIR": seed_index, "SECRET_KEY": "test", "BRIEFINGS_DB": tmp_path / "b.sqlite3"})
    limiter = app.extensions["policy_search.rate_limiter"]
    assert limiter.rate * 60 == DEFAULT_PER_MINUTE and limiter.burst >= 10
    monkeypatch.setenv("POLICY_SEARCH_RATE_LIMIT", "lots")
    with pytest.raises(ValueError, match="POLICY_SEARCH_RATE_LIMIT"):
        make_app(seed_index, tmp_path)


# -- sizes --------------------------------------------------------------------------------------------


def test_a_big_body_is_413_before_the_rate_matters(client):
    response = client.post("/api/briefings", data=b"{" + b" " * (70 * 1024) + b"}", content_type="application/json")
    assert response.status_code == 413 and response.json["error"]
    page = client.post("/briefings", data={"title": "x" * (70 * 1024)})
    assert page.status_code == 413 and parse_html(page.data).find("h1").text == "提交的内容太长"


@pytest.mark.parametrize("url, status", [
    ("/search?q=" + "森" * 2000, 400),  # 18 KB: the engine explains (a query is at most 200 characters)
    ("/search?county=" + "x" * 20_000, 400),
    ("/search?junk=" + "x" * (MAX_QUERY_STRING + 1), 414),
    ("/api/search?q=" + "a" * (MAX_QUERY_STRING + 1), 414),
    ("/api/compare?q=" + "%E6%A3%AE" * 10_000, 414),
])
def test_long_query_strings_are_refused_with_an_explanation(seed_index, tmp_path, url, status):
    response = make_app(seed_index, tmp_path, RATE_LIMIT=0).test_client().get(url)
    assert response.status_code == status
    if url.startswith("/api/"):
        assert response.json["error"]
    else:
        assert parse_html(response.data).find("h1").text and b"Traceback" not in response.data


def test_the_production_server_refuses_long_urls_without_a_500(seed_index, tmp_path):
    server = make_server(seed_index, port=0, threads=2,
                         config={"BRIEFINGS_DB": tmp_path / "b.sqlite3", "SECRET_KEY": "test", "RATE_LIMIT": 0})
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        statuses = []
        for length in (9_000, 100_000, 300_000):
            connection = http.client.HTTPConnection("127.0.0.1", server.effective_port, timeout=10)
            connection.request("GET", "/api/search?q=" + "a" * length)
            statuses.append(connection.getresponse().status)
            connection.close()
        assert statuses == [400, 414, 431]  # the engine, this app, waitress (over 128 KiB of headers)
    finally:
        server.close()
        thread.join(timeout=5)
