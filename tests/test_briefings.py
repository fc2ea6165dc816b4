"""Briefing storage: operations, tokens, caps, ordering, snapshots, migrations, concurrency, exports."""

from __future__ import annotations

import io
import sqlite3
import threading

import pytest
from docx import Document

from search.briefings import SCHEMA_VERSION, BriefingStore, Busy, Forbidden, with_status
from search.errors import BadParameter, NotFound
from search.exports import to_docx, to_markdown


@pytest.fixture
def store(tmp_path):
    return BriefingStore(tmp_path / "briefings.sqlite3")


@pytest.fixture(scope="module")
def passages(engine):
    hits = engine.search("森林覆盖率", per_page=5)["hits"]
    return [engine.passage(h["id"]) for h in hits]


def test_create_add_get(store, passages):
    made = store.create("森林覆盖率简报", intro="各区县情况")
    item = store.add_item(made["id"], made["edit_token"], passages[0], note="要点")
    got = store.get(made["id"])
    assert got["title"] == "森林覆盖率简报" and got["intro"] == "各区县情况"
    assert got["items"] == [{"item_id": item, "passage_id": passages[0]["id"], "text": passages[0]["text"],
                             "citation": passages[0]["citation"], "note": "要点",
                             "added_at": got["items"][0]["added_at"]}]


def test_the_token_is_stored_hashed(store, tmp_path):
    made = store.create("t")
    raw = (tmp_path / "briefings.sqlite3").read_bytes()
    assert made["edit_token"].encode() not in raw


@pytest.mark.parametrize("token", [None, "", "wrong-token"])
def test_wrong_token_changes_nothing(store, passages, token):
    made = store.create("t")
    store.add_item(made["id"], made["edit_token"], passages[0])
    before = store.get(made["id"])
    item_id = before["items"][0]["item_id"]
    for change in (lambda: store.add_item(made["id"], token, passages[1]),
                   lambda: store.update(made["id"], token, title="x"),
                   lambda: store.update_note(made["id"], token, item_id, "x"),
                   lambda: store.delete_item(made["id"], token, item_id)):
        with pytest.raises(Forbidden):
            change()
    assert store.get(made["id"]) == before


def test_unknown_briefing_and_item(store):
    with pytest.raises(NotFound):
        store.get("nope")
    made = store.create("t")
    with pytest.raises(NotFound):
        store.delete_item(made["id"], made["edit_token"], 12345)


@pytest.mark.parametrize("field, value", [("title", "长" * 201), ("intro", "长" * 5001)])
def test_length_caps(store, field, value):
    with pytest.raises(BadParameter, match="at most"):
        store.create(**{"title": "t", field: value})


def test_note_cap(store, passages):
    made = store.create("t")
    with pytest.raises(BadParameter):
        store.add_item(made["id"], made["edit_token"], passages[0], note="长" * 2001)


def test_reorder_must_be_a_permutation(store, passages):
    made = store.create("t")
    ids = [store.add_item(made["id"], made["edit_token"], p) for p in passages[:3]]
    store.update(made["id"], made["edit_token"], order=list(reversed(ids)))
    assert [i["item_id"] for i in store.get(made["id"])["items"]] == list(reversed(ids))
    for bad in ([ids[0], ids[1]], ids + [999], [ids[0], ids[0], ids[1]], "abc", [str(i) for i in ids]):
        with pytest.raises(BadParameter):
            store.update(made["id"], made["edit_token"], order=bad)
    store.move_item(made["id"], made["edit_token"], ids[0], -1)  # ids[0] was last
    assert [i["item_id"] for i in store.get(made["id"])["items"]] == [ids[2], ids[0], ids[1]]


def test_status_follows_the_index(store, passages, engine):
    made = store.create("t")
    store.add_item(made["id"], made["edit_token"], passages[0])
    store.add_item(made["id"], made["edit_token"], {**passages[1], "text": "旧的文字"})
    store.add_item(made["id"], made["edit_token"], {**passages[2], "id": "gone000000"})
    statuses = [i["status"] for i in with_status(store.get(made["id"]), engine)["items"]]
    assert statuses == ["ok", "changed", "missing"]


def test_migrations_from_an_empty_file(tmp_path):
    path = tmp_path / "b.sqlite3"
    sqlite3.connect(path).close()
    assert BriefingStore(path).schema_version() == SCHEMA_VERSION
    assert BriefingStore(path).schema_version() == SCHEMA_VERSION  # idempotent


def test_concurrent_adds_all_land(store, passages):
    made = store.create("t")
    errors = []

    def add_many(n):
        try:
            for _ in range(n):
                store.add_item(made["id"], made["edit_token"], passages[0])
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=add_many, args=(10,)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    items = store.get(made["id"])["items"]
    assert len(items) == 60


def test_a_locked_database_says_busy_and_loses_nothing(tmp_path, passages):
    path = tmp_path / "b.sqlite3"
    store = BriefingStore(path, busy_seconds=0.2)
    made = store.create("t")
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(Busy):
            store.add_item(made["id"], made["edit_token"], passages[0])
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    store.add_item(made["id"], made["edit_token"], passages[0])
    assert len(store.get(made["id"])["items"]) == 1


def _exportable(store, passages):
    made = store.create("林业简报", intro="导语 <b>粗体</b>")
    store.add_item(made["id"], made["edit_token"], passages[0], note="<script>alert(1)</script> *重点*")
    store.add_item(made["id"], made["edit_token"], passages[1])
    return store.get(made["id"])


def test_markdown_export(store, passages):
    md = to_markdown(_exportable(store, passages), "http://localhost:8000")
    assert md.startswith("# 林业简报\n")
    assert f"［1］{passages[0]['citation']}" in md and f"［2］{passages[1]['citation']}" in md
    assert f"http://localhost:8000/p/{passages[0]['id']}" in md
    assert "<script>" not in md and "&lt;script&gt;" in md and "\\*重点\\*" in md
    assert "<b>" not in md


def test_word_export(store, passages):
    data = to_docx(_exportable(store, passages), "http://localhost:8000")
    doc = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert doc.paragraphs[0].text == "林业简报"
    assert passages[0]["text"] in text and passages[1]["text"] in text
    assert f"［1］{passages[0]['citation']}" in text
    assert "<script>alert(1)</script> *重点*" in text  # plain text in Word, not markup
    assert f"/p/{passages[1]['id']}" in text
