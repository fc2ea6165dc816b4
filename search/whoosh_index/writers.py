"""A build's segments, written by forked processes: each writes the passages of its share of a
batch of reports as one segment (``search.whoosh_index.segment_writer``).

A build of millions of passages reads and writes its reports a batch at a time
(``search.reading.batch.read_report_batches``, the setting ``build_batch_passages``), so that
what it holds in memory is one batch, not the collection; each batch adds a segment per writer
process. The segments are not merged: merging costs about what the second process saved, and
searching a few segments costs nothing we could measure.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing as mp
import os
import signal
import sys
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from whoosh.filedb.filestore import FileStorage

from . import segment_writer, store
from .. import settings
from ..documents import Report
from ..errors import BuildError
from ..reading.batch import Progress
from .schema import make_schema, passage_fields


def _helper_start(parent: int) -> None:
    """Set up a forked reader or writer process: it lets go of the build lock (the builder holds
    it) and dies with the builder, so a killed build leaves no helper behind working or locking."""
    store.release_inherited_locks()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the builder died before that took effect
        os._exit(1)


def _helpers(count: int) -> ProcessPoolExecutor:
    """Forked helper processes of a build (readers or writers)."""
    return ProcessPoolExecutor(count, mp_context=mp.get_context("fork"), initializer=_helper_start,
                               initargs=(os.getpid(),))


# What a build's writer processes share, set before they are forked: the batch's reports (read by
# index range), the sequence number of its first report, and a counter of passages written (for
# the progress bar).
_SHARED_REPORTS: list[Report] = []
_SHARED_FIRST = 0
_SHARED_DONE = None


def _shares(reports: list[Report], parts: int) -> list[tuple[int, int]]:
    """Split reports into at most ``parts`` runs of about the same number of passages."""
    total = sum(len(r.passages) for r in reports)
    bounds, done, lo = [], 0, 0
    for n, report in enumerate(reports):
        done += len(report.passages)
        if done * parts >= total * (len(bounds) + 1) and len(bounds) < parts - 1:
            bounds.append((lo, n + 1))
            lo = n + 1
    bounds.append((lo, len(reports)))
    return [b for b in bounds if b[0] < b[1]]


def _write_share(folder: str, indexname: str, lo: int, hi: int):
    """Write reports ``lo:hi`` of ``_SHARED_REPORTS`` as one segment of the index in ``folder`` (in
    a writer process, or not)."""
    done, first = _SHARED_DONE, _SHARED_FIRST
    storage = FileStorage(folder)
    schema = make_schema()

    def documents():
        for n in range(lo, hi):
            report = _SHARED_REPORTS[n]
            for passage in report.passages:
                yield passage_fields(passage, first + n, report)
            if done is not None:
                with done.get_lock():
                    done.value += len(report.passages)

    return segment_writer.write_segment(storage, schema, indexname, documents())


@dataclass
class Written:
    """What a build has written so far: its segments, and where each report's passages are in
    them (segment, first document number in it, passages), so that a report a later batch
    replaces can be deleted."""

    segments: list = field(default_factory=list)
    where: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    passages: int = 0

    def delete(self, report_id: str) -> None:
        n, start, count = self.where.pop(report_id)
        for docnum in range(start, start + count):
            self.segments[n].delete_document(docnum)
        self.passages -= count


def write_batch(written: Written, folder, indexname: str, reports: list[Report], first_sequence: int,
                progress: Progress | None, total: int | None = None) -> None:
    """Write a batch of reports, numbered from ``first_sequence``, as a segment per writer process
    (one process for a small batch) and add them to ``written``. ``total``: the passages the
    progress bar counts to (this batch's by default)."""
    global _SHARED_REPORTS, _SHARED_FIRST
    count = sum(len(r.passages) for r in reports)
    if not count:
        return
    procs = settings.get("build_procs") or os.cpu_count() or 1
    forked = procs > 1 and count >= settings.get("parallel_build_min") and "fork" in mp.get_all_start_methods()
    shares = _shares(reports, procs if forked else 1)
    _SHARED_REPORTS, _SHARED_FIRST = reports, first_sequence
    try:
        if not forked:
            segments = [_write_share(str(folder), indexname, lo, hi) for lo, hi in shares]
        else:
            segments = _write_forked(folder, indexname, shares, written.passages, total or count, progress)
    finally:
        _SHARED_REPORTS, _SHARED_FIRST = [], 0
    for (lo, hi), segment in zip(shares, segments):
        start = 0
        for report in reports[lo:hi]:
            written.where[report.id] = (len(written.segments), start, len(report.passages))
            start += len(report.passages)
        written.segments.append(segment)
    written.passages += count


def _write_forked(folder, indexname: str, shares, before: int, total: int, progress: Progress | None) -> list:
    """One forked writer process per share; the segments they wrote, in share order. A process
    that fails makes the build fail: its error, or, if it was killed, "索引写入不完整"."""
    global _SHARED_DONE
    done = _SHARED_DONE = mp.get_context("fork").Value("q", 0)
    try:
        with _helpers(len(shares)) as pool:
            futures = [pool.submit(_write_share, str(folder), indexname, lo, hi) for lo, hi in shares]
            pending = set(futures)
            while pending:
                _, pending = wait(pending, timeout=0.25, return_when=FIRST_EXCEPTION)
                if progress:  # "done" only once, after the segments are written
                    progress("index", min(before + done.value, total - 1), total, "")
                if any(f.done() and f.exception() for f in futures):
                    break
            try:
                return [f.result() for f in futures]
            except BrokenProcessPool as exc:
                # A writer process killed outright (out of memory, a signal) leaves no error of its own.
                raise BuildError("索引写入不完整：一个写入进程中途失败（可能是内存或磁盘空间不足），原索引未改动；"
                                 "请检查后重试（内存不够时，可调小 build_batch_passages）") from exc
    finally:
        _SHARED_DONE = None
