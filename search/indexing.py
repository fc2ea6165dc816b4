"""Building an index from report files, and adding or replacing reports in it.

Both write a new generation (see ``search.store``) and switch to it only when it is complete.
Progress goes to an optional callback so the CLI can draw a bar and tests can stay quiet.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from whoosh import index as whoosh_index

from . import settings, store
from .analysis import word_segmenter
from .documents import Report
from .reading import Overrides, read_report
from .schema import make_schema, passage_fields
from .errors import BuildError, ReportError, UserError

# progress(stage, done, total, label): stage is "read" (reports) or "index" (passages).
Progress = Callable[[str, int, int, str], None]


@dataclass
class BuildSummary:
    index_dir: str
    reports: list[dict] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    passages: int = 0
    seconds: float = 0.0

    def per_county(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self.reports:
            counts[r["county"]] = counts.get(r["county"], 0) + r["passage_count"]
        return counts


# Files a folder is searched for. Old Word/WPS files and archives are taken too, so that each is
# refused with a line saying what to do, rather than skipped in silence.
REPORT_SUFFIXES = {".txt", ".docx", ".pdf", ".html", ".htm", ".shtml", ".xhtml"}
REFUSED_SUFFIXES = {".doc", ".wps", ".zip", ".rar", ".7z"}


def report_files(source: Path) -> list[Path]:
    """The report files under ``source`` (recursively, hidden files and folders left out)."""
    if source.is_file():
        return [source]
    if not source.is_dir():
        raise BuildError(f"{source} 既不是报告文件夹，也不是报告文件。")
    wanted = REPORT_SUFFIXES | REFUSED_SUFFIXES
    return sorted(
        p for p in source.rglob("*")
        if p.is_file() and p.suffix.lower() in wanted
        and not any(part.startswith(".") for part in p.relative_to(source).parts)
    )


def read_reports(files: list[Path], progress: Progress | None, refused: list[str],
                 overrides: Overrides | None = None) -> list[Report]:
    """Read every file once; a bad one is refused with its message, the others go on."""
    reports: dict[str, Report] = {}
    for n, path in enumerate(files, 1):
        if progress:
            progress("read", n, len(files), path.name)
        try:
            report = read_report(path, overrides)
        except ReportError as exc:
            refused.append(str(exc))
            continue
        except OSError as exc:
            refused.append(f"{path.name}：无法读取（{exc.strerror or exc}）。")
            continue
        if report.id in reports:
            # The same report twice (a Word file and its PDF, a page and its text): keep the fuller one.
            other = reports[report.id]
            kept, dropped = (report, other) if len(report.passages) > len(other.passages) else (other, report)
            refused.append(f"{dropped.source}：与 {kept.source} 是同一份报告（{report.county} {report.year}年 "
                           f"{report.type}），保留了段落更多的 {kept.source}。")
            reports[report.id] = kept
            continue
        reports[report.id] = report
    return list(reports.values())


def _write(ix, reports: list[Report], progress: Progress | None, delete_ids=(), parallel=False,
           first_sequence: int = 0) -> int:
    total = sum(len(r.passages) for r in reports)
    word_segmenter()  # load the dictionary once, before any writer process is forked
    procs = settings.get("build_procs") or os.cpu_count() or 1
    if parallel and procs > 1 and total >= settings.get("parallel_build_min"):
        # One segment per process, not merged at the end: merging costs about what the second
        # process saved, and searching two segments costs nothing we could measure.
        writer = ix.writer(limitmb=256, procs=procs, multisegment=True)
        expected = ix.doc_count_all() + total
    else:
        expected = None
        writer = ix.writer(limitmb=256)
    try:
        for report_id in delete_ids:
            writer.delete_by_term("report_id", report_id)
        done = 0
        for sequence, report in enumerate(reports, first_sequence):
            for passage in report.passages:
                writer.add_document(**passage_fields(passage, sequence, report))
                done += 1
                if progress and (done % 200 == 0 or done == total):
                    progress("index", done, total, report.county)
        writer.commit()
    except BaseException:
        # The first error is the one to report (a full disk fails the cancel's flushes as well),
        # and the caller removes the whole folder anyway.
        with contextlib.suppress(Exception):
            writer.cancel()
        raise
    # A writer process that dies (a full disk) is left out of the commit without an error.
    if expected is not None and ix.doc_count_all() != expected:
        raise BuildError("索引写入不完整：一个写入进程中途失败（可能是磁盘空间不足），原索引未改动；请检查磁盘后重试")
    return total


def _publish(index_dir: Path, generation: Path, summary: BuildSummary, shared: dict | None = None) -> None:
    """Record what the generation holds and the checksum of each file, then make it the served one.
    ``shared`` has the recorded entries of files linked from the served generation."""
    files = store.record_files(generation, shared)
    store.write_meta(generation, {"reports": summary.reports, "passages": summary.passages,
                                  "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                  "files": files})
    store.switch_to(index_dir, generation)


@contextlib.contextmanager
def _new_generation(index_dir: Path):
    """A new generation folder to write and publish. When anything fails before it is served, the
    folder is removed and the served one is left as it was; a full disk says so in one line."""
    previous = store.current_generation(index_dir)
    generation = None
    try:
        generation = store.new_generation(index_dir)
        yield generation
    except BaseException as exc:
        if generation is None or store.current_generation(index_dir) != generation:
            if generation is not None:
                shutil.rmtree(generation, ignore_errors=True)
            if isinstance(exc, OSError):
                raise _write_error(exc, index_dir) from exc
        raise
    store.remove_old(index_dir, keep=[generation, previous])


@contextlib.contextmanager
def _damage_shows(served: Path | None):
    """An add reads the served generation's segments (to delete the passages it replaces): when
    that fails and the generation's checksums no longer match, say the index is damaged."""
    try:
        yield
    except UserError:
        raise
    except Exception as exc:  # an error of Whoosh's, or EINVAL for a seek into noise
        disk_full = isinstance(exc, OSError) and exc.errno in store.DISK_FULL
        if served is not None and not disk_full and (problems := store.verify(served)):
            raise store.damaged(served, problems) from exc
        raise


def _write_error(exc: OSError, index_dir: Path) -> BuildError:
    if exc.errno in store.DISK_FULL:
        return BuildError(f"磁盘空间不足：{index_dir} 所在的磁盘写不下新的索引，原索引未改动；请腾出空间后重试")
    return BuildError(f"无法写入新的索引（{exc.strerror or exc}：{exc.filename or index_dir}），原索引未改动")


def build(source: Path, index_dir: Path, progress: Progress | None = None) -> BuildSummary:
    """Index every report file under source (recursively) into a new generation and switch to it."""
    started = time.perf_counter()
    summary = BuildSummary(index_dir=str(index_dir))
    files = report_files(source)
    if not files:
        raise BuildError(f"{source} 里没有报告文件（.txt、.docx、.pdf、.html）。")
    with store.BuildLock(index_dir):
        store.remove_unfinished(index_dir)
        reports = read_reports(files, progress, summary.refused)
        if not reports:
            raise BuildError("没有一份报告能读入，索引保持原样：\n  " + "\n  ".join(summary.refused))
        with _new_generation(index_dir) as generation:
            ix = whoosh_index.create_in(str(generation), make_schema())
            summary.passages = _write(ix, reports, progress, parallel=True)
            ix.close()
            summary.reports = [{**r.summary(), "sequence": n} for n, r in enumerate(reports)]
            _publish(index_dir, generation, summary)
    summary.seconds = time.perf_counter() - started
    return summary


def add(files: list[Path], index_dir: Path, progress: Progress | None = None,
        overrides: Overrides | None = None) -> BuildSummary:
    """Add or replace reports (same place, type and year) without re-reading the others.
    ``overrides`` says the place, year or type where detection fails.

    The new generation shares the served one's segment files (hard links) and writes only a segment
    for the added reports and a new table of contents, so its cost follows the reports added, not
    the size of the index; the served generation's files are never written to."""
    started = time.perf_counter()
    summary = BuildSummary(index_dir=str(index_dir))
    with store.BuildLock(index_dir):
        store.remove_unfinished(index_dir)
        current = store.current_generation(index_dir)
        old_reports = store.open_generation(index_dir)[1]["reports"] if current else []
        reports = read_reports(files, progress, summary.refused, overrides)
        if not reports:
            raise BuildError("没有一份报告能读入，索引保持原样：\n  " + "\n  ".join(summary.refused))
        with _new_generation(index_dir) as generation, _damage_shows(current):
            shared = store.share_generation(current, generation) if current else {}
            new_ids = [r.id for r in reports]
            first = 1 + max((r.get("sequence", 0) for r in old_reports), default=-1)
            if current:
                ix = whoosh_index.open_dir(str(generation))
            else:
                ix = whoosh_index.create_in(str(generation), make_schema())
            _write(ix, reports, progress, delete_ids=new_ids, first_sequence=first)
            ix.close()
            kept = [r for r in old_reports if r["id"] not in new_ids]
            summary.reports = kept + [{**r.summary(), "sequence": n} for n, r in enumerate(reports, first)]
            summary.passages = sum(r["passage_count"] for r in summary.reports)
            _publish(index_dir, generation, summary, shared)
    summary.seconds = time.perf_counter() - started
    return summary


def remove(report_ids: list[str], index_dir: Path) -> BuildSummary:
    """Drop reports by id without re-reading the others; unknown ids are refused, nothing changes."""
    started = time.perf_counter()
    summary = BuildSummary(index_dir=str(index_dir))
    with store.BuildLock(index_dir):
        store.remove_unfinished(index_dir)
        current, meta = store.open_generation(index_dir)
        known = {r["id"] for r in meta["reports"]}
        unknown = [rid for rid in report_ids if rid not in known]
        if unknown:
            raise BuildError(f"索引里没有这些报告：{'、'.join(unknown)}；`policy-search reports` 列出现有报告的编号。")
        with _new_generation(index_dir) as generation, _damage_shows(current):
            shared = store.share_generation(current, generation)
            ix = whoosh_index.open_dir(str(generation))
            _write(ix, [], None, delete_ids=report_ids)
            ix.close()
            summary.reports = [r for r in meta["reports"] if r["id"] not in report_ids]
            summary.passages = sum(r["passage_count"] for r in summary.reports)
            _publish(index_dir, generation, summary, shared)
    summary.seconds = time.perf_counter() - started
    return summary
