"""The embedded index as a backend (``search.backend``): the generation being served, and what a
query matches in it.

A ``WhooshBackend`` serves the generation named by the index folder's CURRENT file and switches to
a new one as soon as a build or add has replaced it. One reader serves every thread, under the
evaluator's lock (see ``Generation``). An error met while reading becomes ``IndexDamaged`` when
the generation's files no longer match their checksums, and stays what it was otherwise (a bug).
"""

from __future__ import annotations

import threading
import weakref
from pathlib import Path

import numpy as np
from whoosh.filedb.filestore import FileStorage

from .. import settings
from ..byte_lru import ByteLRU
from ..errors import IndexDamaged, UserError
from ..query.plan import QueryPlan
from . import store
from .arrays import live_mask, numeric_column, term_docs
from .postings import WhooshEvaluator
from .facets import FacetIndex
from ..scoring.match_sets import Scored, tiers, top
from .schema import ORDER_STRIDE
from .suggest import suggestions


class WhooshBackend:
    def __init__(self, index_dir: Path, cache: ByteLRU | None = None):
        self.index_dir = Path(index_dir)
        self.cache = cache if cache is not None else ByteLRU(settings.get("cache_mb") * 2**20)
        self._lock = threading.Lock()
        self._gen: Generation | None = None
        self._broken: tuple[str, str] | None = None  # a damaged generation's name, and why

    def snapshot(self) -> "Generation":
        """The current generation, reopened when a build has switched CURRENT since last time."""
        current = store.current_generation(self.index_dir)
        gen = self._gen
        if gen is not None and current is not None and current.name == gen.name:
            return gen
        with self._lock:
            if self._gen is None or current is None or self._gen.name != current.name:
                self._gen = self._open()
            return self._gen

    def _open(self) -> "Generation":
        """Open the served generation; a damaged one raises IndexDamaged, on every request until a
        build replaces it, without reading it again."""
        current = store.current_generation(self.index_dir)
        if self._broken is not None and current is not None and self._broken[0] == current.name:
            raise IndexDamaged(self._broken[1])
        try:
            path, meta = store.open_generation(self.index_dir)
        except IndexDamaged as exc:
            self._broken = (current.name, str(exc))
            raise
        try:
            return Generation(path, meta, self.cache)
        except (UserError, MemoryError):
            raise
        except Exception as exc:  # Whoosh failed reading the files: damaged, or a bug?
            problems = store.verify(path, meta)
            if not problems:
                raise
            error = store.damaged(path, problems)
            self._broken = (path.name, str(error))
            raise error from exc

    def failure(self, exc: Exception) -> Exception | None:
        gen = self._gen
        if gen is not None and not isinstance(exc, (UserError, MemoryError)) and (problems := gen.damage()):
            return store.damaged(gen.path, problems)
        return None


class Generation:
    """One opened index generation and what is precomputed for it: the Whoosh ``Snapshot``
    (``search.backend``)."""

    def __init__(self, path: Path, meta: dict, cache: ByteLRU):
        self.path = path
        self.name = path.name
        self.meta = meta
        # Plain file reads, not mmap: mapped index files count in full against the server's memory.
        self.ix = FileStorage(str(path), supports_mmap=False).open_index()
        self.reports = {r["id"]: r for r in meta["reports"]}
        # One reader stays open for the generation's life: the evaluator reads postings through it.
        reader = self.reader = self.ix.reader()
        # Closed when the last request using this generation lets go of it, not at the switch (and
        # when reading a damaged generation fails below).
        weakref.finalize(self, reader.close)
        live = live_mask(reader)
        # Docnums are not reading order (each writer process writes its own segment): the order
        # column is. Live docnums in reading order, and each report's passages in order.
        order = numeric_column(reader, "order", reader.schema["order"].column_type)
        self.reading_order = np.argsort(order, kind="stable")
        self.reading_order = self.reading_order[live[self.reading_order]]
        self.by_report, self._report_at = self._passages_by_report(reader, order, live)
        self.facets = FacetIndex(reader, meta["reports"], live, self._report_at)
        self.evaluator = WhooshEvaluator(reader, live)
        self._cache = cache
        self._close: dict[str, list[str]] = {}
        self._damage: list[str] | None = None
        self._verify_lock = threading.Lock()

    def _passages_by_report(self, reader, order: np.ndarray, live: np.ndarray):
        """Each report's live docnums in reading order, and each docnum's report (an index into
        the reports, -1 for none). A passage's order value starts with its report's sequence
        number, so both come from the reading order alone; an index written before sequence
        numbers were recorded reads each report's postings instead."""
        rids = self._rids = list(self.reports)
        at = np.full(len(live), -1, dtype=np.int32)
        by_report: dict[str, list[int]] = {rid: [] for rid in rids}
        sequences = {r.get("sequence"): n for n, r in enumerate(self.reports.values())}
        if None in sequences or len(sequences) != len(rids):
            for n, rid in enumerate(rids):
                docs = term_docs(reader, "report_id", rid)
                docs = docs[live[docs]]
                by_report[rid] = docs[np.argsort(order[docs], kind="stable")].tolist()
                at[docs] = n
            return by_report, at
        ordered = self.reading_order
        report_seq = order[ordered] // ORDER_STRIDE
        starts = np.flatnonzero(np.r_[True, report_seq[1:] != report_seq[:-1]]) if len(ordered) else []
        ends = np.r_[starts[1:], len(ordered)] if len(ordered) else []
        for a, b in zip(np.asarray(starts).tolist(), np.asarray(ends).tolist()):
            n = sequences.get(int(report_seq[a]))
            if n is not None:
                by_report[rids[n]] = ordered[a:b].tolist()
                at[ordered[a:b]] = n
        return by_report, at

    def report_of(self, docnum: int) -> str:
        return self._rids[self._report_at[docnum]]

    def damage(self) -> list[str]:
        """This generation's problems, from reading every byte once (a second or so at 200x) and
        then remembered: a query that fails repeatedly must not read the index each time."""
        with self._verify_lock:
            if self._damage is None:
                self._damage = store.verify(self.path, self.meta)
            return self._damage

    # One reader serves every thread, under the evaluator's lock: a reader per thread cost a copy
    # of the index's open files and buffers each (2.5 GB at 110,000 passages), and the work done
    # under the lock (an id lookup) takes microseconds. Stored documents need no lock: each is one
    # positioned read of the file (search.whoosh_index.arrays.StoredFields).

    # -- the Snapshot interface (search.backend) ---------------------------------------------------

    def resolve(self, filters: dict) -> dict:
        return self.facets.resolve(filters)

    def match(self, plan: QueryPlan, filters: dict) -> "_Matches":
        return _Matches(self, plan, filters, self._scored(plan))

    def _scored(self, plan: QueryPlan) -> Scored | None:
        """Every match of the query with its score (None for an empty query), cached per query."""
        if plan.is_empty:
            return None
        key = ("scored", self.name, plan.key)
        scored = self._cache.get(key)
        if scored is None:
            scored = self.evaluator.query(plan)
            self._cache.put(key, scored)
        return scored

    def suggestions(self, plan: QueryPlan, filters: dict) -> list[dict]:
        return suggestions(plan, filters, self)

    def fields(self, ref: int) -> dict:
        return self.evaluator.stored(ref)

    def _live_docnum(self, passage_id: str) -> int | None:
        docnum = self.docnum(passage_id) if passage_id else None
        return docnum if docnum is not None and self.facets.live[docnum] else None

    def passage(self, passage_id: str) -> dict | None:
        docnum = self._live_docnum(passage_id)
        return None if docnum is None else self.stored(docnum)

    def neighbours(self, passage_id: str, before: int, after: int) -> tuple[list[dict], list[dict]]:
        docnum = self._live_docnum(passage_id)
        docs = self.by_report[self.report_of(docnum)]
        i = docs.index(docnum)
        return ([self.stored(d) for d in docs[max(0, i - before):i]],
                [self.stored(d) for d in docs[i + 1:i + 1 + after]])

    def report_passages(self, report_id: str) -> list[dict]:
        return [self.stored(d) for d in self.by_report[report_id]]

    def export(self):
        for report_id in self.reports:
            for d in self.by_report[report_id]:
                yield self.stored(d)

    def passage_count(self) -> int:
        return int(self.facets.live.sum())

    def info(self) -> dict:
        return {"index": str(self.path), "built_at": self.meta.get("built_at")}

    # -- Whoosh's own -----------------------------------------------------------------------------

    def stored(self, docnum: int) -> dict:
        return self.evaluator.stored(docnum)

    def docnum(self, passage_id: str) -> int | None:
        with self.evaluator.lock:
            if ("id", passage_id) not in self.reader:
                return None
            return self.reader.first_id("id", passage_id)

    def close_words(self, word: str, limit: int = 3) -> list[str]:
        """Indexed words one edit away from word (a typo, a wrong or missing character).

        Walking the word list costs a few hundred milliseconds, so answers are kept, and words
        longer than any indexed word worth suggesting are not looked up at all."""
        if len(word) > 12:
            return []
        cached = self._close.get(word)
        if cached is None:
            with self.evaluator.lock:
                # prefix=1: only words that share the first character, which a typo rarely changes;
                # walking the whole word list instead took about 0.5 s.
                cached = self.reader.corrector("words").suggest(word, limit=limit, maxdist=1, prefix=1)
            if len(self._close) > 10_000:
                self._close.clear()
            self._close[word] = cached
        return cached

    def searcher(self):
        """A Whoosh searcher over this generation (for tests that compare with Whoosh)."""
        from whoosh import scoring
        from whoosh.searching import Searcher

        weighting = scoring.BM25F(B=settings.get("bm25_b"), K1=settings.get("bm25_k1"))
        return Searcher(self.reader, weighting=weighting, closereader=False)


class _Matches:
    """What a plan matches in a generation within resolved filters (``search.backend.Matches``)."""

    def __init__(self, gen: Generation, plan: QueryPlan, filters: dict, scored: Scored | None):
        self.gen, self.filters, self.scored = gen, filters, scored
        self.allowed = allowed = gen.facets.filter_mask(filters)
        if scored is None:
            live = gen.facets.live
            self.hits_mask = live if allowed is None else live & allowed
            self.total = int(np.count_nonzero(self.hits_mask))
            self.near_total = 0
        else:
            self.total = int(len(scored) if allowed is None else np.count_nonzero(allowed[scored.docs]))
            near = scored.near
            self.near_total = 0 if near is None else int(len(near) if allowed is None else np.count_nonzero(allowed[near]))

    def tiers(self, keep: int) -> list[list[tuple[int, float | None, str | None]]]:
        """The best ``keep`` as (docnum, score, "exact" | "near"), a list per tier: every exact
        match before any near one (search.query.near). An empty plan lists passages in reading
        order, with no score."""
        gen, scored = self.gen, self.scored
        if scored is None:
            in_order = gen.reading_order[self.hits_mask[gen.reading_order]]
            return [[(int(d), None, None) for d in in_order[:keep]]]
        out, found = [], 0
        for tier, kind in zip(tiers(scored), ("exact", "near")):
            if found < keep:
                best = top(tier, self.allowed, keep - found)
                out.append([(d, s, kind) for d, s in best])
                found += len(best)
        return out

    def every(self):
        # Docnums are small: ranking every match at once costs a sort, not the passages' text.
        for tier in self.tiers(self.total):
            yield from tier

    def facets(self, limit: int) -> dict:
        matched = self.gen.facets.live if self.scored is None else self.scored.docs
        return self.gen.facets.counts(matched, self.filters, limit)
