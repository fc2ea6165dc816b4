"""Building an index from report files, and adding or replacing reports in it.

Both write a new generation (see ``search.whoosh_index.store``) and switch to it only when it is complete.
Progress goes to an optional callback so the CLI can draw a bar and tests can stay quiet.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing as mp
import os
import shutil
import signal
import sys
import time
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from . import arrivals, segment_writer, store
from .. import settings
from ..text.streams import word_segmenter
from ..documents import BuildSummary, Report, stamp_arrivals
from ..reading import Overrides
from ..reading import manifest as manifests
from ..reading.batch import Progress, read_reports
from .schema import make_schema, passage_fields
from ..errors import BuildError, UserError, escape_unprintable

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


def _write(ix, reports: list[Report], progress: Progress | None, delete_ids=(), first_sequence: int = 0) -> int:
    """Add or replace reports through Whoosh's own writer: for ``add`` and ``remove``, whose cost
    follows the few reports they touch (a whole build goes through ``_write_all``)."""
    total = sum(len(r.passages) for r in reports)
    if reports:
        word_segmenter()
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
    return total


# What a build's writer processes share, set before they are forked: the reports (read by index
# range) and a counter of passages written (for the progress bar).
_SHARED_REPORTS: list[Report] = []
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
    done = _SHARED_DONE
    storage = FileStorage(folder)
    schema = make_schema()

    def documents():
        for sequence in range(lo, hi):
            report = _SHARED_REPORTS[sequence]
            for passage in report.passages:
                yield passage_fields(passage, sequence, report)
            if done is not None:
                with done.get_lock():
                    done.value += len(report.passages)

    return segment_writer.write_segment(storage, schema, indexname, documents())


def _write_all(ix, folder: Path, reports: list[Report], progress: Progress | None) -> int:
    """A whole build: each of several processes writes a segment for its share of the reports
    (``search.whoosh_index.segment_writer``), then one table of contents lists them in reading order.

    The segments are not merged: merging costs about what the second process saved, and searching
    two segments costs nothing we could measure."""
    global _SHARED_REPORTS, _SHARED_DONE
    total = sum(len(r.passages) for r in reports)
    word_segmenter()  # load the dictionary once, before any writer process is forked
    procs = settings.get("build_procs") or os.cpu_count() or 1
    forked = procs > 1 and total >= settings.get("parallel_build_min") and "fork" in mp.get_all_start_methods()
    shares = _shares(reports, procs if forked else 1)
    _SHARED_REPORTS = reports
    try:
        if not forked:
            segments = [_write_share(str(folder), ix.indexname, lo, hi) for lo, hi in shares]
        else:
            segments = _write_forked(folder, ix.indexname, shares, total, progress)
    finally:
        _SHARED_REPORTS, _SHARED_DONE = [], None
    segment_writer.commit(ix, segments)
    if progress:
        progress("index", total, total, "")
    return total


def _write_forked(folder: Path, indexname: str, shares, total: int, progress: Progress | None) -> list:
    """One forked writer process per share; the segments they wrote, in share order. A process
    that fails makes the build fail: its error, or, if it was killed, "索引写入不完整"."""
    global _SHARED_DONE
    done = _SHARED_DONE = mp.get_context("fork").Value("q", 0)
    with _helpers(len(shares)) as pool:
        futures = [pool.submit(_write_share, str(folder), indexname, lo, hi) for lo, hi in shares]
        pending = set(futures)
        while pending:
            _, pending = wait(pending, timeout=0.25, return_when=FIRST_EXCEPTION)
            if progress:  # "done" only once, after the segments are written
                progress("index", min(done.value, total - 1), total, "")
            if any(f.done() and f.exception() for f in futures):
                break
        try:
            return [f.result() for f in futures]
        except BrokenProcessPool as exc:
            # A writer process killed outright (out of memory, a signal) leaves no error of its own.
            raise BuildError("索引写入不完整：一个写入进程中途失败（可能是内存或磁盘空间不足），原索引未改动；请检查后重试") from exc


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


def build(source: Path | list[Path], index_dir: Path, progress: Progress | None = None,
          manifest: Path | None = None) -> BuildSummary:
    """Index every report file under the source folder, or folders (recursively), into a new
    generation and switch to it.

    ``manifest`` corrects what is read per file; without it, a reports.csv at the top of each
    folder does. A file under two of the folders is read once."""
    started = time.perf_counter()
    summary = BuildSummary(index_dir=str(index_dir))
    sources = [Path(s) for s in (source if isinstance(source, (list, tuple)) else [source])]
    if manifest is not None and len(sources) > 1:
        raise BuildError("--manifest 只能配一个 --source：清单里的文件名相对于一个文件夹。"
                         "请把清单（reports.csv）分别放在各个文件夹的顶层。")
    files: list[Path] = []
    overrides: dict = {}
    roots: dict[str, Path] = {}
    for src in sources:
        found = [f for f in report_files(src) if str(f) not in roots]
        overrides.update(_manifest(src, manifest, found, summary.refused))
        roots.update((str(f), src) for f in found)
        files += found
    if not files:
        raise BuildError(f"{'、'.join(map(str, sources))} 里没有报告文件（.txt、.docx、.pdf、.html）。")
    with store.BuildLock(index_dir):
        store.remove_unfinished(index_dir)
        served = arrivals.served_reports(index_dir)
        reports = read_reports(files, progress, summary.refused, overrides, root=roots)
        if not reports:
            raise BuildError("没有一份报告能读入，索引保持原样：\n  " + "\n  ".join(summary.refused))
        with _new_generation(index_dir) as generation:
            ix = whoosh_index.create_in(str(generation), make_schema())
            summary.passages = _write_all(ix, generation, reports, progress)
            ix.close()
            summary.reports = stamp_arrivals([{**r.summary(), "sequence": n} for n, r in enumerate(reports)], served)
            _publish(index_dir, generation, summary)
    summary.seconds = time.perf_counter() - started
    return summary


def _manifest(source: Path, path: Path | None, files: list[Path], refused: list[str]) -> dict:
    """The per-file overrides of a manifest; files it skips leave ``files``; problems go to ``refused``."""
    if path is None and source.is_dir() and (source / manifests.MANIFEST_NAME).is_file():
        path = source / manifests.MANIFEST_NAME
    if path is None:
        return {}
    found = manifests.read(path, source if source.is_dir() else source.parent)
    refused.extend(found.problems)
    for name, line in found.skipped.items():
        refused.append(f"{escape_unprintable(Path(name).name)}：清单第{line}行要求跳过这个文件。")
    files[:] = [f for f in files if str(f) not in found.skipped]
    return found.overrides


def add(files: list[Path], index_dir: Path, progress: Progress | None = None,
        overrides: Overrides | dict | None = None, root: Path | dict | None = None) -> BuildSummary:
    """Add or replace reports (same place, type and year) without re-reading the others.
    ``overrides`` says the place, year or type where detection fails (one for all files, or a dict
    of them by path as str); ``root`` is the folder the files were found in (or a dict of them).

    The new generation shares the served one's segment files (hard links) and writes only a segment
    for the added reports and a new table of contents, so its cost follows the reports added, not
    the size of the index; the served generation's files are never written to."""
    started = time.perf_counter()
    summary = BuildSummary(index_dir=str(index_dir))
    with store.BuildLock(index_dir):
        store.remove_unfinished(index_dir)
        current = store.current_generation(index_dir)
        old_reports = arrivals.served_reports(index_dir) if current else []
        if current:
            store.open_generation(index_dir)  # refuses a damaged or outdated index
        reports = read_reports(files, progress, summary.refused, overrides, root)
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
            summary.replaced = [r for r in old_reports if r["id"] in new_ids]
            summary.added = stamp_arrivals([{**r.summary(), "sequence": n} for n, r in enumerate(reports, first)],
                                           summary.replaced)
            summary.reports = kept + summary.added
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
