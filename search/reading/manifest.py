"""A manifest for a whole folder: one row per file, written by ``inspect DIR --manifest reports.csv``,
corrected by a user in a spreadsheet, and read back by ``build --source DIR`` as overrides.

A row gives the file (relative to the folder), what was detected (place, level, type, year,
title), the evidence for each, and a status: ok, warning or refused (with the reason). On the way
back only four columns count: place, type and year override detection where filled in, and a
status of ``skip`` (or 跳过) leaves the file out. Level follows from the place; title and evidence
are there to read. A row that names an unknown place or type, a year that is no year, or a file
that is not there is reported by its line number and ignored; it never stops the other files.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from ..documents import TYPES, Report
from ..errors import UserError
from .header import Overrides
from .places import lookup

MANIFEST_NAME = "reports.csv"  # found at the top of a folder, it is applied without being named
FIELDS = ("place", "level", "type", "year")
# title_evidence: filled in only for a title made up from place, year and type (the file has none).
COLUMNS = ("file", *FIELDS, "title", *(f"{f}_evidence" for f in (*FIELDS, "title")), "status", "reason")
SKIP = ("skip", "跳过")


@dataclass
class Manifest:
    overrides: dict[str, Overrides] = field(default_factory=dict)  # by the file's path, as str
    skipped: dict[str, int] = field(default_factory=dict)  # file → the line that says skip
    problems: list[str] = field(default_factory=list)  # in Chinese, each with its line number


def survey(folder: Path, files: list[Path]) -> list[dict[str, str]]:
    """The manifest rows of files under ``folder``, each read in a bounded worker process."""
    from .isolation import ReaderPool

    with ReaderPool() as pool:
        return [row(str(path.relative_to(folder)), report, refusal)
                for path, (report, refusal) in zip(files, pool.read_many(files, root=folder))]


def row(relative: str, report: Report | None, refusal: str | None) -> dict[str, str]:
    """The manifest row of one file: what was read and why, or why it was refused."""
    if report is None:
        return {"file": relative, "status": "refused", "reason": refusal or ""}
    values = {"place": report.place, "level": report.level, "type": report.type, "year": str(report.year)}
    out = {"file": relative, **values, "title": report.title}
    for name in (*FIELDS, "title"):
        out[f"{name}_evidence"] = "；".join(report.evidence.get(name, []))
    out["status"] = "warning" if report.warnings else "ok"
    out["reason"] = "；".join(report.warnings)
    return out


def write(path: Path, rows: list[dict[str, str]]) -> None:
    """UTF-8 with a byte-order mark, so that a spreadsheet opens the Chinese as Chinese."""
    with Path(path).open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def _text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")  # saved again by a spreadsheet on Chinese Windows


def read(path: Path, folder: Path) -> Manifest:
    """The overrides a manifest gives for the files under ``folder``. Only an unreadable manifest
    stops a build (UserError); a bad row is a problem reported by line, the rest still apply."""
    path, folder = Path(path), Path(folder)
    try:
        text = _text(path)
    except OSError as exc:
        raise UserError(f"读不到清单 {path}（{exc.strerror}）。") from None
    manifest = Manifest()
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "file" not in [h.strip() for h in reader.fieldnames]:
        raise UserError(f"清单 {path} 的第一行要有列名，至少有 file 一列（见 inspect --manifest 写出的清单）。")
    for record in reader:
        line = reader.line_num
        values = {(k or "").strip(): (v or "").strip() for k, v in record.items() if isinstance(v, str)}
        _apply(values, line, path, folder, manifest)
    return manifest


def _apply(values: dict[str, str], line: int, path: Path, folder: Path, manifest: Manifest) -> None:
    where = f"清单 {path.name} 第{line}行"
    name = values.get("file", "")
    if not name:
        return
    target = folder / name
    if not target.is_file():
        manifest.problems.append(f"{where}：文件“{name}”不在 {folder} 里；这一行没有用上。")
        return
    key = str(target)
    if values.get("status", "").lower() in SKIP:
        manifest.skipped[key] = line
        return
    place, rtype, year = values.get("place") or None, values.get("type") or None, None
    if place and len(lookup(place)) != 1:
        found = lookup(place)
        why = "不认识这个地区" if not found else f"有{len(found)}处同名，请写全称"
        manifest.problems.append(f"{where}：地区“{place}”{why}；这一行没有用上。")
        return
    if rtype and rtype not in TYPES:
        manifest.problems.append(f"{where}：类型“{rtype}”应是 {'、'.join(TYPES)} 之一；这一行没有用上。")
        return
    if values.get("year"):
        if not (values["year"].isdigit() and 1949 <= int(values["year"]) <= 2100):
            manifest.problems.append(f"{where}：年份“{values['year']}”不是年份；这一行没有用上。")
            return
        year = int(values["year"])
    if place or rtype or year:
        manifest.overrides[key] = Overrides(place=place, year=year, type=rtype, said=f"清单第{line}行")
