"""Saved searches kept in SQLite, behind a private link each.

Saving returns an id and a token (random, from ``secrets``); only the token's SHA-256 is stored,
compared in constant time, and every read needs it: the query of a saved search may say what an
analyst is working on. The last visit is kept on the saved search, so its page can mark what came
into the index since (``visit``).

The file is created private (0600), in WAL mode, one connection per operation, so one store serves
every thread of the site; a database locked past ``busy_seconds`` is ``Busy`` (503, nothing saved).
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


class Busy(UserError):
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
        with self._connection() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            for number in range(version, len(MIGRATIONS)):
                with self._transaction(db):
                    db.execute(MIGRATIONS[number])
                    db.execute(f"PRAGMA user_version = {number + 1}")

    @contextmanager
    def _connection(self):
        db = sqlite3.connect(self.path, timeout=self.busy_seconds, isolation_level=None)
        try:
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode = WAL")
            yield db
        finally:
            db.close()

    @staticmethod
    @contextmanager
    def _transaction(db: sqlite3.Connection):
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise Busy("保存的检索数据库正忙，这次没有保存任何改动；请稍后再试") from None
            raise
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
