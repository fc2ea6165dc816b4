"""Uploaded files between the upload and the add: one folder per upload (a batch) under the
instance folder, with the files as uploaded and what the maintainer said about each.

A batch lives in ``<ADMIN_UPLOADS>/<batch id>/``: ``<n>/<file name>`` per file (a folder each, so
two files of the same name do not collide and the name itself stays evidence for place and year),
and ``batch.json`` (names, the latest inspections, the corrections). It is removed once its reports
are added, and any batch left over for ``MAX_AGE_SECONDS`` is removed at the next upload.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage

from search.errors import BadParameter, NotFound

MAX_FILES = 30  # files in one upload: a province's reports of a year, with room to spare
MAX_AGE_SECONDS = 24 * 3600
NAME_MAX = 120  # characters of a file name kept
_BATCH_ID_RE = re.compile(r"[A-Za-z0-9_-]{16}")
_UNSAFE_RE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


@dataclass
class Batch:
    id: str
    folder: Path
    names: list[str]
    inspections: list[dict] = field(default_factory=list)
    corrections: list[dict] = field(default_factory=list)  # {"place", "year", "type"} per file, as typed

    def paths(self) -> list[Path]:
        return [self.folder / str(n) / name for n, name in enumerate(self.names)]

    def roots(self) -> dict[str, Path]:
        """Each file's own folder: only its name is evidence, not the batch's folders."""
        return {str(path): path.parent for path in self.paths()}

    def save(self) -> None:
        draft = self.folder / "batch.json.tmp"
        draft.write_text(json.dumps({"names": self.names, "inspections": self.inspections,
                                     "corrections": self.corrections}, ensure_ascii=False), encoding="utf-8")
        os.replace(draft, self.folder / "batch.json")

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def uploads_dir() -> Path:
    return Path(current_app.config.get("ADMIN_UPLOADS") or Path(current_app.instance_path) / "admin-uploads")


def clean_name(filename: str, n: int) -> str:
    """The uploaded file's own name, safe as one path component: no folders, no control or
    reserved characters, no leading dot, not too long (the suffix kept)."""
    name = _UNSAFE_RE.sub("_", (filename or "").replace("\\", "/").rsplit("/", 1)[-1]).strip().lstrip(".")
    if len(name) > NAME_MAX:
        stem, dot, suffix = name.rpartition(".")
        name = stem[:NAME_MAX - len(suffix) - 1] + dot + suffix if dot and len(suffix) <= 8 else name[:NAME_MAX]
    return name or f"文件{n + 1}"


def create(files: list[FileStorage]) -> Batch:
    """A new batch holding the uploaded files (refused with BadParameter when there are none or too many)."""
    files = [f for f in files if f and f.filename]
    if not files:
        raise BadParameter("没有选择文件：请选择一个或多个报告文件（.docx、.pdf、.html 或 .txt）再上传。")
    if len(files) > MAX_FILES:
        raise BadParameter(f"一次最多上传 {MAX_FILES} 个文件，这次有 {len(files)} 个；请分几次上传。")
    _remove_stale()
    batch_id = secrets.token_urlsafe(12)
    folder = uploads_dir() / batch_id
    folder.mkdir(parents=True, mode=0o700)
    batch = Batch(batch_id, folder, [clean_name(f.filename, n) for n, f in enumerate(files)])
    try:
        for upload, path in zip(files, batch.paths()):
            path.parent.mkdir()
            upload.save(path)
        batch.corrections = [{"place": "", "year": "", "type": ""} for _ in files]
        batch.save()
    except BaseException:
        batch.remove()
        raise
    return batch


def load(batch_id: str) -> Batch:
    """The batch of that id, or NotFound (added already, expired, or never uploaded)."""
    folder = uploads_dir() / batch_id
    if not _BATCH_ID_RE.fullmatch(batch_id) or not (folder / "batch.json").is_file():
        raise NotFound("找不到这批上传的文件：它们可能已经加入索引，或超过一天没有处理已被清除；请重新上传。")
    data = json.loads((folder / "batch.json").read_text(encoding="utf-8"))
    return Batch(batch_id, folder, data["names"], data.get("inspections", []), data.get("corrections", []))


def _remove_stale() -> None:
    root = uploads_dir()
    if not root.is_dir():
        return
    cutoff = time.time() - MAX_AGE_SECONDS
    for folder in root.iterdir():
        try:
            if folder.is_dir() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue
