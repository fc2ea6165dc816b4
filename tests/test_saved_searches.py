"""Saved searches and their Atom feeds, through Flask's test client over an index of four of the
five bundled reports; the fifth (奉节) is added during a test, as ``policy-search add`` would, and
the feed, read by feedparser as a feed reader would, must gain exactly its matching passages.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import time
from urllib.parse import urlsplit

import feedparser
import pytest

from search.engine import Engine
from search.whoosh_index.indexing import add, build
from webui import create_app

from .conftest import SEEDS

QUERY = "森林覆盖率"
HELD_BACK = "004_650584b8d763417a.txt"  # 奉节: it says 森林覆盖率 too


@pytest.fixture
def folders(tmp_path):
    """An index of the seeds but one, and the one held back."""
    source, later = tmp_path / "source", tmp_path / "later"
    source.mkdir()
    later.mkdir()
    for path in sorted(SEEDS.glob("*.txt")):
        shutil.copy(path, (later if path.name == HELD_BACK else source) / path.name)
    index = tmp_path / "index"
    build(source, index)
    return {"source": source, "later": later / HELD_BACK, "index": index}


@pytest.fixture
def client(folders, tmp_path):
    app = create_app({"INDEX_DIR": folders["index"], "TESTING": True, "SECRET_KEY": "test",
                      "SAVED_SEARCHES_DB": tmp_path / "saved.sqlite3", "BRIEFINGS_DB": tmp_path / "b.sqlite3"})
    return app.test_client()


def save(client, **body) -> dict:
    response = client.post("/api/saved-searches", json=body)
    assert response.status_code == 201, response.json
    return response.json


def local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def read_feed(client, made: dict):
    response = client.get(local(made["feed_url"]))
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def exact_matches(index, **filters) -> list[dict]:
    """What the search finds, read through the ordinary search (not the feed's own listing)."""
    result = Engine(index).search(QUERY, per_page=50, **filters)
    assert result["total"] < 50  # all on one page
    return [hit for hit in result["hits"] if hit["match"] == "exact"]


# -- saving --------------------------------------------------------------------------------------


def test_saving_answers_201_with_the_private_links_and_the_names_the_engine_uses(client):
    made = save(client, q=QUERY, place=["云阳"], year=[2022])
    assert set(made) >= {"id", "token", "feed_url", "url"}
    assert made["filters"] == {"place": ["重庆市云阳县"], "year": ["2022"]}
    assert made["token"] in made["feed_url"] and made["feed_url"].endswith(f".atom?token={made['token']}")
    again = client.get(f"/api/saved-searches/{made['id']}?token={made['token']}")
    assert again.status_code == 200 and again.json["query"] == QUERY
    assert again.json["filters"] == made["filters"]


@pytest.mark.parametrize("body, code, says", [
    ('{"q": "森林', "bad_json", "不是有效的 JSON"),
    ('["森林覆盖率"]', "bad_parameter", "JSON 对象"),
    ('{"q": "森林覆盖率", "Place": ["北京"]}', "bad_parameter", "不认识的字段：Place"),
    ('{"q": "森林覆盖率", "place": ["火星"]}', "unknown_place", "火星"),
    ('{"q": "森林覆盖率", "year": [1800]}', "unknown_year", "1800"),
    ('{"q": ["森林覆盖率"]}', "bad_parameter", "须是文字"),
    ('{"q": "森林覆盖率", "place": [{"name": "云阳"}]}', "bad_parameter", "须是文字"),
    ('{"q": ""}', "bad_parameter", "须有检索词"),
    ('{"q": "，。！？"}', "bad_query", "没有可检索的词"),
])
def test_a_bad_request_is_refused_in_chinese_and_nothing_is_saved(client, tmp_path, body, code, says):
    response = client.post("/api/saved-searches", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json["code"] == code and says in response.json["error"]
    assert re.search("[\u4e00-\u9fff]", response.json["error"])
    database = tmp_path / "saved.sqlite3"
    if database.exists():
        with sqlite3.connect(database) as db:
            assert db.execute("SELECT COUNT(*) FROM saved_searches").fetchone() == (0,)


def test_a_body_that_is_not_json_is_415(client):
    response = client.post("/api/saved-searches", data={"q": QUERY})
    assert response.status_code == 415 and "JSON" in response.json["error"]


def test_the_token_is_needed_for_the_page_the_feed_and_the_api(client):
    made = save(client, q=QUERY)
    for path in (f"/saved/{made['id']}", f"/saved/{made['id']}.atom", f"/api/saved-searches/{made['id']}"):
        for suffix in ("", "?token=wrong"):
            response = client.get(path + suffix)
            assert response.status_code == 403, path + suffix
            assert "私人链接" in response.get_data(as_text=True)
            assert made["token"] not in response.get_data(as_text=True)
    assert client.get(f"/saved/nosuchid.atom?token={made['token']}").status_code == 404


# -- the feed ------------------------------------------------------------------------------------


def test_the_feed_is_valid_atom_listing_the_matching_passages_with_permalinks(client, folders):
    made = save(client, q=QUERY)
    feed = read_feed(client, made)
    assert feed.feed.id.startswith("tag:localhost,") and made["id"] in feed.feed.id
    assert QUERY in feed.feed.title and feed.feed.updated_parsed
    assert any(link.rel == "self" for link in feed.feed.links)
    expected = {hit["id"]: hit for hit in exact_matches(folders["index"])}
    assert expected and len(feed.entries) == len(expected)
    for entry in feed.entries:
        passage_id = entry.id.rsplit("/", 1)[-1]
        hit = expected[passage_id]
        assert entry.id.startswith("tag:localhost,")
        assert entry.updated_parsed
        assert hit["place"] in entry.title and f"{hit['year']}年" in entry.title
        assert f"《{hit['report_title']}》" in entry.title
        alternate = [link.href for link in entry.links if link.rel == "alternate"]
        assert alternate == [f"http://localhost/p/{passage_id}"]
        assert client.get(local(alternate[0])).status_code == 200
        assert hit["text"] in entry.summary


def test_adding_a_report_adds_exactly_its_matching_passages_first(client, folders):
    made = save(client, q=QUERY)
    before = read_feed(client, made).entries
    time.sleep(1.1)  # report times are in whole seconds
    summary = add([folders["later"]], folders["index"])
    new_report = summary.reports[-1]["id"]
    after = read_feed(client, made).entries

    expected = [hit["id"] for hit in exact_matches(folders["index"]) if hit["report_id"] == new_report]
    assert expected
    new = [e for e in after if e.id not in {b.id for b in before}]
    assert sorted(e.id.rsplit("/", 1)[-1] for e in new) == sorted(expected)
    assert after[:len(new)] == new  # newest first
    assert all(e.updated_parsed > b.updated_parsed for e in new for b in before)
    assert [(e.id, e.updated) for e in after[len(new):]] == [(b.id, b.updated) for b in before]
    assert read_feed(client, made).feed.updated == new[0].updated


def test_rebuilding_the_same_reports_makes_nothing_new(client, folders):
    made = save(client, q=QUERY)
    before = [(e.id, e.updated) for e in read_feed(client, made).entries]
    time.sleep(1.1)
    build(folders["source"], folders["index"])
    assert [(e.id, e.updated) for e in read_feed(client, made).entries] == before


def test_filters_narrow_the_feed(client, folders):
    made = save(client, q=QUERY, place=["云阳"])
    entries = read_feed(client, made).entries
    expected = exact_matches(folders["index"], place=["云阳"])
    assert sorted(e.id.rsplit("/", 1)[-1] for e in entries) == sorted(h["id"] for h in expected)
    assert all("云阳县" in e.title for e in entries)


# -- the page ------------------------------------------------------------------------------------


def new_badges(html: str) -> int:
    return html.count('class="new-badge"')


def test_the_page_marks_what_came_in_since_the_last_visit(client, folders):
    made = save(client, q=QUERY)
    first = client.get(local(made["url"]))
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
    html = first.get_data(as_text=True)
    assert new_badges(html) == 0 and "没有新收录" in html
    assert f'type="application/atom+xml" title="保存的检索：“{QUERY}”" href="{made["feed_url"]}"' in html

    time.sleep(1.1)
    summary = add([folders["later"]], folders["index"])
    expected = [hit for hit in exact_matches(folders["index"]) if hit["report_id"] == summary.reports[-1]["id"]]
    html = client.get(local(made["url"])).get_data(as_text=True)
    assert new_badges(html) == len(expected) and f"新增 {len(expected)} 段" in html
    assert client.get(local(made["url"])).get_data(as_text=True).count('class="new-badge"') == 0  # seen now


def test_the_results_page_saves_its_search_with_a_form(client):
    page = client.get(f"/search?q={QUERY}&place=云阳").get_data(as_text=True)
    form = re.search(r'<form class="save-search".*?</form>', page, re.S).group(0)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    assert fields["q"] == QUERY and fields["place"] == "重庆市云阳县"
    response = client.post("/saved", data=fields)
    assert response.status_code == 303 and "token=" in response.headers["Location"]
    saved = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已保存这次检索" in saved and "重庆市云阳县" in saved
    forged = client.post("/saved", data={**fields, "csrf_token": "forged"})
    assert forged.status_code == 400


def test_a_search_within_one_report_offers_no_save(client):
    """A report gains no passages once added: saving a search within it would follow nothing, and
    saving it without the report would silently widen it."""
    report = next(r["id"] for r in client.get("/api/reports").json["reports"]
                  if client.get("/api/search", query_string={"q": QUERY, "report": r["id"]}).json["total"])
    page = client.get(f"/search?q={QUERY}&report={report}").get_data(as_text=True)
    assert 'class="save-search"' not in page
    assert 'class="save-search"' in client.get(f"/search?q={QUERY}").get_data(as_text=True)


def test_reports_record_when_they_came_in(folders):
    meta = json.loads(next(folders["index"].glob("*/meta.json")).read_text(encoding="utf-8"))
    times = {r["id"]: r["added_at"] for r in meta["reports"]}
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", t) for t in times.values())
    time.sleep(1.1)
    add([folders["later"]], folders["index"])
    reports = Engine(folders["index"]).reports()
    kept = {r["id"]: r["added_at"] for r in reports if r["id"] in times}
    assert kept == times
    assert [r["added_at"] > max(times.values()) for r in reports if r["id"] not in times] == [True]


def test_a_database_that_cannot_be_written_is_503_in_chinese(folders, tmp_path):
    not_a_database = tmp_path / "saved.sqlite3"
    not_a_database.write_bytes(b"this is not a database" * 100)
    app = create_app({"INDEX_DIR": folders["index"], "TESTING": True, "SECRET_KEY": "test",
                      "SAVED_SEARCHES_DB": not_a_database})
    response = app.test_client().post("/api/saved-searches", json={"q": QUERY})
    assert response.status_code == 503 and response.json["code"] == "unavailable"
    assert "保存的检索数据库" in response.json["error"]
    page = app.test_client().get("/saved/abc?token=x")
    assert page.status_code == 503 and "保存的检索暂时不可用" in page.get_data(as_text=True)


def test_deleting_stops_the_page_and_the_feed(client):
    made = save(client, q=QUERY)
    page = client.get(local(made["url"])).get_data(as_text=True)
    form = re.search(r'<details class="saved-delete".*?</form>', page, re.S).group(0)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    assert client.post(f"/saved/{made['id']}/delete", data={**fields, "token": "wrong"}).status_code == 403
    assert client.get(local(made["feed_url"])).status_code == 200  # a wrong token deleted nothing
    response = client.post(f"/saved/{made['id']}/delete", data=fields)
    assert response.status_code == 303
    assert "已删除保存的检索" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert client.get(local(made["feed_url"])).status_code == 404
    other = save(client, q=QUERY)
    assert client.delete(f"/api/saved-searches/{other['id']}?token={other['token']}").status_code == 204
    assert client.get(local(other["url"])).status_code == 404


@pytest.mark.parametrize("host, authority", [("localhost", "localhost"), ("127.0.0.1:8150", "127.0.0.1"),
                                             ("Policy.Example.org:443", "policy.example.org"), ("[::1]:8150", "::1")])
def test_entry_ids_are_tag_uris_of_the_host_without_its_port(host, authority):
    from search.saved.feed import tag_uri
    assert tag_uri(host, "passage/abc").startswith(f"tag:{authority},") and tag_uri(host, "passage/abc").endswith(":passage/abc")
