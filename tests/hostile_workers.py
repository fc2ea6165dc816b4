"""Readers that fail the way native code can, for the isolation tests (run in worker processes)."""

from __future__ import annotations

import os
import time


def hang(path, overrides, root):
    if "bad" in str(path):
        time.sleep(3600)
    return _read(path, overrides, root)


def abort(path, overrides, root):
    if "bad" in str(path):
        os.abort()
    return _read(path, overrides, root)


def exhaust_memory(path, overrides, root):
    if "bad" in str(path):
        return bytearray(1024 ** 3)  # past the 512 MB address space the test gives the worker
    return _read(path, overrides, root)


def _read(path, overrides, root):
    from search.reading.isolation import read_one

    return read_one(path, overrides, root)
