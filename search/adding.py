"""Looking at report files before they are indexed, and adding them to the embedded index: what
``policy-search inspect`` and ``add`` do, and the site's admin pages (``webui.admin``) too.

Every file is read in a bounded worker process (``search.reading.isolation``), so a file that would
crash, exhaust memory or hang is refused with one line like any other bad file. The add itself is
``search.whoosh_index.indexing.add``: a new generation, served only once complete, so a crash
halfway leaves the served index as it was.

What a user says about a file (place, year, type) may differ per file: ``overrides`` is one
``Overrides`` for all, or a dict of them by path (as str). ``roots``, likewise by path, is the
folder each file was found in; what lies between it and the file (folder names, the file name) is
evidence for place and year.
"""

from __future__ import annotations

from pathlib import Path

from .documents import TYPES
from .errors import BadParameter, escape_unprintable
from .reading import Overrides

# Years a report may be of: the first reports we know of are from the 1950s.
FIRST_YEAR, LAST_YEAR = 1949, 2100


def overrides_for(place: str = "", year: str | int | None = None, rtype: str = "",
                  said: str = "指定") -> Overrides:
    """What a user says about a file, checked before anything is read: an unknown or ambiguous
    place, a year that is not one, or a type we do not index is refused with BadParameter."""
    from .reading.places import lookup

    place, rtype = (place or "").strip(), (rtype or "").strip()
    if place:
        found = lookup(place)
        if not found:
            raise BadParameter(f"不认识地区“{escape_unprintable(place)}”：请写简称、全称或区划代码"
                               "（如 涪陵、重庆市涪陵区、500102）。")
        if len(found) > 1:
            raise BadParameter(f"“{escape_unprintable(place)}”可以指多个地区：{'、'.join(p.full for p in found)}；"
                               "请写全称。")
    if year not in (None, ""):
        text = str(year).strip()
        if not text.isascii() or not text.isdigit() or not FIRST_YEAR <= int(text) <= LAST_YEAR:
            raise BadParameter(f"年份须是 {FIRST_YEAR} 到 {LAST_YEAR} 之间的四位数，不是“{escape_unprintable(text)}”。")
        year = int(text)
    else:
        year = None
    if rtype and rtype not in TYPES:
        raise BadParameter(f"报告类型只能是 {'、'.join(TYPES)} 之一，不是“{escape_unprintable(rtype)}”。")
    return Overrides(place=place or None, year=year, type=rtype or None, said=said)


def inspect_files(paths: list[Path], overrides: Overrides | dict | None = None,
                  roots: dict | None = None, processes: int | None = None) -> list[dict]:
    """What would be indexed from each file, in order: ``search.reading.inspect``'s dict, or
    ``{"file": …, "refused": why}`` for a file that would be refused. ``processes`` files are read
    at once (default: one per core)."""
    from .reading.isolation import ReaderPool, inspect_one

    paths = [Path(p) for p in paths]
    with ReaderPool(processes=processes, reader=inspect_one) as pool:
        outcomes = list(pool.read_many(paths, overrides, root=roots))
    return [info if info is not None else {"file": str(path), "refused": escape_unprintable(refusal)}
            for path, (info, refusal) in zip(paths, outcomes)]


def add_files(paths: list[Path], index_dir: Path, overrides: Overrides | dict | None = None,
              roots: dict | None = None, progress=None):
    """Add the reports in ``paths`` to the index in ``index_dir``, replacing any with the same
    place, type and year; the ``BuildSummary`` says what was added, replaced and refused. Raises
    BuildError, the index unchanged, when no file could be read."""
    from .whoosh_index.indexing import add

    return add([Path(p) for p in paths], Path(index_dir), progress=progress, overrides=overrides, root=roots)
