"""Saved searches kept in SQLite, behind a private link each.

Saving returns an id and a token (random, from ``secrets``); only the token's SHA-256 is stored,
compared in constant time, and every read needs it: the query of a saved search may say what an
analyst is working on. The last visit is kept on the saved search, so its page can mark what came
into the index since (``visit``).

The file is created private (0600), in WAL mode, one connection per operation, so one store serves
every thread of the site. When the database cannot serve, nothing is half-saved and a
``StoreUnavailable`` says why: ``Busy`` (locked past ``busy_seconds``), or the file cannot be
read or written (a full disk, a missing folder, a file that is not a database).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path

from ..errors import Forbidden, NotFound, UserError

# Each entry upgrades the schema by one version; never edit a released entry, append a new one.
MIGRATIONS = [
    """
    CREATE TABLE saved_searches (
        id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL,
        query TEXT NOT NULL,
        filters TEXT NOT NULL,
        created_at TEXT NOT NULL,
        visited_at TEXT NOT NULL
    )
    """,
]


class StoreUnavailable(UserError):
    """The database cannot be used now (the server's fault, not the request's); nothing was changed."""

    code = "unavailable"


class Busy(StoreUnavailable):
    """The database stayed locked; nothing was saved. Try again."""

    code = "busy"


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class SavedSearchStore:
    def __init__(self, path: Path | str, busy_seconds: float = 2.0):
        self.path = Path(path).resolve()
        self.busy_seconds = busy_seconds
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass
        except OSError as exc:
            raise StoreUnavailable(f"无法建立保存的检索数据库 {self.path}（{exc.strerror}）；请告诉网站管理员") from None
        with self._connection() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            for number in range(version, len(MIGRATIONS)):
                with self._transaction(db):
                    db.execute(MIGRATIONS[number])
                    db.execute(f"PRAGMA user_version = {number + 1}")

    @contextmanager
    def _connection(self):
        try:
            db = sqlite3.connect(self.path, timeout=self.busy_seconds, isolation_level=None)
            try:
                db.row_factory = sqlite3.Row
                db.execute("PRAGMA journal_mode = WAL")
                yield db
            finally:
                db.close()
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc)):
                raise Busy("保存的检索数据库正忙，这次没有保存任何改动；请稍后再试") from None
            raise StoreUnavailable(f"保存的检索数据库 {self.path.name} 暂时无法使用（无法读写或已损坏），没有改动任何内容；"
                                   "请告诉网站管理员检查磁盘空间和这个文件") from None

    @staticmethod
    @contextmanager
    def _transaction(db: sqlite3.Connection):
        db.execute("BEGIN IMMEDIATE")  # locked past the timeout: Busy, from _connection
        try:
            yield
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def create(self, query: str, filters: dict[str, list[str]]) -> dict:
        """Keep a search (checked by the caller: ``model.check_request`` and the engine); its
        ``id`` and ``token``. The visit starts now: what is in the index already is not new."""
        saved_id, token, at = secrets.token_urlsafe(9), secrets.token_urlsafe(24), now()
        with self._connection() as db, self._transaction(db):
            db.execute("INSERT INTO saved_searches (id, token_hash, query, filters, created_at, visited_at) "
                       "VALUES (?, ?, ?, ?, ?, ?)",
                       (saved_id, _hash(token), query, json.dumps(filters, ensure_ascii=False), at, at))
        return {"id": saved_id, "token": token}

    def get(self, saved_id: str, token: str | None) -> dict:
        """The saved search (id, query, filters, created_at, visited_at): NotFound for an unknown
        id, Forbidden for a missing or wrong token."""
        with self._connection() as db:
            row = db.execute("SELECT * FROM saved_searches WHERE id = ?", (saved_id,)).fetchone()
        if row is None:
            raise NotFound(f"没有编号为“{saved_id}”的保存的检索（链接可能不完整）")
        if not token or not hmac.compare_digest(row["token_hash"], _hash(token)):
            raise Forbidden("保存的检索只能用它的私人链接打开（链接中的 token 缺失或不对）")
        return {"id": row["id"], "query": row["query"], "filters": json.loads(row["filters"]),
                "created_at": row["created_at"], "visited_at": row["visited_at"]}

    def visit(self, saved_id: str, token: str | None, at: str | None = None) -> dict:
        """The saved search as it was before this visit (its ``visited_at`` the previous visit), and
        the visit recorded at ``at`` (now)."""
        saved = self.get(saved_id, token)
        with self._connection() as db, self._transaction(db):
            db.execute("UPDATE saved_searches SET visited_at = ? WHERE id = ?", (at or now(), saved_id))
        return saved

    def delete(self, saved_id: str, token: str | None) -> None:
        self.get(saved_id, token)
        with self._connection() as db, self._transaction(db):
            db.execute("DELETE FROM saved_searches WHERE id = ?", (saved_id,))
