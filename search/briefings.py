"""Briefings (简报): passages collected, annotated and ordered, stored in SQLite.

Each item keeps a snapshot of its passage's text and citation, taken when it was added, so a
briefing survives rebuilds and replaced reports: ``with_status`` compares the snapshot with the
index and says whether the passage is unchanged, changed or gone.

There are no accounts. Creating a briefing returns an edit token (random, from ``secrets``); only its
SHA-256 is stored, and it is compared in constant time. Anyone with the briefing's id can read it.

Storage: one SQLite file, WAL mode (readers do not block the writer), foreign keys on, every change
in one ``BEGIN IMMEDIATE`` transaction, and the schema version in ``PRAGMA user_version`` with
migrations from the first version on. A database that stays locked is retried briefly, then
``Busy`` is raised (the site answers 503); no change is half-applied.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path

from .errors import BadParameter, NotFound, UserError

TITLE_MAX = 200
INTRO_MAX = 5000
NOTE_MAX = 2000
ITEMS_MAX = 500

STATUS_OK = "ok"
STATUS_CHANGED = "changed"
STATUS_MISSING = "missing"

# Each entry upgrades the schema by one version; never edit a released entry, append a new one.
MIGRATIONS = [
    """
    CREATE TABLE briefings (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        intro TEXT NOT NULL DEFAULT '',
        token_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE items (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        briefing_id TEXT NOT NULL REFERENCES briefings(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        passage_id TEXT NOT NULL,
        text TEXT NOT NULL,
        citation TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        added_at TEXT NOT NULL
    );
    CREATE INDEX items_by_briefing ON items (briefing_id, position);
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


class Forbidden(UserError):
    """A missing or wrong edit token."""


class Busy(UserError):
    """The database stayed locked; nothing was changed. Try again."""


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check_length(name: str, value, limit: int) -> str:
    if not isinstance(value, str):
        raise BadParameter(f"{name} must be text")
    value = value.strip()
    if len(value) > limit:
        raise BadParameter(f"{name} is {len(value)} characters; at most {limit} are allowed")
    if "\x00" in value:
        raise BadParameter(f"{name} contains a NUL character")
    return value


class BriefingStore:
    def __init__(self, path: Path | str, busy_seconds: float = 2.0):
        self.path = Path(path)
        self.busy_seconds = busy_seconds
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._read() as db:
            self._migrate(db)

    # -- connections and transactions ------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=self.busy_seconds, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        return db

    @contextmanager
    def _write(self):
        """One transaction; retried while the database is locked, then Busy."""
        deadline = time.monotonic() + self.busy_seconds
        db = self._connect()
        try:
            while True:
                try:
                    db.execute("BEGIN IMMEDIATE")
                    break
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) and "busy" not in str(exc):
                        raise
                    if time.monotonic() > deadline:
                        raise Busy("the briefing database is busy; nothing was changed, try again") from None
                    time.sleep(0.05)
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        finally:
            db.close()

    @contextmanager
    def _read(self):
        db = self._connect()
        try:
            yield db
        finally:
            db.close()

    def _migrate(self, db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        for number in range(version, SCHEMA_VERSION):
            db.execute("BEGIN IMMEDIATE")
            try:
                # executescript would commit on its own; run statements one by one in our transaction.
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {number + 1}")
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def schema_version(self) -> int:
        with self._read() as db:
            return db.execute("PRAGMA user_version").fetchone()[0]

    # -- access ----------------------------------------------------------------------------------

    def _authorize(self, db: sqlite3.Connection, briefing_id: str, token: str | None) -> None:
        row = db.execute("SELECT token_hash FROM briefings WHERE id = ?", (briefing_id,)).fetchone()
        if row is None:
            raise NotFound(f"no briefing with id “{briefing_id}”")
        if not token or not hmac.compare_digest(row["token_hash"], _hash(token)):
            raise Forbidden("this briefing can only be changed with its edit link (a missing or wrong edit token)")

    def check_token(self, briefing_id: str, token: str | None) -> bool:
        with self._read() as db:
            try:
                self._authorize(db, briefing_id, token)
            except Forbidden:
                return False
        return True

    # -- operations ------------------------------------------------------------------------------

    def create(self, title: str, intro: str = "") -> dict:
        title = _check_length("title", title, TITLE_MAX) or "未命名简报"
        intro = _check_length("intro", intro, INTRO_MAX)
        briefing_id = secrets.token_urlsafe(9)
        token = secrets.token_urlsafe(24)
        now = _now()
        with self._write() as db:
            db.execute("INSERT INTO briefings (id, title, intro, token_hash, created_at, updated_at) "
                       "VALUES (?, ?, ?, ?, ?, ?)", (briefing_id, title, intro, _hash(token), now, now))
        return {"id": briefing_id, "edit_token": token}

    def get(self, briefing_id: str) -> dict:
        with self._read() as db:
            row = db.execute("SELECT id, title, intro, created_at, updated_at FROM briefings WHERE id = ?",
                             (briefing_id,)).fetchone()
            if row is None:
                raise NotFound(f"no briefing with id “{briefing_id}”")
            items = db.execute("SELECT id, passage_id, text, citation, note, added_at FROM items "
                               "WHERE briefing_id = ? ORDER BY position, id", (briefing_id,)).fetchall()
        return {**dict(row), "items": [{"item_id": i["id"], **{k: i[k] for k in i.keys() if k != "id"}}
                                       for i in items]}

    def add_item(self, briefing_id: str, token: str | None, passage: dict, note: str = "") -> int:
        """Add a passage (a dict with id, text, citation, as the engine gives it) at the end."""
        note = _check_length("note", note or "", NOTE_MAX)
        with self._write() as db:
            self._authorize(db, briefing_id, token)
            count, last = db.execute("SELECT COUNT(*), COALESCE(MAX(position), -1) FROM items "
                                     "WHERE briefing_id = ?", (briefing_id,)).fetchone()
            if count >= ITEMS_MAX:
                raise BadParameter(f"a briefing holds at most {ITEMS_MAX} passages")
            cur = db.execute(
                "INSERT INTO items (briefing_id, position, passage_id, text, citation, note, added_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (briefing_id, last + 1, passage["id"], passage["text"], passage["citation"], note, _now()))
            self._touch(db, briefing_id)
            return cur.lastrowid

    def update(self, briefing_id: str, token: str | None, *, title=None, intro=None, order=None) -> None:
        with self._write() as db:
            self._authorize(db, briefing_id, token)
            if title is not None:
                title = _check_length("title", title, TITLE_MAX) or "未命名简报"
                db.execute("UPDATE briefings SET title = ? WHERE id = ?", (title, briefing_id))
            if intro is not None:
                db.execute("UPDATE briefings SET intro = ? WHERE id = ?",
                           (_check_length("intro", intro, INTRO_MAX), briefing_id))
            if order is not None:
                current = [r[0] for r in db.execute("SELECT id FROM items WHERE briefing_id = ?", (briefing_id,))]
                if not isinstance(order, list) or not all(isinstance(i, int) and not isinstance(i, bool)
                                                          for i in order):
                    raise BadParameter("order must be a list of item ids")
                if sorted(order) != sorted(current):
                    raise BadParameter("order must list every item of the briefing exactly once")
                for position, item_id in enumerate(order):
                    db.execute("UPDATE items SET position = ? WHERE id = ?", (position, item_id))
            self._touch(db, briefing_id)

    def move_item(self, briefing_id: str, token: str | None, item_id: int, offset: int) -> None:
        """Move an item up (offset -1) or down (+1): the no-JavaScript way to reorder."""
        order = [i["item_id"] for i in self.get(briefing_id)["items"]]
        if item_id not in order:
            raise NotFound(f"no item {item_id} in this briefing")
        i = order.index(item_id)
        j = min(max(i + offset, 0), len(order) - 1)
        order.insert(j, order.pop(i))
        self.update(briefing_id, token, order=order)

    def update_note(self, briefing_id: str, token: str | None, item_id: int, note: str) -> None:
        note = _check_length("note", note, NOTE_MAX)
        with self._write() as db:
            self._authorize(db, briefing_id, token)
            cur = db.execute("UPDATE items SET note = ? WHERE id = ? AND briefing_id = ?",
                             (note, item_id, briefing_id))
            if cur.rowcount == 0:
                raise NotFound(f"no item {item_id} in this briefing")
            self._touch(db, briefing_id)

    def delete_item(self, briefing_id: str, token: str | None, item_id: int) -> None:
        with self._write() as db:
            self._authorize(db, briefing_id, token)
            cur = db.execute("DELETE FROM items WHERE id = ? AND briefing_id = ?", (item_id, briefing_id))
            if cur.rowcount == 0:
                raise NotFound(f"no item {item_id} in this briefing")
            self._touch(db, briefing_id)

    @staticmethod
    def _touch(db: sqlite3.Connection, briefing_id: str) -> None:
        db.execute("UPDATE briefings SET updated_at = ? WHERE id = ?", (_now(), briefing_id))


def with_status(briefing: dict, engine) -> dict:
    """Mark each item ok, changed (the passage's text differs now) or missing (no such passage)."""
    for item in briefing["items"]:
        try:
            current = engine.passage(item["passage_id"])
        except NotFound:
            item["status"] = STATUS_MISSING
            item["current_text"] = None
            continue
        item["status"] = STATUS_OK if current["text"] == item["text"] else STATUS_CHANGED
        item["current_text"] = current["text"]
    return briefing
