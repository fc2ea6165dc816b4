"""Per-client rate limits on the API and forms, and request size caps."""

from __future__ import annotations

import pytest

from webui import create_app


@pytest.fixture
def limited(seed_index, tmp_path):
    app = create_app({"INDEX_DIR": seed_index, "TESTING": True, "SECRET_KEY": "t",
                      "BRIEFINGS_DB": tmp_path / "b.sqlite3", "RATE_LIMIT": 60})  # bursts of 10
    return app.test_client()


def test_over_the_limit_is_429_with_retry_after(limited):
    statuses = [limited.get("/api/search?q=森林").status_code for _ in range(12)]
    assert statuses[:10] == [200] * 10 and statuses[-1] == 429
    response = limited.get("/api/search?q=森林")
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1
    assert "error" in response.get_json()


def test_other_clients_and_reading_pages_are_not_limited(limited):
    for _ in range(12):
        limited.get("/api/search?q=森林")
    other = limited.get("/api/search?q=森林", environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert other.status_code == 200
    assert limited.get("/search?q=森林").status_code == 200  # an HTML page a person clicks through


def test_html_form_over_the_limit_gets_a_page(limited):
    for _ in range(12):
        limited.post("/b/add", data={})
    response = limited.post("/b/add", data={})
    assert response.status_code == 429 and "请求太频繁" in response.get_data(as_text=True)


def test_zero_turns_it_off(seed_index, tmp_path):
    client = create_app({"INDEX_DIR": seed_index, "TESTING": True, "SECRET_KEY": "t",
                         "BRIEFINGS_DB": tmp_path / "b.sqlite3", "RATE_LIMIT": 0}).test_client()
    assert {client.get("/api/search?q=森林").status_code for _ in range(40)} == {200}


def test_a_big_body_is_413(limited):
    response = limited.post("/api/briefings", data=b"x" * (70 * 1024), content_type="application/json")
    assert response.status_code == 413 and "error" in response.get_json()
