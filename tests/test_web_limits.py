"""Limits on one client: a budget of work a minute on the API, forms and expensive pages (429 with
Retry-After), none for clients on this machine, the size of a body (413) and of a URL (414, or
waitress's own 431) — and never a 500 on the way."""

from __future__ import annotations

import http.client
import threading

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

from webui import create_app
from webui.site.limits import DEFAULT_PER_MINUTE, MAX_QUERY_STRING, RateLimiter, client_key, is_local
from webui.server import make_server

from .web_helpers import parse_html

RATE, BURST = 60, 5  # one token a second, five at once
REMOTE = "203.0.113.7"  # a client elsewhere (the test client's default, 127.0.0.1, is this machine)


def make_app(index_dir, tmp_path, **config):
    return create_app({"INDEX_DIR": index_dir, "TESTING": True, "SECRET_KEY": "test",
                       "BRIEFINGS_DB": tmp_path / "b.sqlite3", **config})


def remote(app, address: str = REMOTE):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


@pytest.fixture
def app(seed_index, tmp_path):
    return make_app(seed_index, tmp_path, RATE_LIMIT=RATE, RATE_LIMIT_BURST=BURST)


@pytest.fixture
def client(app):
    return remote(app)


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
    assert response.json["code"] == "rate_limited" and "请求太频繁" in response.json["error"]
    assert response.headers["Content-Security-Policy"]  # still the site's headers


@pytest.mark.parametrize("url, status", [
    ("/api/reports", 200), ("/api/passages/{passage}", 200), ("/api/compare?q=地区生产总值", 200),
    ("/api/no-such-thing", 404), ("/api/search?page=0", 400),
    ("/search?q=森林覆盖率", 200), ("/compare?q=森林覆盖率", 200),  # the expensive pages too
    ("/targets?q=地区生产总值", 200), ("/api/targets?q=地区生产总值", 200),  # /targets was not limited at all
    ("/", 200), ("/p/{passage}", 200), ("/reports/{report}", 200),  # reading pages cost one token
    ("/briefings", 200), ("/no-such-page", 404),  # a scanner's guesses too
])
def test_every_route_and_page_counts(client, engine, url, status):
    hit = engine.search("森林覆盖率")["hits"][0]
    url = url.format(passage=hit["id"], report=hit["report_id"])
    assert client.get(url).status_code == status
    statuses = exhaust(client, url)
    assert statuses[-1] == 429 and set(statuses) <= {status, 429}


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


def test_static_files_are_not_limited_forms_are_with_a_page(client, engine):
    exhaust(client)
    for url in ("/static/style.css", "/static/app.js"):
        response = client.get(url)
        response.close()  # a static file stays open until then
        assert response.status_code == 200, url
    response = client.post("/b/add", data={"passage_id": "x"})
    assert response.status_code == 429 and response.mimetype == "text/html" and response.headers["Retry-After"]
    page = parse_html(response.data)
    assert page.find("h1").text == "操作太频繁" and "Traceback" not in response.get_data(as_text=True)
    assert "请求太频繁" in page.find("p", "detail").text


# -- cost: an expensive request spends more of the budget ------------------------------------------


def passing(client, urls) -> int:
    """How many of the urls pass before the first 429."""
    for n, url in enumerate(urls):
        if client.get(url).status_code == 429:
            return n
    return len(urls)


def test_a_search_that_reads_much_costs_more_than_a_narrow_one(app):
    # Distinct queries, so that none is answered from the engine's cache.
    narrow = [f"/api/search?q={q}" for q in ["森林覆盖率", "抽水蓄能电站", "安吉游戏", "锰污染", "X波段", "榨菜"]]
    broad = [f"/api/search?q={q}" for q in "业展化进和大"]  # each expands to about two hundred bigrams
    assert passing(remote(app, "10.0.0.1"), narrow) == BURST
    assert passing(remote(app, "10.0.0.2"), broad) < BURST


@pytest.mark.parametrize("url, cost", [
    ("/compare?q=森林覆盖率", 3), ("/api/compare?q=地区生产总值", 3), ("/b/{id}.md", 2), ("/b/{id}.docx", 5),
])
def test_comparisons_and_exports_cost_several_requests(app, url, cost):
    made = remote(app, "10.0.0.9").post("/api/briefings", json={"title": "导出"}).json
    url = url.format(id=made["id"])
    assert passing(remote(app), [url] * BURST) == BURST // cost


# -- clients on this machine ----------------------------------------------------------------------


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "127.8.9.10", "::ffff:127.0.0.1"])
def test_clients_on_this_machine_are_not_limited(app, address):
    client = remote(app, address)
    statuses = {client.get(f"/api/search?q=森林&page={n % 3 + 1}").status_code for n in range(60)}
    assert statuses == {200}
    assert client.post("/b/add", data={"passage_id": "x"}).status_code != 429


def test_clients_on_this_machine_can_be_limited_too(seed_index, tmp_path, monkeypatch):
    client = remote(make_app(seed_index, tmp_path, RATE_LIMIT=RATE, RATE_LIMIT_BURST=BURST,
                             RATE_LIMIT_LOOPBACK=True), "127.0.0.1")
    assert exhaust(client)[-1] == 429
    monkeypatch.setenv("POLICY_SEARCH_RATE_LIMIT_LOOPBACK", "1")  # the setting, for `policy-search serve`
    assert exhaust(remote(make_app(seed_index, tmp_path, RATE_LIMIT=RATE, RATE_LIMIT_BURST=BURST), "::1"))[-1] == 429


def test_a_proxy_on_this_machine_is_not_a_local_client(seed_index, tmp_path):
    app = make_app(seed_index, tmp_path, RATE_LIMIT=RATE, RATE_LIMIT_BURST=BURST)
    proxied = remote(app, "127.0.0.1")
    # Without ProxyFix: forwarded requests all come from the proxy, and are limited together.
    assert exhaust(proxied, headers={"X-Forwarded-For": "198.51.100.1"})[-1] == 429
    assert exhaust(proxied, headers={"Forwarded": "for=198.51.100.2"})[-1] == 429
    # With ProxyFix: each client by its own address. A forwarded request is never exempt, even one
    # the proxy says came from its own machine: the exemption is for requests with no forwarding header.
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)
    fixed = remote(app, "127.0.0.1")
    assert exhaust(fixed, headers={"X-Forwarded-For": "198.51.100.3"})[-1] == 429
    assert exhaust(fixed, headers={"X-Forwarded-For": "198.51.100.4"})[0] == 200
    assert exhaust(fixed, headers={"X-Forwarded-For": "127.0.0.1"})[-1] == 429


@pytest.mark.parametrize("environ, local", [
    ({"REMOTE_ADDR": "127.0.0.1"}, True),
    ({"REMOTE_ADDR": "::1"}, True),
    ({"REMOTE_ADDR": "10.0.0.1"}, False),
    ({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "10.0.0.1"}, False),  # a proxy here, a client elsewhere
    ({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "127.0.0.1",
      "werkzeug.proxy_fix.orig": {}}, False),  # forwarded, though to this machine: still a proxy's request
    ({"REMOTE_ADDR": "not an address"}, False),
    ({}, False),
])
def test_what_counts_as_this_machine(environ, local):
    assert is_local(environ) is local


# -- the token bucket itself ------------------------------------------------------------------------


def test_work_already_done_is_charged_as_a_debt_of_at_most_one_burst():
    clock = FakeClock()
    limiter = RateLimiter(per_minute=60, burst=5, clock=clock)
    assert limiter.take("a") == 0.0
    limiter.charge("a", 100)  # far more than a burst: the debt stops at one burst
    assert limiter.take("a") == pytest.approx(6.0)  # from -5 tokens back to 1
    clock.now += 6
    assert limiter.take("a") == 0.0
    assert limiter.take("b", cost=50) == 0.0  # a request dearer than a burst passes on a full bucket


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
    client = remote(make_app(seed_index, tmp_path, **config))
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


def test_under_waitress_a_forwarded_request_from_this_machine_is_not_exempt(seed_index, tmp_path):
    # waitress drops X-Forwarded-For by default, and a proxy's requests then looked like this machine's own.
    server = make_server(seed_index, port=0, threads=2, config={
        "BRIEFINGS_DB": tmp_path / "b.sqlite3", "SECRET_KEY": "test", "RATE_LIMIT": RATE, "RATE_LIMIT_BURST": BURST})
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        statuses = []
        for _ in range(BURST + 2):
            connection = http.client.HTTPConnection("127.0.0.1", server.effective_port, timeout=10)
            connection.request("GET", "/api/reports", headers={"X-Forwarded-For": "198.51.100.7"})
            statuses.append(connection.getresponse().status)
            connection.close()
        assert statuses[0] == 200 and statuses[-1] == 429
    finally:
        server.close()
        thread.join(timeout=5)
