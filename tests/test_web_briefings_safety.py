"""Briefings on the site when someone means harm or something breaks: the session cookie's flags, a
briefing planted through a link, tokens in logs and caches, text no one should send, adding twice,
deleting, a full disk and a database file removed under the running site.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3

import pytest

from search.briefings.store import BriefingStore
from webui import create_app
from webui.server import RequestLog

from .test_web_briefings import QUERY, add, add_form, adopt, create, csrf_of, edit_path, fields_of, html_of, read
from .web_helpers import parse_html


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "b.sqlite3"


@pytest.fixture
def app(seed_index, db_path):
    return create_app({"INDEX_DIR": seed_index, "TESTING": True, "BRIEFINGS_DB": db_path, "SECRET_KEY": "test"})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def passages(engine) -> list[dict]:
    return [engine.passage(hit["id"]) for hit in engine.search(QUERY, per_page=3)["hits"]]


# -- the session cookie ----------------------------------------------------------------------------


@pytest.mark.parametrize("base_url, config, secure", [
    ("http://localhost", {}, False),
    ("https://localhost", {}, True),  # served over HTTPS (directly, or through ProxyFix)
    ("http://localhost", {"SESSION_COOKIE_SECURE": True}, True),  # TLS ends before the site, and it is told
])
def test_the_session_cookie_is_samesite_lax_httponly_and_secure_over_https(seed_index, db_path, base_url, config,
                                                                           secure):
    app = create_app({"INDEX_DIR": seed_index, "TESTING": True, "BRIEFINGS_DB": db_path, "SECRET_KEY": "test",
                      **config})
    cookie = app.test_client().get("/briefings", base_url=base_url).headers["Set-Cookie"]
    flags = {part.strip().split("=")[0] for part in cookie.split(";")[1:]}
    assert {"SameSite", "HttpOnly"} <= flags and "SameSite=Lax" in cookie
    assert ("Secure" in flags) == secure


# -- planting a briefing ---------------------------------------------------------------------------


def test_opening_someones_edit_link_adds_nothing_to_this_browser(app, client, passages):
    planted = create(app.test_client(), title="别人的简报")
    client.get(edit_path(planted))
    client.post(f"/b/{planted['id']}", data={"csrf_token": csrf_of(client), "token": planted["edit_token"],
                                             "title": "别人的简报"})  # even editing it through the form
    with client.session_transaction() as session:
        assert not session.get("briefings")
    form = add_form(html_of(client.get("/search", query_string={"q": QUERY})), passages[0]["id"])
    assert [o.attrs["value"] for o in form.find("select").find_all("option")] == ["new"]
    refused = client.post("/b/add", data={**fields_of(form), "briefing": planted["id"]})
    assert refused.status_code == 403 and read(client, planted["id"])["items"] == []


def test_adopting_is_a_form_post_with_the_csrf_token_and_the_add_form_then_names_it(client, passages):
    own = client.post("/b/add", data={"csrf_token": csrf_of(client), "passage_id": passages[0]["id"],
                                      "briefing": "new", "title": "我自己的"})
    assert own.status_code == 303
    shared = create(client, title="合作者的简报")
    page = html_of(client.get(edit_path(shared)))
    form = page.find("form", "adopt-form")
    assert form.find("button").text == "加入我的简报" and form.attrs["method"] == "post"
    forged = client.post(form.attrs["action"], data={**fields_of(form), "csrf_token": "forged"})
    assert forged.status_code == 400
    wrong = client.post(form.attrs["action"], data={**fields_of(form), "token": "wrong"})
    assert wrong.status_code == 403
    form = add_form(html_of(client.get("/search", query_string={"q": QUERY})), passages[1]["id"])
    assert [o.text for o in form.find("select").find_all("option")] == ["我自己的", "新建简报…"]

    adopt(client, shared)
    assert html_of(client.get(edit_path(shared))).find("form", "adopt-form") is None  # now it says it is there
    form = add_form(html_of(client.get("/search", query_string={"q": QUERY})), passages[1]["id"])
    label = form.find("select").parent
    assert label.text.strip().startswith("加入到")  # the form says where the passage goes: the first, chosen
    assert [o.text for o in form.find("select").find_all("option")] == ["合作者的简报", "我自己的", "新建简报…"]


# -- tokens in logs and caches ---------------------------------------------------------------------


def test_the_request_log_hides_edit_tokens(caplog):
    app = RequestLog(lambda environ, start_response: start_response("200 OK", []) or [b""])
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/b/abc", "QUERY_STRING": "token=SECRET1&x=1&%74oken=SECRET2"}
    with caplog.at_level(logging.INFO, logger="webui.requests"):
        app(environ, lambda status, headers, exc_info=None: None).close()
    [line] = [r.getMessage() for r in caplog.records]
    assert "SECRET" not in line and "/b/abc?token=***&x=1&%74oken=***" in line


def test_every_answer_that_holds_an_edit_token_is_no_store(client, passages):
    answers = []
    made_response = client.post("/api/briefings", json={"title": "t"})
    made = made_response.json
    answers.append(made_response)
    add(client, made, passages[0]["id"])
    item = read(client, made["id"])["items"][0]["item_id"]
    csrf, token, base = csrf_of(client), made["edit_token"], f"/b/{made['id']}"
    answers.append(client.get(edit_path(made)))
    answers.append(adopt(client, made))
    answers.append(client.get(f"{base}/edit"))
    for url, data in [(base, {"title": "新"}), (f"{base}/items/{item}/note", {"note": "n"}),
                      (f"{base}/items/{item}/move", {"offset": "1"}), (f"{base}/delete", {}),
                      (f"{base}/items/{item}/delete", {})]:
        answers.append(client.post(url, data={"csrf_token": csrf, "token": token, **data}))
    answers.append(client.post("/briefings", data={"csrf_token": csrf, "title": "另一份"}))
    holding = [a for a in answers if token.encode() in a.data or "token=" in a.headers.get("Location", "")]
    assert len(holding) >= 10
    assert [a.request.path for a in holding if a.headers.get("Cache-Control") != "no-store"] == []


# -- text no one should send -----------------------------------------------------------------------


@pytest.mark.parametrize("method, path, body", [
    ("post", "", '{"title": "坏\\ud800"}'),
    ("post", "", '{"intro": "坏\\udfff字"}'),
    ("post", "", '{"\\ud800": "键也不行"}'),
    ("patch", "/{id}", '{"title": "\\udc00"}'),
    ("post", "/{id}/items", '{"passage_id": "\\ud800"}'),
    ("post", "/{id}/items", '{"passage_id": "PASSAGE", "note": "\\ud83d"}'),  # half of an emoji
])
def test_lone_surrogates_in_json_are_400_in_chinese(client, passages, method, path, body):
    made = create(client)
    url = "/api/briefings" + path.format(id=made["id"])
    response = getattr(client, method)(url, data=body.replace("PASSAGE", passages[0]["id"]),
                                       content_type="application/json", headers={"X-Edit-Token": made["edit_token"]})
    assert response.status_code == 400 and "代理项" in response.json["error"]
    assert read(client, made["id"]) == {"id": made["id"], "title": "森林覆盖率简报", "intro": "", "items": []}


def test_control_characters_are_dropped_on_the_way_in_and_the_word_export_works(client, passages):
    made = create(client, title="标题\x01\x0b", intro="导语\x00")
    add(client, made, passages[0]["id"], note="批注\x1f\x0c第二行")
    briefing = read(client, made["id"])
    assert (briefing["title"], briefing["intro"], briefing["items"][0]["note"]) == ("标题", "导语", "批注\n第二行")
    assert client.get(f"/b/{made['id']}.docx").status_code == 200


# -- adding twice, deleting ------------------------------------------------------------------------


def test_adding_a_passage_twice_says_so_instead_of_duplicating(client, passages):
    made = create(client)
    first, again = add(client, made, passages[0]["id"]), add(client, made, passages[0]["id"])  # a retry, say
    assert (first.status_code, first.json["added"]) == (201, True)
    assert (again.status_code, again.json["added"], again.json["item_id"]) == (200, False, first.json["item_id"])
    assert again.json["message"] == "这一段已在简报中（第 1 段），没有重复加入"
    form = {"csrf_token": csrf_of(client), "passage_id": passages[1]["id"], "briefing": "new", "title": "表单",
            "next": f"/p/{passages[1]['id']}"}
    client.post("/b/add", data=form)
    mine = html_of(client.get("/briefings")).find("a", "mine-title").attrs["href"].split("/")[2]
    client.post("/b/add", data={**form, "briefing": mine})
    notice = html_of(client.get(f"/p/{passages[1]['id']}")).find("p", "notice").text
    assert "这一段已在简报《表单》中（第 1 段），没有重复加入" in notice
    assert len(read(client, made["id"])["items"]) == 1 and len(read(client, mine)["items"]) == 1


def test_the_api_deletes_a_briefing_only_with_its_token(client, passages):
    made = create(client)
    add(client, made, passages[0]["id"])
    for headers in ({}, {"X-Edit-Token": "wrong"}):
        assert client.delete(f"/api/briefings/{made['id']}", headers=headers).status_code == 403
    assert len(read(client, made["id"])["items"]) == 1
    assert client.delete(f"/api/briefings/{made['id']}", headers={"X-Edit-Token": made["edit_token"]}).status_code == 204
    assert client.get(f"/api/briefings/{made['id']}").status_code == 404
    assert client.get(f"/b/{made['id']}").status_code == 404
    assert client.delete(f"/api/briefings/{made['id']}", headers={"X-Edit-Token": made["edit_token"]}).status_code == 404


def test_deleting_on_the_page_asks_to_confirm_first(client, passages):
    made = create(client, title="要删的简报")
    add(client, made, passages[0]["id"])
    adopt(client, made)
    form = html_of(client.get(edit_path(made))).find("form", "delete-briefing-form")
    asking = client.post(form.attrs["action"], data=fields_of(form))
    assert asking.status_code == 200 and asking.headers["Cache-Control"] == "no-store"
    page = html_of(asking)
    assert page.find("h1").text == "删除简报《要删的简报》？" and "有 1 段" in page.find("section").text
    assert len(read(client, made["id"])["items"]) == 1  # nothing deleted yet
    confirm = page.find("form", "delete-confirm-form")
    assert fields_of(confirm)["confirmed"] == "yes" and page.links("取消，回到简报") == [edit_path(made)]
    done = client.post(confirm.attrs["action"], data=fields_of(confirm))
    assert done.status_code == 303 and done.headers["Location"] == "/briefings"
    mine = html_of(client.get("/briefings"))
    assert "简报《要删的简报》已删除" in mine.find("p", "notice").text and not mine.find_all("a", "mine-title")
    assert client.get(f"/api/briefings/{made['id']}").status_code == 404


@pytest.mark.parametrize("token", [
    None,  # the form's token field left out
    "",
    "wrong",
])
@pytest.mark.parametrize("confirmed", [None, "yes"])  # the asking step and the deleting one
def test_the_delete_form_without_the_briefings_token_deletes_nothing(client, passages, token, confirmed):
    made = create(client, title="不能删的简报")
    add(client, made, passages[0]["id"])
    adopt(client, made)  # even a browser that lists it needs the token in the form
    fields = {"csrf_token": csrf_of(client)}
    if token is not None:
        fields["token"] = token
    if confirmed:
        fields["confirmed"] = confirmed
    refused = client.post(f"/b/{made['id']}/delete", data=fields)
    assert refused.status_code == 403 and html_of(refused).find("h1").text == "没有编辑权限"
    assert len(read(client, made["id"])["items"]) == 1


# -- a full disk, a database that went away ---------------------------------------------------------


def test_a_full_disk_is_a_clear_503_and_loses_nothing(client, passages, monkeypatch):
    made = create(client)
    add(client, made, passages[0]["id"], note="已有的批注")
    before = read(client, made["id"])
    connect = BriefingStore._connect

    def no_room(self):
        db = connect(self)
        db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0]}")
        return db

    monkeypatch.setattr(BriefingStore, "_connect", no_room)
    api = add(client, made, passages[1]["id"], note="长" * 2000)
    assert api.status_code == 503 and "磁盘已满" in api.json["error"]
    page = client.post("/briefings", data={"csrf_token": csrf_of(client), "title": "新简报", "intro": "长" * 5000})
    assert page.status_code == 503 and html_of(page).find("h1").text == "简报没有保存：服务器磁盘已满"
    monkeypatch.undo()
    assert read(client, made["id"]) == before


def test_a_really_full_disk_refuses_changes_with_503_and_still_reads(client, passages, monkeypatch):
    """On a full disk SQLite fails as a connection opens (it cannot size the -shm file: an I/O error,
    not SQLITE_FULL), for reading too: every briefing page was a 500. Seen on a full tmpfs."""
    made = create(client)
    add(client, made, passages[0]["id"], note="已有的批注")
    before = read(client, made["id"])
    connect = BriefingStore._connect

    def no_room_for_the_shm(self):
        connect(self).close()
        error = sqlite3.OperationalError("disk I/O error")
        error.sqlite_errorcode = 4874  # SQLITE_IOERR_SHMSIZE
        raise error

    monkeypatch.setattr(BriefingStore, "_connect", no_room_for_the_shm)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(10**9, 10**9, 0))
    changes = [client.post("/api/briefings", json={"title": "新"}), add(client, made, passages[1]["id"]),
               client.post("/briefings", data={"csrf_token": csrf_of(client), "title": "新简报"}),
               client.post("/b/add", data={"csrf_token": csrf_of(client), "passage_id": passages[1]["id"]})]
    assert [c.status_code for c in changes] == [503] * 4
    assert all("磁盘已满" in c.json["error"] for c in changes[:2])
    assert {html_of(c).find("h1").text for c in changes[2:]} == {"简报没有保存：服务器磁盘已满"}
    # Reading needs no room: the read-only page, its JSON twin, the edit page and the Word export still work.
    assert read(client, made["id"]) == before
    for url in (f"/b/{made['id']}", f"/b/{made['id']}?token={made['edit_token']}", f"/b/{made['id']}.docx"):
        assert client.get(url).status_code == 200, url
    monkeypatch.undo()
    assert read(client, made["id"]) == before  # nothing half-written
    assert client.post("/api/briefings", json={"title": "新"}).status_code == 201  # room again: it works


def test_a_database_removed_while_serving_is_503_and_not_recreated(client, passages, db_path):
    made = create(client)
    add(client, made, passages[0]["id"])
    adopt(client, made)  # so that "我的简报" reads it
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(f"{db_path}{suffix}"):
            os.remove(f"{db_path}{suffix}")
    answers = [client.get(f"/api/briefings/{made['id']}"), client.post("/api/briefings", json={"title": "新"}),
               add(client, made, passages[1]["id"])]
    assert [a.status_code for a in answers] == [503] * 3
    assert all("删除或替换" in a.json["error"] for a in answers)
    for url in (f"/b/{made['id']}", "/briefings", f"/b/{made['id']}.docx"):
        page = client.get(url)
        assert page.status_code == 503 and parse_html(page.data).find("h1").text == "简报功能暂停", url
    assert client.get("/api/search", query_string={"q": QUERY}).status_code == 200  # searching goes on
    assert not db_path.exists()
