r"""Briefings (简报): passages collected, annotated and ordered, stored in SQLite.

Each item keeps a snapshot of its passage's text and citation, taken when it was added, so a
briefing survives rebuilds and replaced reports: ``with_status`` compares the snapshot with the
index and says whether the passage is unchanged, changed or gone. A passage is in a briefing at
most once: adding it again (or retrying an add whose answer was lost) returns the item it already
has, so ``add_item`` is idempotent per passage.

There are no accounts. Creating a briefing returns an edit token (random, from ``secrets``); only its
SHA-256 is stored, and it is compared in constant time. Anyone with the briefing's id can read it.

Text is cleaned on the way in: line breaks become ``\n``, and control characters (which no one types,
which arrive with pasted text and which a Word document cannot hold) are dropped; a lone surrogate
(``"\ud800"`` in JSON, never valid text) is refused with ``BadParameter``.

Storage: one SQLite file, created private (0600; SQLite gives its -wal and -shm files the same mode),
WAL mode (readers do not block the writer), ``synchronous=FULL`` (a briefing acknowledged is on disk
even if the machine loses power; a briefing write is a few pages, so the extra fsync is cheap), foreign
keys on, every change in one ``BEGIN IMMEDIATE`` transaction, the schema version in ``PRAGMA
user_version`` with migrations from the first version on, and a ``version`` counter per briefing that
every change raises (exports are cached by it). When the database cannot serve a request, nothing is
half-applied and a ``UserError`` says why: ``Busy`` (locked for too long), ``DiskFull``, or
``DatabaseGone`` (the file was deleted or replaced under the running site: its operations stop rather
than silently start a new, empty database).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import shutil
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path

from ..errors import BadParameter, NotFound
from .model import (INTRO_MAX, ITEMS_MAX, NOTE_MAX, TITLE_MAX, UNTITLED, Added, Busy, DatabaseGone, DiskFull,
                    Forbidden, check_text, clean_text)

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
    # updated_at has whole seconds: two changes within one second need a counter to tell them apart.
    """
    ALTER TABLE briefings ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)

def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# Below this much free space, an I/O error of SQLite's is taken for a full disk: on a really full
# disk SQLite rarely says SQLITE_FULL, it fails to size the -shm file (SQLITE_IOERR_SHMSIZE) as
# soon as a connection opens, and that was a 500 on every briefing page, reading included.
LOW_SPACE_BYTES = 16 * 1024 * 1024


def _is_disk_full(exc: sqlite3.Error, folder: Path) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code == sqlite3.SQLITE_FULL or "disk is full" in str(exc):
        return True
    if code is None or code & 0xFF != sqlite3.SQLITE_IOERR:
        return False
    try:
        return shutil.disk_usage(folder).free < LOW_SPACE_BYTES
    except OSError:
        return False


class BriefingStore:
    def __init__(self, path: Path | str, busy_seconds: float = 2.0):
        self.path = Path(path).resolve()
        self.busy_seconds = busy_seconds
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._create_private()
        # Connections open the file read-write, never create it: a deleted database is an error, not
        # a fresh empty one.
        self._uri = f"{self.path.as_uri()}?mode=rw"
        self._opened = self._file_identity()
        with self._storage_errors():
            db = self._connect()
            try:
                self._migrate(db)
            finally:
                db.close()

    # -- the file --------------------------------------------------------------------------------

    def _create_private(self) -> None:
        """Create the database file 0600 (an empty file is an empty database), or make an existing
        one private: it holds everyone's notes. SQLite makes -wal and -shm with the file's mode."""
        try:
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            for path in (self.path, *(self.path.with_name(self.path.name + s) for s in ("-wal", "-shm"))):
                try:
                    if os.stat(path).st_mode & 0o077:
                        os.chmod(path, 0o600)
                except FileNotFoundError:
                    pass

    def _file_identity(self) -> tuple[int, int] | None:
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            return None
        return info.st_dev, info.st_ino

    def _gone(self) -> DatabaseGone:
        return DatabaseGone(f"简报数据库文件 {self.path.name} 在运行中被删除或替换了；为免把简报写进一个新的空数据库，"
                            "简报暂停服务。请管理员把原文件放回原处（或确认用新文件）后重启服务")

    # -- connections and transactions ------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self._uri, uri=True, timeout=self.busy_seconds, isolation_level=None)
        except sqlite3.OperationalError:
            raise self._gone() from None
        if self._file_identity() != self._opened:
            db.close()
            raise self._gone()
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        return db

    @contextmanager
    def _storage_errors(self):
        """A full disk as ``DiskFull``; SQLite has already rolled the change back by then."""
        try:
            yield
        except sqlite3.OperationalError as exc:
            if _is_disk_full(exc, self.path.parent):
                raise DiskFull("服务器的磁盘已满，这次的改动没有保存；已有的简报都还在。请告诉管理员清理磁盘后再试") from None
            raise

    @contextmanager
    def _write(self):
        """One transaction; retried while the database is locked, then Busy."""
        with self._storage_errors():
            db = self._connect()
            try:
                self._begin(db)
                try:
                    yield db
                    db.execute("COMMIT")
                except BaseException:
                    if db.in_transaction:  # some errors (a full disk) roll back on their own
                        db.execute("ROLLBACK")
                    raise
            finally:
                db.close()

    def _begin(self, db: sqlite3.Connection) -> None:
        deadline = time.monotonic() + self.busy_seconds
        while True:
            try:
                db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if time.monotonic() > deadline:
                    raise Busy("简报数据库正忙，这次没有保存任何改动；请稍后再试") from None
                time.sleep(0.05)

    @contextmanager
    def _read(self):
        try:
            db = self._connect()
        except sqlite3.OperationalError as exc:
            if not _is_disk_full(exc, self.path.parent):
                raise
            db = self._connect_to_read_only()
        try:
            yield db
        finally:
            db.close()

    def _connect_to_read_only(self) -> sqlite3.Connection:
        """A connection that needs no room on disk, for reading while the disk is full: SQLite reads
        the database file alone (``immutable``: no -wal or -shm, no locks). What it may miss is a change
        still in the write-ahead log of another process's open connection; none can be added while
        the disk is full, and each operation's own connection checkpoints the log when it closes."""
        try:
            db = sqlite3.connect(f"{self.path.as_uri()}?immutable=1", uri=True, isolation_level=None)
            db.execute("SELECT 1 FROM sqlite_master LIMIT 1")
        except sqlite3.Error:
            raise DiskFull("服务器的磁盘已满，暂时无法读取简报；已有的简报都还在。请告诉管理员清理磁盘后再试") from None
        if self._file_identity() != self._opened:
            db.close()
            raise self._gone()
        db.row_factory = sqlite3.Row
        return db

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
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise

    def schema_version(self) -> int:
        with self._read() as db:
            return db.execute("PRAGMA user_version").fetchone()[0]

    # -- access ----------------------------------------------------------------------------------

    @staticmethod
    def _not_found(briefing_id: str) -> NotFound:
        return NotFound(f"没有编号为“{briefing_id}”的简报（可能已被删除）")

    def _authorize(self, db: sqlite3.Connection, briefing_id: str, token: str | None) -> None:
        row = db.execute("SELECT token_hash FROM briefings WHERE id = ?", (briefing_id,)).fetchone()
        if row is None:
            raise self._not_found(briefing_id)
        if not token or not hmac.compare_digest(row["token_hash"], _hash(token)):
            raise Forbidden("这份简报只能用它的编辑链接修改（编辑令牌缺失或不对），没有改动任何内容")

    def check_token(self, briefing_id: str, token: str | None) -> bool:
        with self._read() as db:
            try:
                self._authorize(db, briefing_id, token)
            except Forbidden:
                return False
        return True

    # -- operations ------------------------------------------------------------------------------

    def create(self, title: str, intro: str = "") -> dict:
        title = check_text("title", title, TITLE_MAX) or UNTITLED
        intro = check_text("intro", intro, INTRO_MAX)
        briefing_id = secrets.token_urlsafe(9)
        token = secrets.token_urlsafe(24)
        now = _now()
        with self._write() as db:
            db.execute("INSERT INTO briefings (id, title, intro, token_hash, created_at, updated_at) "
                       "VALUES (?, ?, ?, ?, ?, ?)", (briefing_id, title, intro, _hash(token), now, now))
        return {"id": briefing_id, "edit_token": token}

    def summary(self, briefing_id: str) -> dict:
        """The briefing without its items: id, title, intro, version, dates, and ``count`` of items."""
        with self._read() as db:
            row = db.execute("SELECT id, title, intro, version, created_at, updated_at, "
                             "(SELECT COUNT(*) FROM items WHERE briefing_id = briefings.id) AS count "
                             "FROM briefings WHERE id = ?", (briefing_id,)).fetchone()
        if row is None:
            raise self._not_found(briefing_id)
        return dict(row)

    def get(self, briefing_id: str) -> dict:
        with self._read() as db:
            row = db.execute("SELECT id, title, intro, version, created_at, updated_at FROM briefings "
                             "WHERE id = ?", (briefing_id,)).fetchone()
            if row is None:
                raise self._not_found(briefing_id)
            items = db.execute("SELECT id, passage_id, text, citation, note, added_at FROM items "
                               "WHERE briefing_id = ? ORDER BY position, id", (briefing_id,)).fetchall()
        return {**dict(row), "items": [{"item_id": i["id"], **{k: i[k] for k in i.keys() if k != "id"}}
                                       for i in items]}

    def add_item(self, briefing_id: str, token: str | None, passage: dict, note: str = "") -> Added:
        """Add a passage (a dict with id, text, citation, as the engine gives it) at the end, unless it
        is in the briefing already: then nothing changes and its item is returned (``added`` False)."""
        note = check_text("note", note or "", NOTE_MAX)
        with self._write() as db:
            self._authorize(db, briefing_id, token)
            existing = db.execute("SELECT id, position FROM items WHERE briefing_id = ? AND passage_id = ? "
                                  "ORDER BY position, id LIMIT 1", (briefing_id, passage["id"])).fetchone()
            if existing is not None:
                before = db.execute("SELECT COUNT(*) FROM items WHERE briefing_id = ? AND "
                                    "(position < ? OR (position = ? AND id < ?))",
                                    (briefing_id, existing["position"], existing["position"], existing["id"]))
                return Added(existing["id"], False, before.fetchone()[0] + 1)
            count, last = db.execute("SELECT COUNT(*), COALESCE(MAX(position), -1) FROM items "
                                     "WHERE briefing_id = ?", (briefing_id,)).fetchone()
            if count >= ITEMS_MAX:
                raise BadParameter(f"一份简报最多 {ITEMS_MAX} 段，这份已经满了")
            cur = db.execute(
                "INSERT INTO items (briefing_id, position, passage_id, text, citation, note, added_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (briefing_id, last + 1, passage["id"], clean_text(passage["text"]),
                 clean_text(passage["citation"]), note, _now()))
            self._touch(db, briefing_id)
            return Added(cur.lastrowid, True, count + 1)

    def update(self, briefing_id: str, token: str | None, *, title=None, intro=None, order=None) -> None:
        with self._write() as db:
            self._authorize(db, briefing_id, token)
            if title is not None:
                title = check_text("title", title, TITLE_MAX) or UNTITLED
                db.execute("UPDATE briefings SET title = ? WHERE id = ?", (title, briefing_id))
            if intro is not None:
                db.execute("UPDATE briefings SET intro = ? WHERE id = ?",
                           (check_text("intro", intro, INTRO_MAX), briefing_id))
            if order is not None:
                current = [r[0] for r in db.execute("SELECT id FROM items WHERE briefing_id = ?", (briefing_id,))]
                if not isinstance(order, list) or not all(isinstance(i, int) and not isinstance(i, bool)
                                                          for i in order):
                    raise BadParameter("order 须是条目编号（item_id）的列表")
                if sorted(order) != sorted(current):
                    raise BadParameter("order 须把这份简报的每一段（item_id）各列一次")
                for position, item_id in enumerate(order):
                    db.execute("UPDATE items SET position = ? WHERE id = ?", (position, item_id))
            self._touch(db, briefing_id)

    def move_item(self, briefing_id: str, token: str | None, item_id: int, offset: int) -> None:
        """Move an item up (offset -1) or down (+1): the no-JavaScript way to reorder."""
        order = [i["item_id"] for i in self.get(briefing_id)["items"]]
        if item_id not in order:
            raise self._no_item(item_id)
        i = order.index(item_id)
        j = min(max(i + offset, 0), len(order) - 1)
        order.insert(j, order.pop(i))
        self.update(briefing_id, token, order=order)

    def update_note(self, briefing_id: str, token: str | None, item_id: int, note: str) -> None:
        note = check_text("note", note, NOTE_MAX)
        with self._write() as db:
            self._authorize(db, briefing_id, token)
            cur = db.execute("UPDATE items SET note = ? WHERE id = ? AND briefing_id = ?",
                             (note, item_id, briefing_id))
            if cur.rowcount == 0:
                raise self._no_item(item_id)
            self._touch(db, briefing_id)

    def delete_item(self, briefing_id: str, token: str | None, item_id: int) -> None:
        with self._write() as db:
            self._authorize(db, briefing_id, token)
            cur = db.execute("DELETE FROM items WHERE id = ? AND briefing_id = ?", (item_id, briefing_id))
            if cur.rowcount == 0:
                raise self._no_item(item_id)
            self._touch(db, briefing_id)

    def delete(self, briefing_id: str, token: str | None) -> None:
        """Delete the briefing and its items (ON DELETE CASCADE); both of its links stop working."""
        with self._write() as db:
            self._authorize(db, briefing_id, token)
            db.execute("DELETE FROM briefings WHERE id = ?", (briefing_id,))

    @staticmethod
    def _no_item(item_id: int) -> NotFound:
        return NotFound(f"这份简报里没有编号为 {item_id} 的一段")

    @staticmethod
    def _touch(db: sqlite3.Connection, briefing_id: str) -> None:
        db.execute("UPDATE briefings SET updated_at = ?, version = version + 1 WHERE id = ?", (_now(), briefing_id))
