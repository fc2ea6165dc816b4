"""The site's and the API's contract with their callers: a parameter an endpoint does not read is
refused (400 ``unknown_parameter``, naming it and the known ones), never ignored; a filter value
that names nothing is refused the same way on every endpoint."""

from __future__ import annotations

import pytest

from webui import create_app
from webui.site.parameters import accepted

from .web_helpers import parse_html


@pytest.fixture(scope="module")
def app(seed_index, tmp_path_factory):
    briefings = tmp_path_factory.mktemp("briefings") / "b.sqlite3"
    return create_app({"INDEX_DIR": seed_index, "TESTING": True, "BRIEFINGS_DB": briefings, "SECRET_KEY": "test"})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def ids(engine) -> dict:
    report = engine.reports()[0]
    return {"report_id": report["id"], "passage_id": engine.report(report["id"])["passages"][0]["id"]}


# Every GET endpoint with a misspelt or foreign parameter: (path, parameter, the name it suggests).
UNKNOWN = [
    ("/api/search?q=GDP", "Place", "place"),  # the case: a capital letter widened the answer
    ("/search?q=GDP", "palce", "place"),  # a typo
    ("/api/search", "ctx", None),  # the page's own parameter means nothing to the API
    ("/api/compare?q=GDP", "Level", "level"),  # a capital letter must not drop compare's level filter
    ("/compare?q=GDP", "ctx", None),  # the results page's own parameter means nothing to compare
    ("/search.csv?q=GDP", "Place", "place"),  # the downloads read the results page's parameters
    ("/search.xlsx?q=GDP", "format", None),
    ("/compare.csv?q=GDP", "page", None),
    ("/targets", "county", None),  # county is search's old name for place, not the ledger's
    ("/api/targets", "Year", "year"),
    ("/targets.csv", "yaer", "year"),
    ("/targets.xlsx", "fmt", None),
    ("/coverage", "Province", "province"),
    ("/api/coverage", "q", None),
    ("/", "q2", None),
    ("/p/{passage_id}", "q", None),
    ("/reports/{report_id}", "page", None),
    ("/api/passages/{passage_id}", "before", None),
    ("/api/reports", "year", None),
    ("/api/reports/{report_id}", "x", None),
    ("/briefings", "token", None),
]


@pytest.mark.parametrize("path, name, guess", UNKNOWN)
def test_an_unknown_parameter_is_refused_and_named(client, ids, path, name, guess):
    url = path.format(**ids)
    response = client.get(url + ("&" if "?" in url else "?") + f"{name}=北京")
    assert response.status_code == 400
    if url.startswith("/api/"):
        body = response.json
        assert body["code"] == "unknown_parameter"
        assert f"“{name}”" in body["error"] and name not in body["known"]
        assert all(k in body["error"] for k in body["known"])
        if guess:
            assert guess in body["known"] and f"您是不是要用 {guess}" in body["error"]
    else:
        page = parse_html(response.data)
        assert "网址里有不认识的参数" in page.find("h1").text
        assert f"“{name}”" in response.get_data(as_text=True)
        repair = next(a for a in page.find_all("a") if a.text == "去掉不认识的参数再试")
        # The repair link keeps what was known, and then works.
        assert f"{name}=" not in repair.attrs["href"] and client.get(repair.attrs["href"]).status_code == 200


def test_every_get_endpoint_declares_its_parameters(app):
    """A view that declares nothing takes no parameters; the ones that read some say which."""
    reads = {"pages.search", "api.search", "pages.compare", "api.compare", "targets.page", "targets.api",
             "targets.download_csv", "targets.download_xlsx", "coverage.page", "coverage.api", "briefings.view"}
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint in reads:
            assert accepted(app.view_functions[rule.endpoint]), rule.endpoint


@pytest.mark.parametrize("url", [
    "/api/search?q=GDP&county=云阳&place=涪陵&report={report_id}&sort=year&page=1&per_page=5&province=重庆&level=县级"
    "&year=2023&section=工作回顾",
    "/search?q=GDP&ctx={passage_id}&sort=place",
    "/api/compare?q=GDP&year=2023&section=工作回顾",
    "/api/targets?q=&place=云阳&level=县级&province=重庆&year=2023&rule=strict&sort=year&order=desc",
    "/api/coverage?province=重庆&level=县级",
    "/b/aaaaaaaaaaaaaaaaaaaaaa?token=x",  # a token is read: not refused as unknown (the briefing is)
])
def test_known_parameters_are_not_refused(client, ids, url):
    response = client.get(url.format(**ids))
    assert not (response.status_code == 400 and "unknown_parameter" in response.get_data(as_text=True)), \
        response.get_data(as_text=True)[:300]


# The same bad value on each endpoint that takes the filter: 400 with the same code.
BAD_VALUES = [
    ("/api/search", "place", "火星", "unknown_place"),
    ("/api/search", "county", "火星", "unknown_place"),  # place's old name, validated as place
    ("/api/targets", "place", "火星", "unknown_place"),  # was 200 with every pair
    ("/api/compare?q=GDP", "year", "1999", "unknown_year"),
    ("/api/search", "year", "1999", "unknown_year"),
    ("/api/search", "province", "火星", "unknown_province"),
    ("/api/targets", "province", "火星", "unknown_province"),
    ("/api/coverage", "province", "火星", "unknown_province"),
    ("/api/search", "report", "nope", "unknown_report"),
    ("/api/search", "sort", "date", "unknown_sort"),
]


@pytest.mark.parametrize("path, name, value, code", BAD_VALUES)
def test_a_filter_value_that_names_nothing_is_refused_alike(client, path, name, value, code):
    response = client.get(path + ("&" if "?" in path else "?") + f"{name}={value}")
    assert (response.status_code, response.json["code"]) == (400, code)
    assert value in response.json["error"]


def test_one_name_per_concept_in_the_json(client):
    """place and place_full (county and county_full kept as their old names), and actual, never result."""
    compare = client.get("/api/compare?q=地区生产总值").json
    for row in compare["rows"]:
        assert (row["place"], row["place_full"]) == (row["county"], row["county_full"])
        assert row["role"] in ("actual", "target") and "result" not in row
    assert all("place" in bar for bar in (compare["chart"] or {"bars": []})["bars"])
    ledger = client.get("/api/targets").json
    names = {c["name"] for c in ledger["columns"]}
    assert {"place", "place_full", "actual"} <= names and not any(n.startswith("result") or n.startswith("county")
                                                                  for n in names)
    hit = client.get("/api/search?q=GDP").json["hits"][0]
    assert (hit["place"], hit["place_short"]) == (hit["county_full"], hit["county"])


def test_a_new_endpoint_that_declares_nothing_takes_no_parameters(seed_index, tmp_path):
    """The mechanism for endpoints added later: forgetting to declare is a 400 at once, not a filter
    silently ignored; declaring with @accepts lets the parameters through."""
    from webui.site.parameters import accepts

    app = create_app({"INDEX_DIR": seed_index, "TESTING": True, "BRIEFINGS_DB": tmp_path / "b.db", "SECRET_KEY": "t"})
    app.add_url_rule("/api/undeclared", "undeclared", lambda: {"ok": True})
    app.add_url_rule("/api/declared", "declared", accepts("q", "place")(lambda: {"ok": True}))
    client = app.test_client()
    assert client.get("/api/undeclared").status_code == 200
    refused = client.get("/api/undeclared?q=GDP")
    assert (refused.status_code, refused.json["code"], refused.json["known"]) == (400, "unknown_parameter", [])
    assert client.get("/api/declared?q=GDP&place=云阳").status_code == 200
    assert client.get("/api/declared?q=GDP&county=云阳").json["known"] == ["q", "place"]
