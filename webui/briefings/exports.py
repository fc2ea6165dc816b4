"""Briefing exports (Word, Markdown) on the site: cached per briefing version, and few made at once.

The Word file of a full briefing (500 passages with long notes) costs most of a second of CPU, and a
handful of downloads at once used to stall every search. So:

- A finished export is kept in memory, keyed by briefing, its ``version`` (which every change
  raises), format and the site's address (the permalinks in it). Downloading an unchanged briefing
  again is a copy. The cache holds at most the setting ``export_cache_mb``; the least recently used
  go first, and the versions a change left behind are never asked for again and age out.
- At most ``max_concurrent_exports`` are made at the same moment. One more gets 503 with
  ``Retry-After`` and a message at once, rather than a waiting thread that would hold up searches.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

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


class Exporter:
    def __init__(self, max_bytes: int, at_once: int):
        self.cache = ExportCache(max_bytes)
        self._slots = threading.BoundedSemaphore(at_once)

    def export(self, store: BriefingStore, briefing_id: str, kind: str, base_url: str) -> tuple[bytes, dict]:
        """The export as bytes, and the briefing (at least its id and title) it was made of."""
        summary = store.summary(briefing_id)  # NotFound for a deleted briefing, whatever is cached
        data = self.cache.get((briefing_id, summary["version"], kind, base_url))
        if data is not None:
            return data, summary
        if not self._slots.acquire(blocking=False):
            raise ExportsBusy("同时导出的简报太多，请几秒后再试", retry_after=RETRY_AFTER_SECONDS)
        try:
            briefing = store.get(briefing_id)
            data = RENDERERS[kind](briefing, base_url)
        finally:
            self._slots.release()
        # Keyed by the version actually read: a change made meanwhile has a version of its own.
        self.cache.put((briefing_id, briefing["version"], kind, base_url), data)
        return data, briefing


def get_exporter() -> Exporter:
    app = current_app._get_current_object()
    if _EXTENSION not in app.extensions:
        with _LOCK:
            app.extensions.setdefault(_EXTENSION, Exporter(settings.get("export_cache_mb") * 1024 * 1024,
                                                           settings.get("max_concurrent_exports")))
    return app.extensions[_EXTENSION]
