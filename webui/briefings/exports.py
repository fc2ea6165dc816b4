"""Briefing exports (Word, Markdown) on the site: cached per briefing version, and few made at once.

The Word file of a full briefing (500 passages with long notes) costs most of a second of CPU, and a
handful of downloads at once used to stall every search. So:

- A finished export is kept in memory, keyed by briefing, its ``version`` (which every change
  raises), format and the site's address (the permalinks in it). Downloading an unchanged briefing
  again is a copy. The cache holds at most the setting ``export_cache_mb``; the least recently used
  go first, and the versions a change left behind are never asked for again and age out.
- At most ``max_concurrent_exports`` are made at the same moment on this machine, whatever the
  number of gunicorn workers (counted per worker, 2 workers made 4 Word files at once on 2 cores,
  and searches went from 3 ms to 118 ms). One more gets 503 with ``Retry-After`` and a message at
  once, rather than a waiting thread that would hold up searches. The slots are files beside the
  briefings database, each held with the operating system's lock (``flock``) while an export is
  made: every worker of the site sees them, and a worker that dies lets its slot go.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

from flask import current_app
from werkzeug.exceptions import ServiceUnavailable

from search import settings
from search.briefings.store import BriefingStore
from search.briefings.exports import to_docx, to_markdown

RENDERERS = {
    "docx": to_docx,
    "md": lambda briefing, base_url: to_markdown(briefing, base_url).encode("utf-8"),
}
RETRY_AFTER_SECONDS = 2
_EXTENSION = "policy_search.briefing_exports"
_LOCK = threading.Lock()


class ExportsBusy(ServiceUnavailable):
    """Every export slot is taken; the client should try again in a moment."""

    explanation = ("正在导出的简报太多了", "服务器同时只生成少量导出文件，以免拖慢检索。请过几秒再点一次下载；阅读和检索不受影响。")


class ExportCache:
    """Bytes by key, at most ``max_bytes`` in all, least recently used dropped first; thread-safe."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._data: OrderedDict[tuple, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: tuple) -> bytes | None:
        with self._lock:
            data = self._data.get(key)
            if data is not None:
                self._data.move_to_end(key)
            return data

    def put(self, key: tuple, data: bytes) -> None:
        if len(data) > self.max_bytes:
            return
        with self._lock:
            if key in self._data:
                self._bytes -= len(self._data.pop(key))
            self._data[key] = data
            self._bytes += len(data)
            while self._bytes > self.max_bytes:
                self._bytes -= len(self._data.popitem(last=False)[1])


class MachineSlots:
    """``count`` slots shared by every process that uses ``folder``: ``take()`` holds a free one (an
    exclusive ``flock`` on its file) or returns None at once; ``give_back`` lets it go. Where there
    is no ``fcntl`` (Windows, where the site runs one waitress process), the slots are this
    process's own."""

    def __init__(self, folder: Path, count: int):
        self.paths = [folder / f"slot-{n}" for n in range(count)]
        self._local = threading.BoundedSemaphore(count) if fcntl is None else None

    def take(self):
        if self._local is not None:
            return self._local if self._local.acquire(blocking=False) else None
        self.paths[0].parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        for path in self.paths:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                os.close(fd)  # held by another export, in this process or another
        return None

    def give_back(self, held) -> None:
        if self._local is not None:
            self._local.release()
        else:
            os.close(held)  # closing the descriptor releases its lock


class Exporter:
    def __init__(self, max_bytes: int, slots: MachineSlots):
        self.cache = ExportCache(max_bytes)
        self._slots = slots

    def export(self, store: BriefingStore, briefing_id: str, kind: str, base_url: str) -> tuple[bytes, dict]:
        """The export as bytes, and the briefing (at least its id and title) it was made of."""
        summary = store.summary(briefing_id)  # NotFound for a deleted briefing, whatever is cached
        data = self.cache.get((briefing_id, summary["version"], kind, base_url))
        if data is not None:
            return data, summary
        held = self._slots.take()
        if held is None:
            raise ExportsBusy("同时导出的简报太多，请几秒后再试", retry_after=RETRY_AFTER_SECONDS)
        try:
            briefing = store.get(briefing_id)
            data = RENDERERS[kind](briefing, base_url)
        finally:
            self._slots.give_back(held)
        # Keyed by the version actually read: a change made meanwhile has a version of its own.
        self.cache.put((briefing_id, briefing["version"], kind, base_url), data)
        return data, briefing


def get_exporter() -> Exporter:
    app = current_app._get_current_object()
    if _EXTENSION not in app.extensions:
        with _LOCK:
            database = Path(app.config["BRIEFINGS_DB"])
            slots = MachineSlots(database.with_name(database.name + ".export-slots"),
                                 settings.get("max_concurrent_exports"))
            app.extensions.setdefault(_EXTENSION, Exporter(settings.get("export_cache_mb") * 1024 * 1024, slots))
    return app.extensions[_EXTENSION]
