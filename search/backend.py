"""The seam between the engine and whatever holds the passages: one interface, an implementation
per engine.

``search.engine.Engine`` (the library's public face) parses the query into a plan, checks paging,
caches pages, reranks, highlights and writes the plain dicts callers get. Everything that reads
the index goes through the two interfaces below, so nothing above this seam imports Whoosh or a
search client:

- a ``Backend`` is a served index: it names the ``Snapshot`` to answer from now (a new one after a
  build or a load) and turns an error met while reading into the error to report;
- a ``Snapshot`` is one consistent state of the index: its reports, filters and facet values,
  the passages a plan matches (``Matches``), stored passages by id, by report and in order for
  export, and suggestions for a query that found nothing.

Backends are named in ``BACKENDS`` by dotted path and imported when asked for, as Django and
Datasette load theirs: ``whoosh`` (``search.whoosh_index``, the default on one machine) and
``opensearch`` (``search.opensearch``, a cluster loaded by ``policy-search push``).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from .byte_lru import ByteLRU
from .errors import UserError
from .query.plan import QueryPlan

BACKENDS = {"whoosh": "search.whoosh_index.backend:WhooshBackend",
            "opensearch": "search.opensearch.backend:OpenSearchBackend"}


class Matches(Protocol):
    """The passages a plan matches within the filters."""

    total: int  # matched passages that pass the filters
    near_total: int  # of those, the ones that only nearly match (search.query.near)

    def tiers(self, keep: int) -> list[list[tuple[object, float | None, str | None]]]:
        """The best ``keep`` as (ref, backend score, "exact" | "near"), a list per tier: every exact
        match before any near one. An empty plan lists passages in reading order, with no score
        and no match. Not reranked (the engine reranks); ``Snapshot.fields(ref)`` reads one."""

    def every(self) -> Iterator[tuple[object, float | None, str | None]]:
        """Every match, as ``tiers`` would list them all, read as they are consumed (a download of
        every hit does not hold them all at once where the backend can page)."""

    def facets(self, limit: int) -> dict[str, list[dict]]:
        """Counts per facet value, each facet ignoring its own filter (``search.facets``)."""


class Snapshot(Protocol):
    name: str  # what anything computed from the contents is keyed by: it changes with them
    reports: dict[str, dict]  # report id -> its metadata, in index order

    def resolve(self, filters: dict[str, list[str]]) -> dict[str, list[str]]:
        """Filter values normalized (云阳 → 重庆市云阳县); unknown ones refused (UnknownFilter)."""

    def match(self, plan: QueryPlan, filters: dict[str, list[str]]) -> Matches:
        """What the plan matches within resolved filters (QueryTooBroad when it costs too much)."""

    def suggestions(self, plan: QueryPlan, filters: dict[str, list[str]]) -> list[dict]:
        """Queries that find something, for a plan that found nothing (``search.whoosh_index.suggest``)."""

    def fields(self, ref) -> dict:
        """The stored fields of a passage ``Matches.tiers`` named."""

    def report_of(self, ref) -> str:
        """The report id of a passage ``Matches.tiers`` named, without reading its stored fields."""

    def passage(self, passage_id: str) -> dict | None:
        """A live passage's stored fields, or None."""

    def neighbours(self, passage_id: str, before: int, after: int) -> tuple[list[dict], list[dict]]:
        """The stored fields of the passages before and after it in its report."""

    def report_passages(self, report_id: str) -> list[dict]:
        """A report's passages' stored fields, in reading order."""

    def export(self) -> Iterator[dict]:
        """Every live passage's stored fields, report after report, in reading order."""

    def passage_count(self) -> int: ...

    def info(self) -> dict:
        """What the snapshot is: where it lives, when it was built."""


class Backend(Protocol):
    def snapshot(self) -> Snapshot:
        """The state to answer from now."""

    def failure(self, exc: Exception) -> Exception | None:
        """What to raise instead of ``exc``, met while reading (IndexDamaged), or None."""


def open_backend(index_dir: Path, kind: str = "whoosh", cache: ByteLRU | None = None) -> Backend:
    """The backend ``kind`` over ``index_dir``, keeping what it computes per query in ``cache``."""
    if kind not in BACKENDS:
        raise UserError(f"没有“{kind}”这种检索后端：可用的有 {'、'.join(BACKENDS)}")
    module, _, name = BACKENDS[kind].partition(":")
    return getattr(importlib.import_module(module), name)(index_dir, cache=cache)
