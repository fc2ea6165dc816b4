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

import logging
import threading
import time

from .. import settings
from ..byte_lru import ByteLRU
from ..errors import ClusterUnavailable, UserError
from ..facets import FACETS, FacetNames
from ..query.plan import QueryPlan
from ..query.rank import RERANK_DEPTH
from . import dsl
from .candidates import (CANDIDATE_FIELDS, RESCORED_DEPTH, CandidateEvaluator, Statistics, plan_terms,
                         pool_size)
from .client import connect, refused, unavailable
from .mapping import FACET_FIELDS, TOKEN_FIELDS
from .near import near_kept, near_requests
from .suggest import suggestions

WINDOW = 10_000  # index.max_result_window: deeper reads go through search_after
FACET_SIZE = 20_000  # more than any facet's values (about 3,200 places), so every count is exact
ALIAS_TTL = 1.0  # seconds between looks at which index the alias names

log = logging.getLogger(__name__)


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
        mappings = self.client.indices.get_mapping(index=index)[index]["mappings"]
        self.meta = mappings.get("_meta", {})
        self.reports = {h["_source"]["report"]["id"]: h["_source"]["report"]
                        for h in self.scan({"term": {"doc_type": "report"}}, ["report"])}
        self.names = FacetNames(list(self.reports.values()))
        lengths = {f"length_{f}": {"sum": {"field": f"lengths.{f}"}} for f in TOKEN_FIELDS}
        found = self.search({"size": 0, "query": dsl.query_all(), "track_total_hits": True,
                             "aggs": {**_terms_aggs(), **lengths}})
        aggs = found["aggregations"]
        self.totals = {f: {b["key"]: b["doc_count"] for b in aggs[f]["buckets"]} for f in FACET_FIELDS}
        properties = mappings.get("properties", {})
        self.stats = Statistics(self, found["hits"]["total"]["value"],
                                {f: int(aggs[f"length_{f}"]["value"] or 0) for f in TOKEN_FIELDS},
                                words_stored=bool(properties.get("words", {}).get("store")))
        if not self.stats.complete and self.stats.passages:
            log.warning("索引 %s 由旧版 push 写入，没有段落的词长和分词：结果按 OpenSearch 的 BM25 排序，"
                        "与 Whoosh 索引的次序会有出入；重新运行 policy-search push 即可一致", index)

    # -- reading ---------------------------------------------------------------------------------

    def search(self, body: dict, **params) -> dict:
        return self.client.search(index=self.name, body=body, **params)

    def msearch(self, bodies: list[dict]) -> list[dict]:
        """The answers to several searches sent in one round trip; a search the cluster refused
        raises its error, as a search of its own would."""
        if not bodies:
            return []
        lines = [line for body in bodies for line in ({}, body)]
        answers = self.client.msearch(index=self.name, body=lines)["responses"]
        for answer in answers:
            if "error" in answer:
                raise refused(answer)
        return answers

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

    def report_of(self, ref: dict) -> str:
        return ref["report_id"]

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
    """What a plan matches within resolved filters (``search.backend.Matches``).

    A cold query costs two round trips (one when no term can be nearly matched): every term's
    near-match candidates in one ``_msearch``, then one ``_msearch`` of the counting search (the
    total, the near total as a ``filter`` aggregation, the facets), a search per tier for its
    first candidates (``rescore_pool``: the engine reranks the first ``RERANK_DEPTH`` of every first
    page, and these are scored as Whoosh scores to choose them, ``search.opensearch.candidates``),
    and a count of each of the query's tokens not yet counted (their document frequencies, kept per
    snapshot). Deeper pages ask again."""

    def __init__(self, snap: Snapshot, plan: QueryPlan, filters: dict):
        self.snap, self.plan, self.filters = snap, plan, filters
        self.exact = dsl.query(plan)
        self.query, self.near = self.exact, None
        if not plan.is_empty:
            extra = self._nearly()
            if any(extra):
                self.query = dsl.query(plan, [[{"ids": {"values": ids}}] if ids else [] for ids in extra])
                self.near = {"bool": {"must": [self.query], "must_not": [self.exact]}}
        aggs = _terms_aggs(filters)
        if self.near is not None:
            aggs["near_total"] = {"filter": self._filtered(self.near)}
        # Aggregations ignore the post_filter: the facets count every value, the total only
        # what is within the filters. The counting search scores every match (track_total_hits);
        # the tiers' searches score only what can still make the top (track_total_hits false),
        # so they stay separate searches, sent together (hits in the counting search measured
        # slower: bench/RESULTS.md).
        counts = {"track_total_hits": True, "query": self.query, "aggs": aggs, "size": 0}
        if filters:
            counts["post_filter"] = {"bool": {"filter": dsl.filters(filters)}}
        tiers = [self.exact] if self.near is None else [self.exact, self.near]
        # Scored as Whoosh scores (search.opensearch.candidates): more candidates than the first
        # page reranks, and the document frequencies that scoring them needs, in the same trip.
        self.pool = pool_size()
        self.rescore = bool(self.pool) and not plan.is_empty and snap.stats.complete
        # Per tier, how many first hits are asked: the exact tier's whole pool; the near tier's
        # first RERANK_DEPTH, since it is needed only when the exact tier does not fill a first
        # page, and then its pool is asked for (``_top``).
        self.asked = [self.pool if self.rescore else RERANK_DEPTH, RERANK_DEPTH]
        self.unscored = 0  # candidates the Python evaluation did not match (the tests hold it to 0)
        counted = snap.stats.missing(plan_terms(plan)) if self.rescore else []
        found, *tops = snap.msearch([counts, *(self._top_body(q, n) for q, n in zip(tiers, self.asked)),
                                     *(snap.stats.count_body(f, t) for f, t in counted)])
        tops, frequencies = tops[:len(tiers)], tops[len(tiers):]
        snap.stats.learn(counted, frequencies)
        self.total = found["hits"]["total"]["value"]
        aggs = found["aggregations"]
        self._counts = {f: {b["key"]: b["doc_count"] for b in (aggs[f]["values"] if filters else aggs[f])["buckets"]}
                        for f in FACET_FIELDS}
        self.near_total = aggs["near_total"]["doc_count"] if self.near is not None else 0
        self._first = [t["hits"]["hits"] for t in tops]  # of each tier, in _top's order

    def _nearly(self) -> list[list[str]]:
        """Per AND group, the passages that nearly match one of its unquoted terms (cached per
        plan): every term's candidates asked in one round trip."""
        key = ("os-near", self.snap.name, self.plan.key)
        cached = self.snap.cache.get(key)
        if cached is None:
            asked = []  # (group, searched, its two searches)
            for n, group in enumerate(self.plan.groups):
                exact = dsl.group(group)
                for s in (s for t in group if not t.phrase for s in t.searched):
                    bodies = near_requests(s, exact)
                    if bodies:
                        asked.append((n, s, bodies))
            answers = iter(self.snap.msearch([b for _, _, bodies in asked for b in bodies]))
            ids: list[set[str]] = [set() for _ in self.plan.groups]
            for n, s, _ in asked:
                ids[n].update(near_kept(s, next(answers), next(answers)))
            cached = [sorted(i) for i in ids]
            self.snap.cache.put(key, cached)
        return cached

    def _filtered(self, query: dict) -> dict:
        return {"bool": {"must": [query], "filter": dsl.filters(self.filters)}} if self.filters else query

    def _sort(self) -> list[dict]:
        """Best first, ties in reading order, as the Whoosh index breaks them by document number;
        an empty plan in reading order."""
        return [{"order": "asc"}] if self.plan.is_empty else [{"_score": "desc"}, {"order": "asc"}]

    def _top_body(self, query: dict, keep: int) -> dict:
        """A search for the best ``keep`` of ``query`` within the filters (with what scoring them
        again needs, when they will be)."""
        body = {"size": keep, "query": self._filtered(query), "sort": self._sort(), "track_total_hits": False}
        return {**body, **CANDIDATE_FIELDS} if self.rescore else body

    def tiers(self, keep: int) -> list[list[tuple[dict, float | None, str | None]]]:
        if self.plan.is_empty:
            return [self._top(0, self.exact, keep, None)]
        out, found = [], 0
        for n, (query, kind) in enumerate(((self.exact, "exact"), (self.near, "near"))):
            if query is not None and found < keep:
                best = self._top(n, query, keep - found, kind)
                out.append(best)
                found += len(best)
        return out

    def _top(self, tier: int, query: dict, keep: int, kind: str | None) -> list:
        """The best ``keep`` (source, score, kind) of a tier: from the first hits when they hold
        them (or are all there is), else asked again. Scored ones are the cluster's first
        ``keep + pool - RERANK_DEPTH`` scored again as Whoosh scores them (``_rescored``), up to
        ``RESCORED_DEPTH``; deeper, the cluster's own order."""
        first, scored = self._first[tier], kind is not None
        if self.rescore and scored and keep > RESCORED_DEPTH:
            # The first RESCORED_DEPTH as a shallower page has them, then the cluster's order.
            head = self._top(tier, query, RESCORED_DEPTH, kind)
            seen = {source["id"] for source, _, _ in head}
            rest = [hit for hit in self._top(tier, query, keep + len(head), None) if hit[0]["id"] not in seen]
            return (head + [(source, None, kind) for source, _, _ in rest])[:keep]
        rescore = self.rescore and scored
        want = keep + self.pool - RERANK_DEPTH if rescore else keep
        if want <= len(first) or len(first) < self.asked[tier]:
            hits = first[:want]
        elif want <= WINDOW:
            hits = self.snap.search(self._top_body(query, want))["hits"]["hits"]
        else:
            hits = list(self.snap.scan(self._filtered(query), True, sort=self._sort(), limit=want))
        if rescore:
            return self._rescored(hits, kind)[:keep]
        return [(h["_source"], float(h["sort"][0]) if scored else None, kind) for h in hits][:keep]

    def _rescored(self, hits: list[dict], kind: str) -> list[tuple]:
        """Candidates in Whoosh's order, with Whoosh's scores (``search.opensearch.candidates``),
        ties in reading order; one the evaluation did not match (none should be) after them, in
        the cluster's order."""
        scores = CandidateEvaluator(hits, self.snap.stats).scores(self.plan)
        matched = sorted((h["_source"] for h in hits if h["_source"]["id"] in scores),
                         key=lambda source: (-scores[source["id"]], source["order"]))
        rest = [(h["_source"], float(h["sort"][0]), kind) for h in hits if h["_source"]["id"] not in scores]
        self.unscored += len(rest)
        return [(source, scores[source["id"]], kind) for source in matched] + rest

    def every(self):
        """Every match, tier after tier: each tier's first ``RERANK_DEPTH`` as ``tiers`` ranks them,
        then the rest read with search_after in a point in time (``Snapshot.scan``)."""
        if self.plan.is_empty:
            for hit in self.snap.scan(self._filtered(self.exact), True, sort=self._sort()):
                yield hit["_source"], None, None
            return
        for tier, (query, kind) in enumerate(((self.exact, "exact"), (self.near, "near"))):
            if query is not None:
                # The head as ``tiers`` ranks it, so a download's first rows are the first page's.
                head = self._top(tier, query, RERANK_DEPTH, kind) if self.rescore else []
                yield from head
                seen = {source["id"] for source, _, _ in head}
                for hit in self.snap.scan(self._filtered(query), True, sort=self._sort()):
                    if hit["_source"]["id"] not in seen:
                        yield hit["_source"], float(hit["sort"][0]), kind

    def facets(self, limit: int) -> dict:
        return {f.name: self.snap.names.rows(f.name, self._counts[f.name], self.filters.get(f.name, []), limit)
                for f in FACETS}
