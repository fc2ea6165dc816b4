"""An OpenSearch cluster as a backend (``search.backend``): the index an alias names, and what a
query matches in it.

A load (``policy-search push``) writes a new index and moves the alias, so the index behind the
alias is the snapshot: its name changes with its contents, as a Whoosh generation's does. The
alias is looked up at most once a second. What the snapshot answers is what the Whoosh backend
answers (``tests/test_opensearch_parity.py``): matching is ``search.opensearch.dsl`` plus near
matches (``search.opensearch.near``); facets are disjunctive (``post_filter``, and each facet's
``terms`` under a filter of the other facets); totals are exact (``track_total_hits``); past
``index.max_result_window`` results are read with ``search_after`` in a point in time.
"""

from __future__ import annotations

import threading
import time

from .. import settings
from ..byte_lru import ByteLRU
from ..errors import ClusterUnavailable, UserError
from ..facets import FACETS, FacetNames
from ..query.plan import QueryPlan
from . import dsl
from .client import connect, unavailable
from .mapping import FACET_FIELDS
from .near import near_ids
from .suggest import suggestions

WINDOW = 10_000  # index.max_result_window: deeper reads go through search_after
FACET_SIZE = 20_000  # more than any facet's values (about 3,200 places), so every count is exact
ALIAS_TTL = 1.0  # seconds between looks at which index the alias names


class OpenSearchBackend:
    def __init__(self, index_dir=None, cache: ByteLRU | None = None, url: str | None = None,
                 alias: str | None = None, client=None):
        self.url = url or settings.get("opensearch_url")
        self.alias = alias or settings.get("opensearch_alias")
        self.client = client or connect(self.url)
        self.cache = cache if cache is not None else ByteLRU(settings.get("cache_mb") * 2**20)
        self._lock = threading.Lock()
        self._snap: Snapshot | None = None
        self._checked = 0.0

    def snapshot(self) -> "Snapshot":
        snap = self._snap
        if snap is not None and time.monotonic() - self._checked < ALIAS_TTL:
            return snap
        with self._lock:
            try:
                indices = list(self.client.indices.get_alias(name=self.alias))
            except Exception as exc:
                raise self.failure(exc) or exc
            if not indices:
                raise ClusterUnavailable(f"OpenSearch 集群 {self.url} 中没有别名 {self.alias}：请先运行 policy-search push")
            if self._snap is None or self._snap.name != indices[0]:
                try:
                    self._snap = Snapshot(self, indices[0])
                except Exception as exc:
                    raise self.failure(exc) or exc
            self._checked = time.monotonic()
            return self._snap

    def failure(self, exc: Exception) -> Exception | None:
        if isinstance(exc, UserError):
            return None
        if getattr(exc, "status_code", None) == 404 and self._snap is None:
            return ClusterUnavailable(f"OpenSearch 集群 {self.url} 中没有别名 {self.alias}：请先运行 policy-search push")
        return unavailable(exc, self.url)


class Snapshot:
    """One loaded index (``search.backend.Snapshot``)."""

    def __init__(self, backend: OpenSearchBackend, index: str):
        self.client, self.name, self.cache = backend.client, index, backend.cache
        health = self.client.cluster.health(index=index)
        if health["status"] == "red":
            raise ClusterUnavailable(f"OpenSearch 集群状态为 red（索引 {index} 有分片不可用）")
        self.url = backend.url
        self.meta = self.client.indices.get_mapping(index=index)[index]["mappings"].get("_meta", {})
        self.reports = {h["_source"]["report"]["id"]: h["_source"]["report"]
                        for h in self.scan({"term": {"doc_type": "report"}}, ["report"])}
        self.names = FacetNames(list(self.reports.values()))
        aggs = self.search({"size": 0, "query": dsl.query_all(), "aggs": _terms_aggs()})["aggregations"]
        self.totals = {f: {b["key"]: b["doc_count"] for b in aggs[f]["buckets"]} for f in FACET_FIELDS}

    # -- reading ---------------------------------------------------------------------------------

    def search(self, body: dict, **params) -> dict:
        return self.client.search(index=self.name, body=body, **params)

    def scan(self, query: dict, source, sort=({"order": "asc"},), limit: int | None = None):
        """Every source the query matches in ``sort`` order (ties by id), read a page at a time
        with search_after in a point in time, so deep reads see one consistent state."""
        pit = self.client.create_pit(index=self.name, params={"keep_alive": "1m"})["pit_id"]
        try:
            after, seen = None, 0
            while limit is None or seen < limit:
                size = WINDOW if limit is None else min(WINDOW, limit - seen)
                body = {"size": size, "query": query, "_source": source, "pit": {"id": pit, "keep_alive": "1m"},
                        "sort": [*sort, {"id": "asc"}], "track_total_hits": False}
                if after is not None:
                    body["search_after"] = after
                hits = self.client.search(body=body)["hits"]["hits"]
                for hit in hits:
                    yield hit
                seen += len(hits)
                if len(hits) < size:
                    return
                after = hits[-1]["sort"]
        finally:
            self.client.delete_pit(body={"pit_id": [pit]})

    # -- the Snapshot interface ------------------------------------------------------------------

    def resolve(self, filters: dict) -> dict:
        return self.names.resolve(filters, self.totals.__getitem__)

    def match(self, plan: QueryPlan, filters: dict) -> "Matches":
        return Matches(self, plan, filters)

    def suggestions(self, plan: QueryPlan, filters: dict) -> list[dict]:
        return suggestions(self, plan, filters)

    def fields(self, ref: dict) -> dict:
        return ref

    def passage(self, passage_id: str) -> dict | None:
        found = self.client.mget(index=self.name, body={"ids": [passage_id]})["docs"][0]
        return found["_source"] if found.get("found") and found["_source"].get("doc_type") == "passage" else None

    def neighbours(self, passage_id: str, before: int, after: int) -> tuple[list[dict], list[dict]]:
        fields = self.passage(passage_id)
        same = [dsl.PASSAGES, {"term": {"report_id": fields["report_id"]}}]

        def side(op: str, order: str, size: int) -> list[dict]:
            if size <= 0:
                return []
            body = {"size": size, "sort": [{"order": order}],
                    "query": {"bool": {"filter": [*same, {"range": {"order": {op: fields["order"]}}}]}}}
            return [h["_source"] for h in self.search(body)["hits"]["hits"]]

        return side("lt", "desc", before)[::-1], side("gt", "asc", after)

    def report_passages(self, report_id: str) -> list[dict]:
        query = {"bool": {"filter": [dsl.PASSAGES, {"term": {"report_id": report_id}}]}}
        return [h["_source"] for h in self.scan(query, True)]

    def export(self):
        for hit in self.scan(dsl.query_all(), True):
            yield hit["_source"]

    def passage_count(self) -> int:
        return self.client.count(index=self.name, body={"query": dsl.query_all()})["count"]

    def info(self) -> dict:
        return {"index": f"{self.url} {self.name}", "built_at": self.meta.get("built_at")}


def _terms_aggs(filters: dict | None = None) -> dict:
    """Each facet's counts, under a filter of every *other* facet's selection."""
    filters = filters or {}
    return {f: {"filter": {"bool": {"filter": dsl.filters(filters, skip=f)}},
                "aggs": {"values": {"terms": {"field": f, "size": FACET_SIZE}}}} if filters else
            {"terms": {"field": f, "size": FACET_SIZE}} for f in FACET_FIELDS}


class Matches:
    """What a plan matches within resolved filters (``search.backend.Matches``)."""

    def __init__(self, snap: Snapshot, plan: QueryPlan, filters: dict):
        self.snap, self.plan, self.filters = snap, plan, filters
        self.exact = dsl.query(plan)
        self.query, self.near = self.exact, None
        if not plan.is_empty:
            extra = self._nearly()
            if any(extra):
                self.query = dsl.query(plan, [[{"ids": {"values": ids}}] if ids else [] for ids in extra])
                self.near = {"bool": {"must": [self.query], "must_not": [self.exact]}}
        body = {"size": 0, "track_total_hits": True, "query": self.query, "aggs": _terms_aggs(filters)}
        if filters:
            body["post_filter"] = {"bool": {"filter": dsl.filters(filters)}}
        found = snap.search(body)
        self.total = found["hits"]["total"]["value"]
        aggs = found["aggregations"]
        self._counts = {f: {b["key"]: b["doc_count"] for b in (aggs[f]["values"] if filters else aggs[f])["buckets"]}
                        for f in FACET_FIELDS}
        self.near_total = 0
        if self.near is not None:
            self.near_total = snap.client.count(index=snap.name, body={"query": self._filtered(self.near)})["count"]

    def _nearly(self) -> list[list[str]]:
        """Per AND group, the passages that nearly match one of its unquoted terms (cached per plan)."""
        key = ("os-near", self.snap.name, self.plan.key)
        cached = self.snap.cache.get(key)
        if cached is None:
            cached = []
            for group in self.plan.groups:
                exact = dsl.group(group)
                ids = {i for t in group if not t.phrase for s in t.searched for i in near_ids(self.snap.search, s, exact)}
                cached.append(sorted(ids))
            self.snap.cache.put(key, cached)
        return cached

    def _filtered(self, query: dict) -> dict:
        return {"bool": {"must": [query], "filter": dsl.filters(self.filters)}} if self.filters else query

    def tiers(self, keep: int) -> list[list[tuple[dict, float | None, str | None]]]:
        if self.plan.is_empty:
            return [self._top(self.exact, keep, None, [{"order": "asc"}])]
        out, found = [], 0
        for query, kind in ((self.exact, "exact"), (self.near, "near")):
            if query is not None and found < keep:
                best = self._top(query, keep - found, kind)
                out.append(best)
                found += len(best)
        return out

    def _top(self, query: dict, keep: int, kind: str | None, sort=({"_score": "desc"}, {"order": "asc"})) -> list:
        """The best ``keep`` (source, score, kind); ties in reading order, as the Whoosh index
        breaks them by document number."""
        query = self._filtered(query)
        if keep <= WINDOW:
            body = {"size": keep, "query": query, "sort": list(sort), "track_total_hits": False}
            hits = self.snap.search(body)["hits"]["hits"]
        else:
            hits = list(self.snap.scan(query, True, sort=sort, limit=keep))
        scored = kind is not None
        return [(h["_source"], float(h["sort"][0]) if scored else None, kind) for h in hits]

    def facets(self, limit: int) -> dict:
        return {f.name: self.snap.names.rows(f.name, self._counts[f.name], self.filters.get(f.name, []), limit)
                for f in FACETS}
