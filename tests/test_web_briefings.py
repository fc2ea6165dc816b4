"""Briefings on the site, through Flask's test client: the JSON API with every error it promises, the
pages with and without the edit token, the no-JavaScript forms (CSRF included), exports, escaping,
items whose passage changed or went away, and adds from several threads at once.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import stat
import threading
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from docx import Document

from search.briefings.model import INTRO_MAX, NOTE_MAX, TITLE_MAX
from search.briefings.store import BriefingStore
from webui import create_app
from webui.site.sessions import _secret_key

from .web_helpers import parse_html

QUERY = "森林覆盖率"
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    return tmp_path_factory.mktemp("briefings") / "b.sqlite3"


@pytest.fixture(scope="module")
def app(seed_index, db_path):
    return create_app({"INDEX_DIR": seed_index, "TESTING": True, "BRIEFINGS_DB": db_path, "SECRET_KEY": "test"})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def passages(engine) -> list[dict]:
    return [engine.passage(hit["id"]) for hit in engine.search(QUERY, per_page=5)["hits"]]


# -- helpers ---------------------------------------------------------------------------------------


def create(client, title="森林覆盖率简报", **extra) -> dict:
    response = client.post("/api/briefings", json={"title": title, **extra})
    assert response.status_code == 201, response.json
    return response.json


def add(client, made: dict, passage_id: str, **body):
    return client.post(f"/api/briefings/{made['id']}/items", json={"passage_id": passage_id, **body},
                       headers={"X-Edit-Token": made["edit_token"]})


def read(client, briefing_id: str) -> dict:
    response = client.get(f"/api/briefings/{briefing_id}")
    assert response.status_code == 200
    return response.json


def with_items(client, passages, n=3, **create_args) -> dict:
    made = create(client, **create_args)
    made["item_ids"] = [add(client, made, p["id"]).json["item_id"] for p in passages[:n]]
    return made


def csrf_of(client) -> str:
    page = parse_html(client.get("/briefings").data)
    return next(i.attrs["value"] for i in page.find_all("input") if i.attrs.get("name") == "csrf_token")


def html_of(response):
    assert response.mimetype == "text/html", response.data[:300]
    return parse_html(response.data)


def edit_path(made: dict) -> str:
    return f"/b/{made['id']}?token={made['edit_token']}"


def adopt(client, made: dict):
    """Press "加入我的简报" on the edit page."""
    form = html_of(client.get(edit_path(made))).find("form", "adopt-form")
    response = client.post(form.attrs["action"], data=fields_of(form))
    assert response.status_code == 303, response.data[:300]
    return response


# -- the JSON API ----------------------------------------------------------------------------------


def test_create_answers_id_token_and_both_links(client):
    response = client.post("/api/briefings", json={"title": "林业简报"})
    assert response.status_code == 201 and response.mimetype == "application/json"
    made = response.json
    assert set(made) == {"id", "edit_token", "url", "edit_url"}
    assert made["url"] == f"http://localhost/b/{made['id']}"
    assert urlsplit(made["edit_url"]).path == f"/b/{made['id']}"
    assert parse_qs(urlsplit(made["edit_url"]).query) == {"token": [made["edit_token"]]}
    assert response.headers["Location"] == f"/api/briefings/{made['id']}"
    assert read(client, made["id"]) == {"id": made["id"], "title": "林业简报", "intro": "", "items": []}


@pytest.mark.parametrize("kwargs", [
    {"data": {"title": "x"}},  # what a cross-site HTML form can send
    {"data": json.dumps({"title": "x"}), "content_type": "text/plain"},
    {},
])
def test_create_accepts_only_json_so_no_other_site_can_post_a_form(client, kwargs):
    response = client.post("/api/briefings", **kwargs)
    assert response.status_code == 415 and "application/json" in response.json["error"]


def test_add_items_keeps_a_snapshot_with_the_citation(client, passages):
    made = create(client)
    response = add(client, made, passages[0]["id"], note="要点")
    assert response.status_code == 201 and isinstance(response.json["item_id"], int)
    add(client, made, passages[1]["id"])
    items = read(client, made["id"])["items"]
    assert [set(item) for item in items] == [{"item_id", "passage_id", "text", "citation", "note", "status"}] * 2
    assert [(i["passage_id"], i["text"], i["citation"], i["note"], i["status"]) for i in items] == [
        (passages[0]["id"], passages[0]["text"], passages[0]["citation"], "要点", "ok"),
        (passages[1]["id"], passages[1]["text"], passages[1]["citation"], "", "ok"),
    ]


def test_patch_title_intro_note_and_delete(client, passages):
    made = with_items(client, passages, 2)
    token = {"X-Edit-Token": made["edit_token"]}
    changed = client.patch(f"/api/briefings/{made['id']}", json={"title": "新标题", "intro": "导语"}, headers=token)
    assert changed.status_code == 200 and (changed.json["title"], changed.json["intro"]) == ("新标题", "导语")
    first, second = made["item_ids"]
    noted = client.patch(f"/api/briefings/{made['id']}/items/{first}", json={"note": "批注"}, headers=token)
    assert noted.status_code == 200 and noted.json["items"][0]["note"] == "批注"
    deleted = client.delete(f"/api/briefings/{made['id']}/items/{second}", headers=token)
    assert deleted.status_code == 204 and not deleted.data
    assert [i["item_id"] for i in read(client, made["id"])["items"]] == [first]
    assert client.delete(f"/api/briefings/{made['id']}/items/{second}", headers=token).status_code == 404


def test_reorder_with_a_permutation_and_refuse_anything_else(client, passages):
    made = with_items(client, passages, 3)
    ids, token = made["item_ids"], {"X-Edit-Token": made["edit_token"]}
    url = f"/api/briefings/{made['id']}"
    response = client.patch(url, json={"order": ids[::-1]}, headers=token)
    assert response.status_code == 200 and [i["item_id"] for i in response.json["items"]] == ids[::-1]
    for bad in ([ids[0], ids[1]], ids + [ids[0]], [ids[0], ids[0], ids[1]], ids[:2] + [999999], "abc",
                [str(i) for i in ids], [True, ids[1], ids[2]], {"a": 1}):
        response = client.patch(url, json={"order": bad, "title": "不该保存"}, headers=token)
        assert response.status_code == 400 and response.json["error"], bad
    after = read(client, made["id"])
    assert [i["item_id"] for i in after["items"]] == ids[::-1] and after["title"] == "森林覆盖率简报"


@pytest.mark.parametrize("token", [None, "", "wrong-token", "other briefing's"])
def test_every_change_needs_the_right_token_and_changes_nothing_without_it(client, passages, token):
    made = with_items(client, passages, 2)
    if token == "other briefing's":
        token = create(client)["edit_token"]
    headers = {} if token is None else {"X-Edit-Token": token}
    before = read(client, made["id"])
    base, item = f"/api/briefings/{made['id']}", made["item_ids"][0]
    attempts = [
        client.post(f"{base}/items", json={"passage_id": passages[2]["id"]}, headers=headers),
        client.patch(base, json={"title": "改了", "order": made["item_ids"][::-1]}, headers=headers),
        client.patch(f"{base}/items/{item}", json={"note": "改了"}, headers=headers),
        client.delete(f"{base}/items/{item}", headers=headers),
    ]
    assert [r.status_code for r in attempts] == [403] * 4
    assert all("X-Edit-Token" in r.json["error"] for r in attempts)
    assert read(client, made["id"]) == before


def test_unknown_briefing_passage_or_item_is_404(client, passages):
    made = with_items(client, passages, 1)
    other = with_items(client, passages, 1)
    token = {"X-Edit-Token": made["edit_token"]}
    responses = [
        client.get("/api/briefings/nope"),
        client.post("/api/briefings/nope/items", json={"passage_id": passages[0]["id"]}, headers=token),
        add(client, made, "no-such-passage"),
        add(client, made, ""),
        client.patch(f"/api/briefings/{made['id']}/items/999999", json={"note": "x"}, headers=token),
        client.delete(f"/api/briefings/{made['id']}/items/{other['item_ids'][0]}", headers=token),  # not its item
        client.delete(f"/api/briefings/{made['id']}/items/{10**30}", headers=token),  # beyond SQLite's integers
        client.get("/api/briefings/has.dot"),
    ]
    assert [r.status_code for r in responses] == [404] * len(responses)
    assert all(r.mimetype == "application/json" and r.json["error"] for r in responses)
    assert len(read(client, made["id"])["items"]) == 1 and len(read(client, other["id"])["items"]) == 1


def test_length_caps_are_400_and_the_caps_themselves_are_accepted(client, passages):
    assert client.post("/api/briefings", json={"title": "长" * (TITLE_MAX + 1)}).status_code == 400
    made = create(client, title="长" * TITLE_MAX)
    token, base = {"X-Edit-Token": made["edit_token"]}, f"/api/briefings/{made['id']}"
    assert client.patch(base, json={"intro": "长" * (INTRO_MAX + 1)}, headers=token).status_code == 400
    assert client.patch(base, json={"intro": "长" * INTRO_MAX}, headers=token).status_code == 200
    assert add(client, made, passages[0]["id"], note="长" * (NOTE_MAX + 1)).status_code == 400
    item = add(client, made, passages[0]["id"], note="长" * NOTE_MAX).json["item_id"]
    too_long = client.patch(f"{base}/items/{item}", json={"note": "长" * (NOTE_MAX + 1)}, headers=token)
    assert too_long.status_code == 400 and str(NOTE_MAX) in too_long.json["error"]
    assert read(client, made["id"])["items"][0]["note"] == "长" * NOTE_MAX


@pytest.mark.parametrize("body", [
    b"{not json", b"[1, 2]", b'"title"', b"null", b"\xff\xfe", '{"title": "x", "colour": "red"}',
    '{"title": 5}', '{"title": null}', '{"intro": ["x"]}',
])
def test_bad_json_bodies_are_400(client, body):
    response = client.post("/api/briefings", data=body, content_type="application/json")
    assert response.status_code == 400 and isinstance(response.json["error"], str) and response.json["error"]


@pytest.mark.parametrize("path, body", [
    ("", {}), ("", {"order": None, "title": 1}), ("/items", {}), ("/items", {"passage_id": 7}),
    ("/items", {"passage_id": "x", "note": None}), ("/items/{item}", {}), ("/items/{item}", {"note": 3}),
])
def test_bad_fields_on_changes_are_400(client, passages, path, body):
    made = with_items(client, passages, 1)
    method = client.post if path == "/items" else client.patch
    response = method(f"/api/briefings/{made['id']}{path.format(item=made['item_ids'][0])}", json=body,
                      headers={"X-Edit-Token": made["edit_token"]})
    assert response.status_code == 400 and response.json["error"]


def test_a_body_over_the_limit_is_413_json_and_413_page(client):
    huge = json.dumps({"title": "x" * 100_000})
    api = client.post("/api/briefings", data=huge, content_type="application/json")
    assert api.status_code == 413 and api.mimetype == "application/json" and api.json["error"]
    page = client.post("/briefings", data={"title": "x" * 100_000, "csrf_token": csrf_of(client)})
    assert page.status_code == 413 and html_of(page).find("h1").text == "提交的内容太长"


def test_a_locked_database_is_503_with_a_message_and_loses_nothing(seed_index, tmp_path, passages):
    path = tmp_path / "locked.sqlite3"
    client = create_app({"INDEX_DIR": seed_index, "TESTING": True, "BRIEFINGS_DB": path, "SECRET_KEY": "test",
                         "BRIEFINGS_BUSY_SECONDS": 0.2}).test_client()
    made = create(client)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        response = add(client, made, passages[0]["id"])
        assert response.status_code == 503 and "正忙" in response.json["error"]
        assert response.headers["Retry-After"]
        page = client.post("/b/add", data={"csrf_token": csrf_of(client), "passage_id": passages[0]["id"],
                                           "briefing": "new", "title": "锁住时"})
        assert page.status_code == 503 and html_of(page).find("h1").text == "简报暂时无法保存"
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert add(client, made, passages[0]["id"]).status_code == 201
    assert len(read(client, made["id"])["items"]) == 1


def test_concurrent_adds_through_the_api_land_once_per_passage(app, passages):
    made = create(app.test_client())
    answers: list = []

    def add_all(n: int) -> None:
        client = app.test_client()
        for i in range(len(passages)):
            response = add(client, made, passages[(n + i) % len(passages)]["id"])
            answers.append((response.status_code, response.json["passage_id"], response.json["item_id"]))

    threads = [threading.Thread(target=add_all, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    items = read(app.test_client(), made["id"])["items"]
    assert sorted(i["passage_id"] for i in items) == sorted(p["id"] for p in passages)
    assert sorted(status for status, _, _ in answers) == [200] * 15 + [201] * 5  # one add each, then "already in"
    assert {(pid, item) for _, pid, item in answers} == {(i["passage_id"], i["item_id"]) for i in items}


# -- adding from a hit, without JavaScript ---------------------------------------------------------


def add_form(page, passage_id: str):
    return next(f for f in page.find_all("form", "add-briefing-form")
                if any(i.attrs.get("value") == passage_id for i in f.find_all("input")))


def fields_of(form) -> dict:
    return {i.attrs["name"]: i.attrs.get("value", "") for i in form.find_all("input") if i.attrs.get("name")}


def test_add_from_search_results_creates_then_reuses_a_briefing(client, passages):
    page = html_of(client.get("/search", query_string={"q": QUERY}))
    form = add_form(page, passages[0]["id"])
    assert form.attrs["method"] == "post" and form.attrs["action"] == "/b/add"
    assert [o.attrs["value"] for o in form.find("select").find_all("option")] == ["new"]  # no briefings yet
    fields = fields_of(form)
    assert fields["csrf_token"] and urlsplit(fields["next"]).fragment == f"hit-{passages[0]['id']}"

    response = client.post("/b/add", data={**fields, "briefing": "new", "title": "我的林业简报"})
    assert response.status_code == 303 and response.headers["Location"] == fields["next"]
    page = html_of(client.get(response.headers["Location"]))
    notice = page.by_id[f"hit-{passages[0]['id']}"].find("p", "notice")
    assert "已加入简报《我的林业简报》" in notice.text and "现有 1 段" in notice.text
    [briefing_id] = [h.split("/")[2] for h in page.links("打开简报")]
    assert not html_of(client.get("/search", query_string={"q": QUERY})).find_all("p", "notice")  # shown once

    # Now the list offers that briefing first, and adding to it needs no title.
    form = add_form(page, passages[1]["id"])
    options = form.find("select").find_all("option")
    assert [(o.attrs["value"], o.text) for o in options] == [(briefing_id, "我的林业简报"), ("new", "新建简报…")]
    client.post("/b/add", data={**fields_of(form), "briefing": briefing_id})
    assert [i["passage_id"] for i in read(client, briefing_id)["items"]] == [passages[0]["id"], passages[1]["id"]]

    mine = html_of(client.get("/briefings"))
    assert [a.text for a in mine.find_all("a", "mine-title")] == ["我的林业简报"]
    assert f"/b/{briefing_id}/edit" in mine.links("我的林业简报")


def test_add_from_the_permalink_page(client, passages):
    page = html_of(client.get(f"/p/{passages[2]['id']}"))
    fields = fields_of(add_form(page, passages[2]["id"]))
    assert fields["next"] == f"/p/{passages[2]['id']}"
    response = client.post("/b/add", data={**fields, "briefing": "new", "title": ""})
    page = html_of(client.get(response.headers["Location"]))
    assert "已加入简报《未命名简报》" in page.find("p", "notice").text


def test_add_answers_json_for_scripts_without_the_token(client, passages):
    data = {"csrf_token": csrf_of(client), "passage_id": passages[0]["id"], "briefing": "new", "title": "脚本"}
    response = client.post("/b/add", data=data, headers={"Accept": "application/json"})
    assert response.status_code == 201 and response.json["created"] is True and response.json["count"] == 1
    briefing = response.json["briefing"]
    assert briefing["title"] == "脚本" and briefing["edit_url"] == f"/b/{briefing['id']}/edit"
    assert "token" not in response.data.decode()
    again = client.post("/b/add", data={**data, "passage_id": passages[1]["id"], "briefing": briefing["id"]},
                        headers={"Accept": "application/json"})
    assert again.json["count"] == 2 and again.json["created"] is False and again.json["added"] is True
    assert again.json["message"] == "已加入简报《脚本》，现有 2 段。"
    refused = client.post("/b/add", data={**data, "passage_id": "nope"}, headers={"Accept": "application/json"})
    assert refused.status_code == 404 and refused.json["error"]


def test_adding_to_a_briefing_this_browser_cannot_edit_is_403(client, passages):
    made = create(client)  # through the API: this browser was never given the edit link
    data = {"csrf_token": csrf_of(client), "passage_id": passages[0]["id"], "briefing": made["id"]}
    response = client.post("/b/add", data=data)
    assert response.status_code == 403 and html_of(response).find("h1").text == "没有编辑权限"
    assert read(client, made["id"])["items"] == []


@pytest.mark.parametrize("next_url", ["//evil.example/", "https://evil.example/", "/\\evil.example", "/\t/evil",
                                      "javascript:alert(1)", ""])
def test_only_local_next_urls_are_followed(client, passages, next_url):
    data = {"csrf_token": csrf_of(client), "passage_id": passages[0]["id"], "briefing": "new", "next": next_url}
    location = client.post("/b/add", data=data).headers["Location"]
    assert location.startswith("/b/") and location.endswith("/edit")


@pytest.mark.parametrize("csrf", [None, "", "forged"])
def test_forms_without_this_sessions_csrf_token_are_refused(client, passages, csrf):
    made = with_items(client, passages, 1)
    csrf_of(client)  # the session has a token; the form does not send it
    extra = {} if csrf is None else {"csrf_token": csrf}
    before = read(client, made["id"])
    base, item = f"/b/{made['id']}", made["item_ids"][0]
    posts = [
        ("/b/add", {"passage_id": passages[1]["id"], "briefing": "new", "title": "伪造"}),
        ("/briefings", {"title": "伪造"}),
        (base, {"token": made["edit_token"], "title": "伪造"}),
        (f"{base}/items/{item}/note", {"token": made["edit_token"], "note": "伪造"}),
        (f"{base}/items/{item}/move", {"token": made["edit_token"], "offset": "1"}),
        (f"{base}/items/{item}/delete", {"token": made["edit_token"]}),
        (f"{base}/adopt", {"token": made["edit_token"]}),
        (f"{base}/delete", {"token": made["edit_token"], "confirmed": "yes"}),
    ]
    for url, data in posts:
        response = client.post(url, data={**data, **extra})
        assert response.status_code == 400, url
        assert html_of(response).find("h1").text == "表单已失效"
    assert read(client, made["id"]) == before
    with client.session_transaction() as session:
        assert not session.get("briefings")


def test_a_fresh_browser_without_a_session_is_refused_too(app, passages):
    response = app.test_client().post("/b/add", data={"csrf_token": "anything", "passage_id": passages[0]["id"]})
    assert response.status_code == 400


# -- the briefing's pages ---------------------------------------------------------------------------


def test_the_read_only_page_shows_the_document_without_controls_or_token(app, client, passages):
    made = with_items(client, passages, 3, intro="第一行\n第二行")
    app.test_client().patch(f"/api/briefings/{made['id']}/items/{made['item_ids'][1]}", json={"note": "看这里"},
                            headers={"X-Edit-Token": made["edit_token"]})
    response = app.test_client().get(f"/b/{made['id']}")  # a colleague's browser
    page = html_of(response)
    body, main = response.data.decode(), html_of(response).by_id["main"]
    assert made["edit_token"] not in body and "token" not in body
    assert not list(main.find_all("form")) and not list(main.find_all("textarea")) and not list(main.find_all("button"))
    assert page.find("h1").text == "森林覆盖率简报" and page.find("p", "briefing-intro").text == "第一行\n第二行"
    items = page.find_all("li", "briefing-item")
    assert [i.find("blockquote", "item-text").text for i in items] == [p["text"] for p in passages[:3]]
    cites = [i.find("p", "item-cite") for i in items]
    assert [c.find("span", "cite-text").text for c in cites] == [f"［{n}］{p['citation']}"
                                                                for n, p in enumerate(passages[:3], 1)]
    assert [c.find("a").attrs["href"] for c in cites] == [f"/p/{p['id']}" for p in passages[:3]]
    assert cites[0].find("a").text == f"http://localhost/p/{passages[0]['id']}"  # printed, so spelled out
    assert items[1].find("p", "item-note").text == "批注：看这里" and items[0].find("p", "item-note") is None
    assert {f"/b/{made['id']}.md", f"/b/{made['id']}.docx"} <= set(page.links())
    assert response.headers.get("Cache-Control") != "no-store"


def test_the_edit_link_adds_the_forms_and_keeps_the_token_out_of_referers_and_caches(app, passages):
    client = app.test_client()
    made = with_items(client, passages, 2)
    response = client.get(edit_path(made))
    page = html_of(response)
    assert response.headers["Cache-Control"] == "no-store" and response.headers["Referrer-Policy"] == "no-referrer"
    assert any(m.attrs.get("name") == "referrer" and m.attrs.get("content") == "no-referrer"
               for m in page.find_all("meta"))
    # One form for the page: both notes and every item button belong to it.
    assert len(page.find_all("div", "note-form")) == 2 and len(page.find_all("div", "item-tools")) == 2
    assert page.find("form", "edit-form").attrs["id"] == "briefing-edit"
    notes = [field for field in page.find_all("textarea") if field.attrs["name"].startswith("note-")]
    assert len(notes) == 2 and all(field.attrs.get("form") == "briefing-edit" for field in notes)
    assert page.by_id["read-link"].attrs["value"] == f"http://localhost/b/{made['id']}"
    assert page.by_id["edit-link"].attrs["value"] == f"http://localhost{edit_path(made)}"
    up, down, _ = page.find("div", "item-tools").find_all("button")
    assert {button.attrs["form"] for button in (up, down)} == {"briefing-edit"}
    assert "disabled" in up.attrs and "disabled" not in down.attrs  # the first item cannot go up
    wrong = client.get(f"/b/{made['id']}?token=wrong")
    assert wrong.status_code == 403 and html_of(wrong).links("回到这份简报（只读）") == [f"/b/{made['id']}"]


def test_edit_redirects_to_the_edit_link_this_browser_knows(app, passages):
    client = app.test_client()
    made = with_items(client, passages, 1)
    assert app.test_client().get(f"/b/{made['id']}/edit").status_code == 403  # never opened the edit link
    adopt(client, made)
    response = client.get(f"/b/{made['id']}/edit")
    assert response.status_code == 303 and response.headers["Location"] == edit_path(made)
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/b/nope/edit").status_code == 404
    read_only = client.get(f"/b/{made['id']}")  # its owner is offered the way back, without the token
    assert html_of(read_only).links("打开编辑页") == [f"/b/{made['id']}/edit"]
    assert made["edit_token"] not in read_only.data.decode()


def test_editing_through_the_forms_without_javascript(app, passages):
    client = app.test_client()
    made = with_items(client, passages, 3)
    page = html_of(client.get(edit_path(made)))
    csrf = fields_of(page.find("form", "edit-form"))["csrf_token"]
    first, second, third = made["item_ids"]
    base, token = f"/b/{made['id']}", made["edit_token"]

    response = client.post(base, data={"csrf_token": csrf, "token": token, "title": "新标题", "intro": "甲\r\n乙"})
    assert response.status_code == 303 and response.headers["Location"] == edit_path(made)
    assert "标题和导语已保存" in html_of(client.get(response.headers["Location"])).find("p", "notice").text
    response = client.post(f"{base}/items/{first}/move", data={"csrf_token": csrf, "token": token, "offset": "1"})
    assert response.headers["Location"] == f"{edit_path(made)}#item-{first}"
    client.post(f"{base}/items/{third}/note", data={"csrf_token": csrf, "token": token, "note": "第一行\r\n第二行"})
    client.post(f"{base}/items/{second}/delete", data={"csrf_token": csrf, "token": token})
    briefing = read(client, made["id"])
    assert (briefing["title"], briefing["intro"]) == ("新标题", "甲\n乙")  # CRLF from the browser stored as LF
    assert [(i["item_id"], i["note"]) for i in briefing["items"]] == [(first, ""), (third, "第一行\n第二行")]

    assert client.post(f"{base}/items/{first}/move", data={"csrf_token": csrf, "token": token,
                                                           "offset": "5"}).status_code == 400
    refused = client.post(base, data={"csrf_token": csrf, "token": "wrong", "title": "坏人"})
    assert refused.status_code == 403 and html_of(refused).find("h1").text == "没有编辑权限"
    assert read(client, made["id"])["title"] == "新标题"
    too_long = client.post(f"{base}/items/{first}/note", data={"csrf_token": csrf, "token": token, "note": "长" * 2001})
    assert too_long.status_code == 400 and html_of(too_long).find("h1").text == "无法保存这些内容"


def test_new_briefing_from_my_briefings(app):
    client = app.test_client()
    response = client.post("/briefings", data={"csrf_token": csrf_of(client), "title": "空简报"})
    page = html_of(client.get(response.headers["Location"]))
    assert page.find("h1").text == "空简报" and page.find("div", "briefing-empty") is not None
    assert page.find("details", "edit-header").attrs.get("open") is not None  # an empty one opens its form


def test_notes_and_titles_are_escaped_everywhere(app, passages):
    client = app.test_client()
    made = with_items(client, passages, 1, title=SCRIPT, intro=SCRIPT)
    client.patch(f"/api/briefings/{made['id']}/items/{made['item_ids'][0]}", json={"note": SCRIPT},
                 headers={"X-Edit-Token": made["edit_token"]})
    adopt(client, made)  # remembered: the title also appears in lists
    for url in (f"/b/{made['id']}", edit_path(made), "/briefings"):
        body = client.get(url).data.decode()
        assert "<script>alert" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body, url
    listed = client.get(f"/search?q={QUERY}").data.decode()  # the list keeps a shortened title
    assert "<script>alert" not in listed and "&lt;script&gt;alert(1)" in listed
    markdown = client.get(f"/b/{made['id']}.md").data.decode()
    assert "<script>" not in markdown and "&lt;script&gt;" in markdown


def test_items_say_when_their_passage_changed_or_is_gone(client, passages, db_path):
    made = create(client)
    store = BriefingStore(db_path)
    store.add_item(made["id"], made["edit_token"], passages[0])
    store.add_item(made["id"], made["edit_token"], {**passages[1], "text": "加入时的旧文字"})
    store.add_item(made["id"], made["edit_token"], {**passages[2], "id": "gone000000", "text": "已删除段落的文字"})
    assert [i["status"] for i in read(client, made["id"])["items"]] == ["ok", "changed", "missing"]
    items = html_of(client.get(f"/b/{made['id']}")).find_all("li", "briefing-item")
    assert items[0].find("p", "item-status") is None
    changed, missing = items[1], items[2]
    assert changed.find("strong", "status-badge").text == "原文已更新"
    assert changed.find("blockquote").text == "加入时的旧文字"  # the snapshot, and the current text on request
    assert changed.find("details", "item-current").find("p").text == passages[1]["text"]
    assert missing.find("strong", "status-badge").text == "原文已不存在"
    assert missing.find("blockquote").text == "已删除段落的文字" and "永久链接会失效" in missing.text


def test_a_briefing_outlives_its_index(tmp_path, db_path, client, passages):
    made = with_items(client, passages, 1)
    gone = create_app({"INDEX_DIR": tmp_path / "no-index", "TESTING": True, "BRIEFINGS_DB": db_path,
                       "SECRET_KEY": "test"}).test_client()
    response = gone.get(f"/b/{made['id']}")
    assert response.status_code == 200 and passages[0]["text"] in response.data.decode()
    assert gone.get(f"/api/briefings/{made['id']}").json["items"][0]["status"] is None


@pytest.mark.parametrize("url", ["/b/nope", "/b/nope.md", "/b/nope.docx", "/b/has.dot", "/b/nope?token=x"])
def test_unknown_briefings_are_404_pages(client, url):
    response = client.get(url)
    assert response.status_code == 404 and html_of(response).find("p", "error-status").text == "错误 404"


def test_briefing_pages_have_the_security_headers_and_no_inline_code(app, passages):
    client = app.test_client()
    made = with_items(client, passages, 2)
    for url in (f"/b/{made['id']}", edit_path(made), "/briefings", f"/p/{passages[0]['id']}", f"/search?q={QUERY}"):
        response = client.get(url)
        assert response.status_code == 200
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        page = html_of(response)
        assert all(script.attrs.get("src") for script in page.find_all("script")) and not page.find_all("style")
        assert b' style="' not in response.data and b" onclick=" not in response.data
        addresses = [e.attrs.get(name, "") for e in page.find_all() for name in ("href", "src", "action", "formaction")]
        assert not [a for a in addresses if a.startswith(("http:", "https:", "//"))], url
        assert not page.duplicate_ids, url


# -- exports ---------------------------------------------------------------------------------------


def exported(client, passages) -> tuple[dict, list[dict]]:
    made = with_items(client, passages, 3, title="林业/简报：2024", intro="导语")
    token = {"X-Edit-Token": made["edit_token"]}
    client.patch(f"/api/briefings/{made['id']}", json={"order": made["item_ids"][::-1]}, headers=token)
    client.patch(f"/api/briefings/{made['id']}/items/{made['item_ids'][2]}", json={"note": f"{SCRIPT} *重点*"},
                 headers=token)
    return made, passages[:3][::-1]  # in their new order


def test_markdown_export_numbers_citations_with_permalinks(client, passages):
    made, ordered = exported(client, passages)
    response = client.get(f"/b/{made['id']}.md")
    assert response.status_code == 200 and response.mimetype == "text/markdown"
    assert response.mimetype_params["charset"] == "utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f'filename="briefing-{made["id"]}.md"' in disposition
    assert f"filename*=UTF-8''{quote('林业 简报：2024.md')}" in disposition  # no / in a file name
    text = response.data.decode()
    assert text.startswith("# 林业/简报：2024\n")
    for n, passage in enumerate(ordered, 1):
        assert f"［{n}］{passage['citation']}" in text
        assert f"http://localhost/p/{passage['id']}" in text
    assert text.index(f"/p/{ordered[0]['id']}") < text.index(f"/p/{ordered[1]['id']}")
    assert "&lt;script&gt;" in text and "\\*重点\\*" in text


def test_word_export_reads_back_with_python_docx(client, passages):
    made, ordered = exported(client, passages)
    response = client.get(f"/b/{made['id']}.docx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    document = Document(io.BytesIO(response.data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert document.paragraphs[0].text == "林业/简报：2024" and "导语" in text
    for n, passage in enumerate(ordered, 1):
        assert passage["text"] in text and f"［{n}］{passage['citation']}" in text
        assert f"http://localhost/p/{passage['id']}" in text
    assert f"{SCRIPT} *重点*" in text  # plain text in Word


# -- configuration ---------------------------------------------------------------------------------


def test_the_default_database_is_in_the_instance_folder(seed_index):
    app = create_app({"INDEX_DIR": seed_index, "SECRET_KEY": "test"})
    assert app.config["BRIEFINGS_DB"] == os.path.join(app.instance_path, "briefings.sqlite3")
    assert app.config["MAX_CONTENT_LENGTH"] == 64 * 1024


def test_a_missing_secret_key_is_made_once_kept_private_and_reused(tmp_path):
    key = _secret_key(str(tmp_path / "instance"))
    path = tmp_path / "instance" / "secret_key"
    assert len(key) == 64 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _secret_key(str(tmp_path / "instance")) == key  # a restart keeps everyone's session
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]


def edit_form(page) -> dict[str, str]:
    """What the edit page's one form (#briefing-edit) sends as it stands, as a browser without
    JavaScript would: its own fields and every field elsewhere that names it with form=."""
    form = page.by_id["briefing-edit"]
    joined = [e for tag in ("input", "textarea") for e in page.find_all(tag) if e.attrs.get("form") == "briefing-edit"]
    fields = {e.attrs["name"]: e.attrs.get("value", "") for e in [*form.find_all("input"), *joined]
              if e.tag == "input" and "name" in e.attrs}
    fields.update({e.attrs["name"]: e.text for e in [*form.find_all("textarea"), *joined] if e.tag == "textarea"})
    return fields


def test_saving_one_note_keeps_the_others_typed_without_javascript(app, passages):
    """Type a note for item 2 and one for item 4, press item 2's 保存批注: both are saved."""
    client = app.test_client()
    made = with_items(client, passages, 4)
    items = made["item_ids"]
    fields = edit_form(html_of(client.get(edit_path(made))))
    fields.update({f"note-{items[1]}": "第二段的批注", f"note-{items[3]}": "第四段的批注", "at": str(items[1])})
    response = client.post(f"/b/{made['id']}", data=fields)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#item-{items[1]}")
    notice = html_of(client.get(response.headers["Location"])).find("p", "notice").text
    assert "批注已保存（2 条）" in notice
    assert [i["note"] for i in read(client, made["id"])["items"]] == ["", "第二段的批注", "", "第四段的批注"]


def test_moving_or_removing_an_item_keeps_the_notes_typed(app, passages):
    client = app.test_client()
    made = with_items(client, passages, 3)
    first, second, third = made["item_ids"]
    base = f"/b/{made['id']}"
    fields = edit_form(html_of(client.get(edit_path(made))))
    fields.update({f"note-{third}": "移动前写的", "offset": "-1"})
    client.post(f"{base}/items/{second}/move", data=fields)
    assert [(i["item_id"], i["note"]) for i in read(client, made["id"])["items"]] == [
        (second, ""), (first, ""), (third, "移动前写的")]
    fields = edit_form(html_of(client.get(edit_path(made))))
    fields.update({f"note-{first}": "删除前写的"})
    client.post(f"{base}/items/{second}/delete", data=fields)
    assert [(i["item_id"], i["note"]) for i in read(client, made["id"])["items"]] == [
        (first, "删除前写的"), (third, "移动前写的")]


def test_saving_all_leaves_a_note_a_collaborator_changed_meanwhile(app, passages):
    client = app.test_client()
    made = with_items(client, passages, 2)
    first, second = made["item_ids"]
    fields = edit_form(html_of(client.get(edit_path(made))))  # this reader opens the page
    csrf = fields["csrf_token"]
    client.post(f"/b/{made['id']}/items/{second}/note",  # a collaborator saves a note on item 2
                data={"csrf_token": csrf, "token": made["edit_token"], "note": "合作者的批注"})
    fields[f"note-{first}"] = "我的批注"
    client.post(f"/b/{made['id']}", data=fields)
    assert [i["note"] for i in read(client, made["id"])["items"]] == ["我的批注", "合作者的批注"]


def test_saving_all_refuses_a_note_too_long_and_saves_nothing(app, passages):
    client = app.test_client()
    made = with_items(client, passages, 2)
    first, second = made["item_ids"]
    fields = edit_form(html_of(client.get(edit_path(made))))
    fields.update({f"note-{first}": "短批注", f"note-{second}": "长" * (NOTE_MAX + 1)})
    response = client.post(f"/b/{made['id']}", data=fields)
    assert response.status_code == 400 and html_of(response).find("h1").text == "无法保存这些内容"
    assert [i["note"] for i in read(client, made["id"])["items"]] == ["", ""]
