"""Adding and removing reports on a served cluster (``policy-search add|remove --opensearch``).

A change is made as ``push`` makes a load, on a copy, so readers never see half of it: the index
the alias names is cloned (``_clone`` hard-links its segments, so the copy costs about nothing and
its size does not matter), the clone takes the change (the replaced or removed reports' documents
deleted, the added ones written), is counted, and then the alias moves to it in one request and
the old index is deleted. While the clone is taken the served index refuses writes
(``index.blocks.write``); searches go on. A failure deletes the clone and lifts the block, and the
alias stays where it was. The new index has a new name, so every cache keyed by the snapshot's
name (``search.opensearch.backend``) starts afresh, as after a load.

Added reports are read as ``build`` reads them (``search.reading.batch``), and their documents
are the ones a push of a rebuilt index would write (``search.stored_fields``), placed after the
reports already there in reading order.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path

from opensearchpy.helpers import BulkIndexError, streaming_bulk

from ..documents import BuildSummary, stamp_arrivals
from ..errors import BuildError
from ..reading import Overrides
from ..reading.batch import Progress, read_reports
from ..stored_fields import stored_fields
from .mapping import passage_document, report_document
from .push import bulk_refused

PASSAGES = {"term": {"doc_type": "passage"}}


def add(files: list[Path], client, alias: str, progress: Progress | None = None,
        overrides: Overrides | None = None) -> BuildSummary:
    """Add reports to the index ``alias`` names, or replace them (same place, type and year, so
    the same report id), without loading the others again."""
    started = time.perf_counter()
    summary = BuildSummary(index_dir=alias)
    source = served_index(client, alias)
    reports = read_reports(files, progress, summary.refused, overrides)
    if not reports:
        raise BuildError("没有一份报告能读入，集群中的索引保持原样：\n  " + "\n  ".join(summary.refused))
    new_ids = [r.id for r in reports]
    old_reports = _reports(client, source)
    summary.replaced = [r for r in old_reports if r["id"] in new_ids]
    first_sequence = 1 + max((r.get("sequence", -1) for r in old_reports), default=-1)
    added = stamp_arrivals([{**r.summary(), "sequence": n} for n, r in enumerate(reports, first_sequence)],
                           summary.replaced)

    def write(target: str) -> None:
        _delete_reports(client, target, new_ids)
        order = 1 + _last_order(client, target)
        documents = []
        for report, row in zip(reports, added):
            documents.append({"_index": target, "_id": f"report:{report.id}",
                              "_source": report_document(row, row["sequence"])})
            for passage in report.passages:
                documents.append({"_index": target, "_id": passage.id,
                                  "_source": passage_document(stored_fields(passage, report), order)})
                order += 1
        _bulk(client, documents)

    summary.added = added
    summary.reports = [r for r in old_reports if r["id"] not in new_ids] + added
    summary.passages = sum(r["passage_count"] for r in summary.reports)
    _change(client, alias, source, write, summary.passages)
    summary.seconds = time.perf_counter() - started
    return summary


def remove(report_ids: list[str], client, alias: str) -> BuildSummary:
    """Drop reports by id from the index ``alias`` names; unknown ids are refused and nothing changes."""
    started = time.perf_counter()
    source = served_index(client, alias)
    old_reports = _reports(client, source)
    known = {r["id"] for r in old_reports}
    unknown = [rid for rid in report_ids if rid not in known]
    if unknown:
        raise BuildError(f"集群中的索引 {alias} 里没有这些报告：{'、'.join(unknown)}；"
                         f"`policy-search reports --opensearch URL` 列出现有报告的编号。")
    summary = BuildSummary(index_dir=alias, reports=[r for r in old_reports if r["id"] not in report_ids])
    summary.passages = sum(r["passage_count"] for r in summary.reports)
    _change(client, alias, source, lambda target: _delete_reports(client, target, list(report_ids)),
            summary.passages)
    summary.seconds = time.perf_counter() - started
    return summary


def served_index(client, alias: str) -> str:
    """The index ``alias`` names now."""
    indices = list(client.indices.get_alias(name=alias)) if client.indices.exists_alias(name=alias) else []
    if not indices:
        raise BuildError(f"集群中没有别名 {alias}：请先用 policy-search push 载入一个索引")
    return indices[0]


def _change(client, alias: str, source: str, write, passages: int) -> None:
    """Clone ``source``, let ``write(clone)`` change the clone, check it holds ``passages``
    passages, then move ``alias`` to it and delete ``source``."""
    target = f"{alias}-{datetime.now(timezone.utc).strftime('%Y%m%d%H%M%S%f')}"
    client.indices.put_settings(index=source, body={"index": {"blocks": {"write": True}}})
    try:
        # A clone copies the last commit, not what is only refreshed: flush first.
        client.indices.flush(index=source)
        # A clone does not copy the replica count (it would get the cluster's default): set it.
        replicas = int(client.indices.get_settings(index=source)[source]["settings"]["index"]["number_of_replicas"])
        client.indices.clone(index=source, target=target, body={"settings": {"index": {"number_of_replicas": replicas}}},
                             params={"wait_for_active_shards": "1"})
        try:
            client.indices.put_settings(index=target, body={"index": {"blocks": {"write": False}}})
            write(target)
            client.indices.refresh(index=target)
            meta = client.indices.get_mapping(index=target)[target]["mappings"].get("_meta", {})
            client.indices.put_mapping(index=target, body={"_meta": {
                **meta, "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "passages": passages}})
            client.cluster.health(index=target, wait_for_status="green" if replicas else "yellow", timeout="120s",
                                  params={"request_timeout": 130})
            loaded = client.count(index=target, body={"query": PASSAGES})["count"]
            if loaded != passages:
                raise BuildError(f"改动不完整：应有 {passages} 段，集群中只有 {loaded} 段；别名 {alias} 没有改动")
            client.indices.update_aliases(body={"actions": [{"remove": {"index": source, "alias": alias}},
                                                            {"add": {"index": target, "alias": alias}}]})
        except BaseException as exc:
            client.indices.delete(index=target, ignore_unavailable=True)
            if isinstance(exc, BulkIndexError):
                raise bulk_refused(exc, alias) from None
            raise
    except BaseException:
        client.indices.put_settings(index=source, body={"index": {"blocks": {"write": False}}})
        raise
    client.indices.delete(index=source, ignore_unavailable=True)


def _reports(client, index: str) -> list[dict]:
    """The reports an index holds, in their sequence."""
    from opensearchpy.helpers import scan

    rows = [h["_source"]["report"] for h in scan(client, index=index, _source=["report"],
                                                 query={"query": {"term": {"doc_type": "report"}}})]
    return sorted(rows, key=lambda r: r.get("sequence", 0))


def _delete_reports(client, index: str, report_ids: list[str]) -> None:
    """Delete the reports' documents and their passages' (a replacement may hold other passages).
    Passages are found by a search and deleted in bulk: ``_delete_by_query`` needs the reindex
    module, which a cluster may lack (the local nodes of ``search.opensearch.node`` do)."""
    from opensearchpy.helpers import scan

    query = {"query": {"bool": {"filter": [PASSAGES, {"terms": {"report_id": report_ids}}]}}}
    client.indices.refresh(index=index)  # what the search finds must be all there is
    ids = [h["_id"] for h in scan(client, index=index, query=query, _source=False)]
    ids += [f"report:{rid}" for rid in report_ids]
    _bulk(client, [{"_op_type": "delete", "_index": index, "_id": i} for i in ids], missing_ok=True)


def _last_order(client, index: str) -> int:
    """The last passage's place in reading order (-1 in an empty index)."""
    aggs = client.search(index=index, body={"size": 0, "query": PASSAGES,
                                            "aggs": {"last": {"max": {"field": "order"}}}})["aggregations"]
    return int(aggs["last"]["value"]) if aggs["last"]["value"] is not None else -1


def _bulk(client, actions: list[dict], missing_ok: bool = False) -> None:
    """Send the actions in bulk requests, retrying rejected batches; a document that still fails
    raises (a delete of a document that is not there is no failure with ``missing_ok``)."""
    for ok, item in streaming_bulk(client, actions, chunk_size=1000, max_retries=6, initial_backoff=1,
                                   max_backoff=30, raise_on_error=not missing_ok, raise_on_exception=True,
                                   request_timeout=120):
        if not ok and item.get("delete", {}).get("status") != 404:
            raise BuildError(f"集群拒绝了一项改动：{item}")
