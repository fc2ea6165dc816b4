"""Building an index from report files, and adding or replacing reports in it.

Both write a new generation (see ``search.store``) and switch to it only when it is complete.
Progress goes to an optional callback so the CLI can draw a bar and tests can stay quiet.
"""

from __future__ import annotations

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
from .reports import read_report
from .schema import make_schema, passage_fields
from .errors import BuildError, ReportError

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


def report_files(source: Path) -> list[Path]:
    if source.is_file():
        return [source]
    if not source.is_dir():
        raise BuildError(f"{source} is neither a folder of reports nor a report file")
    return sorted(p for p in source.iterdir() if p.is_file() and p.suffix.lower() == ".txt")


def read_reports(files: list[Path], progress: Progress | None, refused: list[str]) -> list[Report]:
    """Read every file; a bad one is refused with its message, the others go on."""
    reports: dict[str, Report] = {}
    for n, path in enumerate(files, 1):
        if progress:
            progress("read", n, len(files), path.name)
        try:
            report = read_report(path)
        except ReportError as exc:
            refused.append(str(exc))
            continue
        except OSError as exc:
            refused.append(f"{path.name}: cannot be read ({exc.strerror or exc}).")
            continue
        if report.id in reports:
            other = reports[report.id].source
            refused.append(f"{path.name}: the same report ({report.county} {report.year} {report.type}) "
                           f"as {other}; kept {other}.")
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
    else:
        writer = ix.writer(limitmb=256)
    try:
        for report_id in delete_ids:
            writer.delete_by_term("report_id", report_id)
        done = 0
        for sequence, report in enumerate(reports, first_sequence):
            for passage in report.passages:
                writer.add_document(**passage_fields(passage, sequence))
                done += 1
                if progress and (done % 200 == 0 or done == total):
                    progress("index", done, total, report.county)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    return total


def _publish(index_dir: Path, generation: Path, summary: BuildSummary) -> None:
    """Record what the generation holds, then make it the served one."""
    store.write_meta(generation, {"reports": summary.reports, "passages": summary.passages,
                                  "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
    store.switch_to(index_dir, generation)


def build(source: Path, index_dir: Path, progress: Progress | None = None) -> BuildSummary:
    """Index every .txt report under source into a new generation and switch to it."""
    started = time.perf_counter()
    summary = BuildSummary(index_dir=str(index_dir))
    files = report_files(source)
    if not files:
        raise BuildError(f"no .txt reports in {source}")
    with store.BuildLock(index_dir):
        store.remove_unfinished(index_dir)
        reports = read_reports(files, progress, summary.refused)
        if not reports:
            raise BuildError("no report could be read, so the index was left as it was:\n  "
                             + "\n  ".join(summary.refused))
        generation = store.new_generation(index_dir)
        try:
            ix = whoosh_index.create_in(str(generation), make_schema())
            summary.passages = _write(ix, reports, progress, parallel=True)
            ix.close()
            summary.reports = [{**r.summary(), "sequence": n} for n, r in enumerate(reports)]
            _publish(index_dir, generation, summary)
        except BaseException:
            shutil.rmtree(generation, ignore_errors=True)
            raise
    summary.seconds = time.perf_counter() - started
    return summary


def add(files: list[Path], index_dir: Path, progress: Progress | None = None) -> BuildSummary:
    """Add or replace reports (same county, type and year) without re-reading the others."""
    started = time.perf_counter()
    summary = BuildSummary(index_dir=str(index_dir))
    with store.BuildLock(index_dir):
        store.remove_unfinished(index_dir)
        reports = read_reports(files, progress, summary.refused)
        if not reports:
            raise BuildError("no report could be read, so the index was left as it was:\n  "
                             + "\n  ".join(summary.refused))
        current = store.current_generation(index_dir)
        old_reports = store.open_generation(index_dir)[1]["reports"] if current else []
        generation = store.new_generation(index_dir)
        try:
            if current:
                # Copy the served generation and change the copy: readers keep the old files.
                shutil.rmtree(generation)
                shutil.copytree(current, generation, ignore=shutil.ignore_patterns(store.META, "*.lock"))
                ix = whoosh_index.open_dir(str(generation))
            else:
                ix = whoosh_index.create_in(str(generation), make_schema())
            new_ids = [r.id for r in reports]
            first = 1 + max((r.get("sequence", 0) for r in old_reports), default=-1)
            _write(ix, reports, progress, delete_ids=new_ids, first_sequence=first)
            ix.close()
            kept = [r for r in old_reports if r["id"] not in new_ids]
            summary.reports = kept + [{**r.summary(), "sequence": n} for n, r in enumerate(reports, first)]
            summary.passages = sum(r["passage_count"] for r in summary.reports)
            _publish(index_dir, generation, summary)
        except BaseException:
            shutil.rmtree(generation, ignore_errors=True)
            raise
    summary.seconds = time.perf_counter() - started
    return summary
