"""A results page is rendered once per index generation and URL (webui.site.page_cache); what belongs to
one browser (its briefings, its form token, the notices flashed to it) is its own on every copy."""

from __future__ import annotations

import pytest

from search.whoosh_index import indexing
from webui import create_app
from webui.site.page_cache import cached_page, slot

from .conftest import MINI_REPORT, write_report
from .web_helpers import form_fields, parse_html

QUERY = "/search?q=森林覆盖率"


@pytest.fixture
def app(seed_index, tmp_path):
    return create_app({"INDEX_DIR": seed_index, "TESTING": True, "BRIEFINGS_DB": tmp_path / "b.sqlite3",
                       "SECRET_KEY": "test"})


def add_first_hit(client, title: str) -> str:
    """Press 加入 on the first hit's form, to a new briefing called ``title``; the passage's id."""
    form = parse_html(client.get(QUERY).data).find("form", "add-briefing-form")
    fields = {**form_fields(form), "briefing": "new", "title": title}
    assert client.post(form.attrs["action"], data=fields).status_code == 303
    return fields["passage_id"]


def briefing_options(page) -> set[str]:
    return {o.text for o in page.find_all("option")} - {"新建简报…"}


def tokens(page) -> set[str]:
    return {i.attrs["value"] for i in page.find_all("input") if i.attrs.get("name") == "csrf_token"}


def test_each_browser_sees_its_own_briefings_token_and_notices_on_the_same_page(app):
    alice, bob = app.test_client(), app.test_client()
    passage_id = add_first_hit(alice, "甲的简报<林业>")
    alice_page = parse_html(alice.get(QUERY).data)  # rendered by now, for whoever asks next
    bob_page = parse_html(bob.get(QUERY).data)

    assert briefing_options(alice_page) == {"甲的简报<林业>"} and briefing_options(bob_page) == set()
    assert len(tokens(alice_page)) == 1 and len(tokens(bob_page)) == 1 and tokens(alice_page) != tokens(bob_page)
    # The notice that the passage was added is Alice's, next to that passage, and shown once.
    notice = alice_page.by_id[f"hit-{passage_id}"].find("div", "notices")
    assert "已加入简报《甲的简报<林业>》" in notice.text
    assert "已加入简报" not in bob.get(QUERY).get_data(as_text=True)
    assert "已加入简报" not in alice.get(QUERY).get_data(as_text=True)
    # Bob's own token works for him; the pages are otherwise the same.
    add_first_hit(bob, "乙的简报")
    assert briefing_options(parse_html(bob.get(QUERY).data)) == {"乙的简报"}
    assert briefing_options(parse_html(alice.get(QUERY).data)) == {"甲的简报<林业>"}


def test_a_page_without_hits_sets_no_cookie_even_when_served_again(app):
    client = app.test_client(use_cookies=False)
    for _ in range(2):
        response = client.get("/search?q=没有这个词语啊")
        assert response.status_code == 200 and "Set-Cookie" not in response.headers


def test_text_that_looks_like_a_slot_is_left_as_it_is(app):
    # A query with NUL bytes is refused before any page is rendered; the slots' secret is the
    # second line of defence, for text that reaches a page by some other way.
    assert app.test_client().get("/search?q=%00token%00").status_code == 400
    with app.test_request_context("/search?q=x"):
        page = cached_page("gen", lambda: "\x00token\x00 \x00notices:\x00 " + slot("token"), lambda name: "T")
    assert page == "\x00token\x00 \x00notices:\x00 T"


def test_a_new_build_is_searched_at_once_not_its_predecessors_pages(tmp_path):
    src, index = tmp_path / "src", tmp_path / "index"
    src.mkdir()
    write_report(src, "r.txt", MINI_REPORT)
    indexing.build(src, index)
    client = create_app({"INDEX_DIR": index, "TESTING": True, "BRIEFINGS_DB": tmp_path / "b.sqlite3",
                         "SECRET_KEY": "test"}).test_client()
    before = parse_html(client.get("/search?q=抽水蓄能").data)
    assert len(list(before.find_all("li", "hit"))) == 1
    write_report(src, "r.txt", MINI_REPORT.replace("建设抽水蓄能电站。", "建设抽水蓄能电站。抽水蓄能项目开工。"))
    indexing.build(src, index)
    after = parse_html(client.get("/search?q=抽水蓄能").data)
    assert len(list(after.find_all("li", "hit"))) == 2


def test_a_briefings_read_only_page_is_rendered_once_per_version_and_kind_of_reader(app, monkeypatch):
    from webui.briefings import pages

    from .test_web_briefings import add, adopt, create

    renders = []
    load = pages.load_with_status
    monkeypatch.setattr(pages, "load_with_status", lambda briefing_id: renders.append(briefing_id) or load(briefing_id))
    owner, reader = app.test_client(), app.test_client()
    made = create(owner, title="缓存的简报")
    adopt(owner, made)  # renders the edit page (never cached) once
    renders.clear()
    url = f"/b/{made['id']}"
    seen = [c.get(url).get_data(as_text=True) for c in (reader, reader, owner, owner)]
    assert len(renders) == 2  # once for readers, once for a browser that may edit
    assert "打开编辑页" in seen[2] and "打开编辑页" not in seen[0]
    passage_id = app.test_client().get("/api/search?q=森林覆盖率").json["hits"][0]["id"]
    assert add(reader, made, passage_id, note="新的批注").status_code == 201  # a new version
    assert "新的批注" in reader.get(url).get_data(as_text=True) and len(renders) == 3
