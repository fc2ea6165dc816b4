"""Where an index lives on disk, and how a new one replaces the old without a reader noticing.

An index folder holds generations::

    index/
      CURRENT            name of the generation being served, replaced atomically
      gen-20261123T190501-1234/   a complete Whoosh index + meta.json
      .build.lock        present while a build or add runs

A build writes a new generation and, only once it is complete, replaces CURRENT (``os.replace`` is
atomic on POSIX and Windows). A crash, Ctrl-C or a bad report before that leaves CURRENT naming the
old generation, which keeps serving; the unfinished folder is removed by the next build.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

from .analysis import ANALYZER_VERSION
from .errors import IndexUnavailable
from .schema import SCHEMA_VERSION

CURRENT = "CURRENT"
META = "meta.json"
LOCK = ".build.lock"


def current_generation(index_dir: Path) -> Path | None:
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    path = index_dir / name
    return path if name and path.is_dir() else None


def read_meta(generation: Path) -> dict:
    return json.loads((generation / META).read_text(encoding="utf-8"))


def open_generation(index_dir: Path) -> tuple[Path, dict]:
    """The served generation and its metadata, or an error telling the user how to get one."""
    generation = current_generation(index_dir)
    if generation is None:
        raise IndexUnavailable(
            f"no index in {index_dir}; build one with: policy-search build --index {index_dir}"
        )
    meta = read_meta(generation)
    if meta.get("analyzer_version") != ANALYZER_VERSION or meta.get("schema_version") != SCHEMA_VERSION:
        raise IndexUnavailable(
            f"the index in {index_dir} was built by another version of policy-search "
            f"(analyzer {meta.get('analyzer_version')}, schema {meta.get('schema_version')}; this is "
            f"analyzer {ANALYZER_VERSION}, schema {SCHEMA_VERSION}); rebuild it with: "
            f"policy-search build --index {index_dir}"
        )
    return generation, meta


def new_generation(index_dir: Path) -> Path:
    index_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    path = index_dir / f"gen-{stamp}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    path.mkdir()
    return path


def write_meta(generation: Path, meta: dict) -> None:
    meta = {"analyzer_version": ANALYZER_VERSION, "schema_version": SCHEMA_VERSION, **meta}
    tmp = generation / (META + ".tmp")
    tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, generation / META)


def switch_to(index_dir: Path, generation: Path) -> None:
    """Make generation the served one, atomically, then drop all but the previous generation."""
    previous = current_generation(index_dir)
    tmp = index_dir / (CURRENT + f".{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(generation.name)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, index_dir / CURRENT)
    keep = {generation.name, previous.name if previous else None}
    # The previous generation stays one round: a reader that read CURRENT a moment ago may still
    # be opening it.
    for path in index_dir.glob("gen-*"):
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


def remove_unfinished(index_dir: Path) -> None:
    """Remove generations left by builds that died before switching (never the served one)."""
    current = current_generation(index_dir)
    for path in index_dir.glob("gen-*"):
        if (current is None or path != current) and not (path / META).exists():
            shutil.rmtree(path, ignore_errors=True)


class BuildLock:
    """One build or add at a time per index folder; a lock left by a killed process is taken over."""

    def __init__(self, index_dir: Path):
        self.path = index_dir / LOCK

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                if _lock_holder_alive(self.path):
                    raise IndexUnavailable(
                        f"another build is running on {self.path.parent} (lock file {self.path}); "
                        "wait for it to finish"
                    ) from None
                self.path.unlink(missing_ok=True)
                continue
            with os.fdopen(fd, "w") as f:
                f.write(str(os.getpid()))
            return self
        raise IndexUnavailable(f"could not take the build lock {self.path}")

    def __exit__(self, *exc):
        self.path.unlink(missing_ok=True)


def _lock_holder_alive(path: Path) -> bool:
    try:
        pid = int(path.read_text().strip() or 0)
    except (OSError, ValueError):
        return False
    if pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
