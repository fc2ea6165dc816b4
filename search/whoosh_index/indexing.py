"""Building an index from report files, and adding or replacing reports in it.

Both write a new generation (see ``search.whoosh_index.store``) and switch to it only when it is complete.
Progress goes to an optional callback so the CLI can draw a bar and tests can stay quiet.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from pathlib import Path

from whoosh import index as whoosh_index

from . import arrivals, segment_writer, store, writers
from .. import settings
from ..text.streams import word_segmenter
from ..documents import BuildSummary, Report, stamp_arrivals
from ..reading import Overrides
from ..reading import manifest as manifests
from ..reading.batch import Progress, read_report_batches, read_reports
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


def _write_all(ix, folder: Path, batches, progress: Progress | None) -> tuple[list[dict], int]:
    """A whole build: each batch of reports (``search.reading.batch.read_report_batches``) written
    as segments by forked processes (``search.whoosh_index.writers``), a report that a fuller copy
    in a later batch replaced deleted, then one table of contents that lists every segment. Returns
    the written reports' summary rows in reading order, and their passages."""
    word_segmenter()  # load the dictionary once, before any writer process is forked
    written, rows, sequence = writers.Written(), {}, 0
    for reports, replaced in batches:
        for report_id in replaced:
            written.delete(report_id)
            rows.pop(report_id)
        writers.write_batch(written, folder, ix.indexname, reports, sequence, progress)
        rows.update((r.id, {**r.summary(), "sequence": n}) for n, r in enumerate(reports, sequence))
        sequence += len(reports)
    segment_writer.commit(ix, written.segments)
    if progress:
        progress("index", written.passages, written.passages, "")
    return list(rows.values()), written.passages


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
        batches = read_report_batches(files, progress, summary.refused, overrides, root=roots,
                                      batch_passages=settings.get("build_batch_passages"))
        with _new_generation(index_dir) as generation:
            ix = whoosh_index.create_in(str(generation), make_schema())
            rows, summary.passages = _write_all(ix, generation, batches, progress)
            ix.close()
            if not rows:
                raise BuildError("没有一份报告能读入，索引保持原样：\n  " + "\n  ".join(summary.refused))
            summary.reports = stamp_arrivals(rows, served)
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
