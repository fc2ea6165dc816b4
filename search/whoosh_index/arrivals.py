"""When each report came into the index: ``added_at`` on its record in the generation's metadata.

Saved searches' feeds (``search.saved``) list the passages of the reports that came in since a
reader last looked, so the time is kept per report, outside the Whoosh schema: a build or an add
stamps the reports it brings in, and keeps the time of a report that was already served with the
same contents (same id and checksum). A rebuild of the same folder therefore makes nothing new, and
a corrected file is new again. ``policy-search push`` copies the records, times included.
"""

from __future__ import annotations

from pathlib import Path

from . import store


def served_reports(index_dir: Path) -> list[dict]:
    """The served generation's report records, or none when there is no readable one (a first
    build, or a build that replaces a damaged index: its reports count as new)."""
    generation = store.current_generation(index_dir)
    if generation is None:
        return []
    meta, problem = store._load_meta(generation)
    if problem:
        return []
    fallback = meta.get("built_at")  # an index built before reports had times
    return [{**r, "added_at": r.get("added_at") or fallback} for r in meta["reports"]]
