"""Reading many report files for an index: each in a bounded worker, duplicates dropped.

Shared by the embedded index's ``build`` and ``add`` and by ``add`` on an OpenSearch cluster, so a
file is read, refused and told apart from a duplicate the same way whichever index it goes into.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from .. import settings
from ..documents import Report
from ..errors import escape_unprintable
from .duplicates import Deduplicator
from .header import Overrides
from .isolation import ReaderPool

# progress(stage, done, total, label): stage is "read" (reports) or "index" (passages).
Progress = Callable[[str, int, int, str], None]


def _read_in_order(files: list[Path], overrides: Overrides | None, root: Path | dict | None = None):
    """(report or None, refusal or None) for each file, in order. Each file is read in a worker
    process bounded in time and memory (search.reading.isolation), so a file that would crash,
    exhaust memory or hang costs its own refusal, and the others go on."""
    with ReaderPool(settings.get("build_procs") or None) as pool:
        yield from pool.read_many(files, overrides, root=root)


def read_reports(files: list[Path], progress: Progress | None, refused: list[str],
                 overrides: Overrides | dict | None = None, root: Path | dict | None = None) -> list[Report]:
    """Read every file once; a bad one is refused with its message, the others go on. ``root``:
    the folder the files were found in, or a dict of them by path (as str): a link leading out of
    it is refused. Duplicates are told by content (search.reading.duplicates)."""
    return [r for batch, _ in read_report_batches(files, progress, refused, overrides, root) for r in batch]


def read_report_batches(files: list[Path], progress: Progress | None, refused: list[str],
                        overrides: Overrides | dict | None = None, root: Path | dict | None = None,
                        batch_passages: int = 0):
    """``read_reports`` a batch at a time, for a build that cannot hold the whole collection: yields
    (the batch's reports, ids of reports of earlier batches that a fuller copy in this one
    replaced) each time about ``batch_passages`` passages are read (0: one batch of everything),
    and once at the end. Files are read ahead only as far as the reader processes go, so a batch
    being written holds the reading up, not the memory."""
    kept, held = Deduplicator(), 0
    for n, (path, (report, refusal)) in enumerate(zip(files, _read_in_order(files, overrides, root)), 1):
        if progress:
            progress("read", n, len(files), escape_unprintable(path.name))
        if report is None:
            refused.append(escape_unprintable(refusal))  # a worker's own message names the file as it is
            continue
        kept.add(report)
        held += len(report.passages)
        if batch_passages and held >= batch_passages and n < len(files):
            replaced, kept.replaced = kept.replaced, []
            yield kept.flush(), replaced
            held = 0
    refused.extend(kept.messages)
    replaced, kept.replaced = kept.replaced, []
    yield kept.flush(), replaced
