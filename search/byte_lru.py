"""A small thread-safe LRU cache bounded by bytes, for per-generation query results.

Analysts refine rather than retype: ticking a county, paging, or coming back to a query runs the
same query again with other filters. The documents a query matches do not depend on filters or
pages, so they are kept here, keyed by index generation and query, and so are whole pages of
results (paging back and reloading repeat them exactly); a rebuild starts a new generation and its
entries simply stop being asked for and age out.
"""

from __future__ import annotations

import pickle
import sys
import threading
from collections import OrderedDict

import numpy as np


def size_of(value) -> int:
    """About how many bytes ``value`` holds: arrays, scored matches, strings, lists of them (a long
    list from its first item), and plain data (a results page) from the length of its pickle:
    walking a page's dicts in Python cost a tenth of a cold query."""
    if isinstance(value, (str, bytes)):
        return sys.getsizeof(value)
    if isinstance(value, dict):
        # Measured on a results page: five times its pickle in memory (object headers, hash tables).
        return 5 * len(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
    if isinstance(value, np.ndarray):
        return value.nbytes + 100
    if hasattr(value, "docs") and hasattr(value, "scores"):
        return value.docs.nbytes + value.scores.nbytes + 100
    if isinstance(value, (list, tuple)):
        if len(value) > 16:  # a ranking: (docnum, score) pairs all alike, so the first stands for all
            return 100 + len(value) * size_of(value[0])
        return 100 + sum(size_of(v) for v in value)
    return 100


class ByteLRU:
    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._data: OrderedDict = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key):
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                self.hits += 1
                return self._data[key][0]
            self.misses += 1
            return None

    def put(self, key, value) -> None:
        size = size_of(value)
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._data:
                self._bytes -= self._data.pop(key)[1]
            self._data[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._data.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._bytes = 0
