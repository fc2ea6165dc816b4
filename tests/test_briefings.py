"""Briefing storage: operations, tokens, caps, ordering, snapshots, migrations, concurrency; text cleaned
on the way in; adding twice; deleting; the file's mode, durability, and faults (a full disk, a database
deleted under the running store). Exports are in test_briefing_exports.py."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading

import pytest

from search.briefings.store import MIGRATIONS, SCHEMA_VERSION, BriefingStore
from search.briefings.model import Busy, DatabaseGone, DiskFull, Forbidden, with_status
from search.errors import BadParameter, NotFound


@pytest.fixture
def store(tmp_path):
    return BriefingStore(tmp_path / "briefings.sqlite3")


@pytest.fixture(scope="module")
def passages(engine):
    hits = engine.search("森林覆盖率", per_page=5)["hits"]
    return [engine.passage(h["id"]) for h in hits]


def test_create_add_get(store, passages):
    made = store.create("森林覆盖率简报", intro="各区县情况")
    item = store.add_item(made["id"], made["edit_token"], passages[0], note="要点").item_id
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
    with pytest.raises(BadParameter, match="最多只能"):
        store.create(**{"title": "t", field: value})


def test_note_cap(store, passages):
    made = store.create("t")
    with pytest.raises(BadParameter):
        store.add_item(made["id"], made["edit_token"], passages[0], note="长" * 2001)


def test_reorder_must_be_a_permutation(store, passages):
    made = store.create("t")
    ids = [store.add_item(made["id"], made["edit_token"], p).item_id for p in passages[:3]]
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


def test_concurrent_adds_of_the_same_passages_land_once_each(store, passages):
    made = store.create("t")
    results, errors = [], []

    def add_all(offset):
        try:
            for n in range(len(passages)):
                passage = passages[(n + offset) % len(passages)]
                results.append((passage["id"], store.add_item(made["id"], made["edit_token"], passage).item_id))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=add_all, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    items = store.get(made["id"])["items"]
    assert sorted(i["passage_id"] for i in items) == sorted(p["id"] for p in passages)
    # Every caller, first or retrying, was told the one item its passage has.
    assert set(results) == {(i["passage_id"], i["item_id"]) for i in items}


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


# -- adding twice, deleting, versions -------------------------------------------------------------


def test_adding_a_passage_again_returns_its_item_and_changes_nothing(store, passages):
    made = store.create("t")
    first = store.add_item(made["id"], made["edit_token"], passages[0], note="第一次")
    store.add_item(made["id"], made["edit_token"], passages[1])
    before = store.get(made["id"])
    again = store.add_item(made["id"], made["edit_token"], passages[0], note="重试")  # a retry, say
    assert (first.added, again.added) == (True, False)
    assert (again.item_id, again.number) == (first.item_id, 1)
    assert store.get(made["id"]) == before  # no second item, the note kept, the version unchanged


def test_delete_needs_the_token_and_removes_the_briefing_with_its_items(store, passages, tmp_path):
    made = store.create("t")
    store.add_item(made["id"], made["edit_token"], passages[0])
    with pytest.raises(Forbidden):
        store.delete(made["id"], "wrong")
    store.delete(made["id"], made["edit_token"])
    with pytest.raises(NotFound):
        store.get(made["id"])
    with pytest.raises(NotFound):
        store.delete(made["id"], made["edit_token"])
    with sqlite3.connect(tmp_path / "briefings.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 0


def test_every_change_raises_the_version(store, passages):
    made = store.create("t")
    token, versions = made["edit_token"], [store.summary(made["id"])["version"]]
    item = store.add_item(made["id"], token, passages[0]).item_id
    versions.append(store.summary(made["id"])["version"])
    for change in (lambda: store.update(made["id"], token, title="新"), lambda: store.update_note(made["id"], token, item, "n"),
                   lambda: store.delete_item(made["id"], token, item)):
        change()  # all within one second: updated_at alone could not tell them apart
        versions.append(store.summary(made["id"])["version"])
    assert versions == sorted(set(versions)) and len(versions) == 5


def test_a_first_version_database_is_migrated_keeping_its_briefings(tmp_path, passages):
    path = tmp_path / "v1.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(MIGRATIONS[0] + "; PRAGMA user_version = 1;")
        db.execute("INSERT INTO briefings VALUES ('old', '旧简报', '', 'x', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')")
    db.close()
    store = BriefingStore(path)
    assert store.schema_version() == SCHEMA_VERSION
    assert (store.summary("old")["title"], store.summary("old")["version"]) == ("旧简报", 0)


# -- text on the way in ----------------------------------------------------------------------------


@pytest.mark.parametrize("typed, stored", [
    ("甲\x00乙\x01丙\x1f丁\x7f", "甲乙丙丁"),  # control characters: dropped
    ("第一行\r\n第二行\r第三行", "第一行\n第二行\n第三行"),  # line breaks as \n
    ("Word 的换行\x0b分页\x0c", "Word 的换行\n分页"),  # vertical tab and form feed: line breaks
    ("非字符\ufffe\uffff", "非字符"),  # what XML (so Word) cannot hold
    ("制表\t保留", "制表\t保留"),
])
@pytest.mark.parametrize("field", ["title", "intro", "note"])
def test_control_characters_are_dropped_on_the_way_in(store, passages, field, typed, stored):
    made = store.create("t")
    if field == "note":
        store.add_item(made["id"], made["edit_token"], passages[0], note=typed)
        assert store.get(made["id"])["items"][0]["note"] == stored
    else:
        store.update(made["id"], made["edit_token"], **{field: typed})
        assert store.get(made["id"])[field] == stored


@pytest.mark.parametrize("field", ["title", "intro", "note"])
def test_a_lone_surrogate_is_refused_and_nothing_changes(store, passages, field):
    made = store.create("t")
    before = store.get(made["id"])
    with pytest.raises(BadParameter, match="代理项"):
        if field == "note":
            store.add_item(made["id"], made["edit_token"], passages[0], note="坏\ud800字")
        else:
            store.update(made["id"], made["edit_token"], **{field: "坏\ud800字"})
    assert store.get(made["id"]) == before


# -- the file: mode, durability, faults ------------------------------------------------------------


@pytest.fixture
def usual_umask():
    """The common umask (022), under which a file made without care is world-readable."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode_of(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_database_and_its_wal_files_are_private(tmp_path, usual_umask, passages):
    path = tmp_path / "briefings.sqlite3"
    store = BriefingStore(path)
    made = store.create("t")
    reader = sqlite3.connect(path)  # keeps -wal and -shm in place while we look
    try:
        reader.execute("SELECT COUNT(*) FROM briefings").fetchone()
        store.add_item(made["id"], made["edit_token"], passages[0])
        files = [path, tmp_path / "briefings.sqlite3-wal", tmp_path / "briefings.sqlite3-shm"]
        assert [mode_of(f) for f in files] == [0o600] * 3
    finally:
        reader.close()


def test_an_existing_world_readable_database_is_made_private(tmp_path, usual_umask):
    path = tmp_path / "briefings.sqlite3"
    sqlite3.connect(path).close()
    os.chmod(path, 0o644)
    BriefingStore(path)
    assert mode_of(path) == 0o600


def test_writes_are_synchronous_full(store):
    with store._read() as db:  # every connection the store opens
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


@pytest.fixture
def full_disk(monkeypatch):
    """Every connection the store opens may not grow the file: SQLite then says "database or disk is
    full", as it does when the disk itself is."""
    connect = BriefingStore._connect

    def no_room(self):
        db = connect(self)
        db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0]}")
        return db

    monkeypatch.setattr(BriefingStore, "_connect", no_room)


def test_a_full_disk_is_disk_full_and_loses_nothing(tmp_path, passages, monkeypatch, request):
    store = BriefingStore(tmp_path / "b.sqlite3")
    made = store.create("t")
    store.add_item(made["id"], made["edit_token"], passages[0], note="已有的批注")
    before = store.get(made["id"])
    request.getfixturevalue("full_disk")
    with pytest.raises(DiskFull, match="磁盘已满"):
        for passage in passages[1:]:
            store.add_item(made["id"], made["edit_token"], passage, note="长" * 2000)
            before = store.get(made["id"])  # what did fit counts as saved
    assert store.get(made["id"]) == before
    monkeypatch.undo()
    store.add_item(made["id"], made["edit_token"], passages[-1])  # room again: it works again
    assert store.get(made["id"])["items"][-1]["passage_id"] == passages[-1]["id"]


@pytest.mark.parametrize("how", ["deleted", "replaced"])
def test_a_database_deleted_or_replaced_under_the_store_is_gone_not_recreated(tmp_path, passages, how):
    path = tmp_path / "b.sqlite3"
    store = BriefingStore(path)
    made = store.create("t")
    if how == "replaced":  # moved over it, as a restore from a backup might
        BriefingStore(tmp_path / "other.sqlite3")
        os.replace(tmp_path / "other.sqlite3", path)
    else:  # rm briefings.sqlite3*
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(f"{path}{suffix}"):
                os.remove(f"{path}{suffix}")
    for operation in (lambda: store.get(made["id"]), lambda: store.create("新"),
                      lambda: store.add_item(made["id"], made["edit_token"], passages[0])):
        with pytest.raises(DatabaseGone, match="删除或替换"):
            operation()
    assert path.exists() == (how == "replaced")  # no new, empty database appeared
