"""Loading an index into a cluster (``policy-search push``): a new index, then the alias moved.

Passages stream from the embedded index (``Engine.export``) in bulk requests. A rejected batch
(429, a busy node) is retried with exponential backoff by ``streaming_bulk``; a document that
still fails stops the load, and the alias stays where it was. Document ids are passage ids, so a
retried or repeated load writes the same documents again instead of duplicates. Readers see the
previous index until the alias moves in one atomic request; the index it named is deleted only
after that, as a build keeps the served generation until the switch.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Callable

from opensearchpy.helpers import BulkIndexError, streaming_bulk

from ..backend import open_backend
from ..engine import Engine
from ..errors import BuildError
from .mapping import index_body, passage_document, report_document

CHUNK = 1000  # documents per bulk request: about 2 MB of passages with their token strings


def push(index_dir, client, alias: str, progress: Callable[[int, int], None] | None = None,
         shards: int = 1, replicas: int = 0, chunk: int = CHUNK, max_retries: int = 6) -> dict:
    """Load the index at ``index_dir`` into a new index and point ``alias`` at it; returns
    {"index", "passages", "reports", "seconds", "previous"}."""
    started = time.perf_counter()
    engine = Engine(index_dir, backend=open_backend(index_dir, "whoosh"))
    reports = engine.reports()
    total = sum(r.get("passage_count", 0) for r in reports)
    name = f"{alias}-{datetime.now(timezone.utc).strftime('%Y%m%d%H%M%S%f')}"
    body = index_body(shards, replicas=0)  # replicas come after the load: one copy is written, then copied
    body["mappings"]["_meta"] = {"built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                                 "generation": engine.generation_name(), "passages": total}
    if client.indices.exists(index=alias) and not client.indices.exists_alias(name=alias):
        raise BuildError(f"集群中已有名为 {alias} 的索引（不是别名）：请换一个 --alias")
    client.indices.create(index=name, body=body)
    try:
        def actions():
            for n, report in enumerate(reports):
                yield {"_index": name, "_id": f"report:{report['id']}", "_source": report_document(report, n)}
            for n, stored in enumerate(engine.generation().export()):
                yield {"_index": name, "_id": stored["id"], "_source": passage_document(stored, n)}

        done = 0
        for ok, item in streaming_bulk(client, actions(), chunk_size=chunk, max_retries=max_retries,
                                       initial_backoff=1, max_backoff=30, raise_on_error=True, request_timeout=120):
            done += 1
            if progress and done % chunk == 0:
                progress(max(0, done - len(reports)), total)
        passages = done - len(reports)
        if progress:
            progress(passages, total)
        client.indices.put_settings(index=name, body={"index": {"refresh_interval": "1s", "number_of_replicas": replicas}})
        client.indices.refresh(index=name)
        client.cluster.health(index=name, wait_for_status="green" if replicas else "yellow", timeout="120s",
                              params={"request_timeout": 130})
        loaded = client.count(index=name, body={"query": {"term": {"doc_type": "passage"}}})["count"]
        if loaded != passages:
            raise BuildError(f"载入不完整：写入 {passages} 段，集群中只有 {loaded} 段；别名 {alias} 没有改动")
    except BaseException as exc:
        client.indices.delete(index=name, ignore_unavailable=True)
        if isinstance(exc, BulkIndexError):
            raise bulk_refused(exc, alias) from None
        raise
    previous = list(client.indices.get_alias(name=alias)) if client.indices.exists_alias(name=alias) else []
    moves = [{"remove": {"index": old, "alias": alias}} for old in previous] + [{"add": {"index": name, "alias": alias}}]
    client.indices.update_aliases(body={"actions": moves})
    for old in previous:
        client.indices.delete(index=old, ignore_unavailable=True)
    return {"index": name, "passages": passages, "reports": len(reports), "previous": previous,
            "seconds": time.perf_counter() - started}


def bulk_refused(exc: BulkIndexError, alias: str) -> BuildError:
    """The user's line for documents the cluster still refused after the retries (a node lost
    during the load, a shard not active): what failed, and that the alias did not move."""
    kinds = sorted({(item.get("status"), (item.get("error") or {}).get("type", "?") if isinstance(item.get("error"), dict)
                     else str(item.get("error"))) for entry in exc.errors for item in entry.values()})
    why = "、".join(f"{kind}（{status}）" for status, kind in kinds[:3])
    return BuildError(f"集群拒绝写入 {len(exc.errors)} 个文档（{why}），可能有节点失联；别名 {alias} 没有改动，"
                      f"仍指向原来的索引。集群恢复后请重新运行。")
