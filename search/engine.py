"""The search engine's public face: plain dicts in, plain dicts out.

The CLI and the web app use only this module (and ``search.errors``); neither touches Whoosh.
An ``Engine`` serves the generation named by the index folder's CURRENT file and switches to a new
one as soon as a build or add has replaced it; each thread gets its own Whoosh searcher, since a
searcher's file handles are not meant to be shared between threads.
"""

from __future__ import annotations

import functools
import inspect
import threading
import weakref
from pathlib import Path

from whoosh.filedb.filestore import FileStorage

import numpy as np

from . import settings
from .whoosh_index import store
from .errors import BadParameter, IndexDamaged, NotFound, UserError
from .byte_lru import ByteLRU
from .whoosh_index.facets import FACETS, FacetIndex
from .figures.extraction import extract as extract_figures
from .query.highlight import highlight
from .whoosh_index.arrays import live_mask, numeric_column, term_docs
from .whoosh_index.schema import ORDER_STRIDE
from .whoosh_index.evaluate import Evaluator
from .whoosh_index.match_sets import Scored
from .whoosh_index.match_sets import top as best
from .query.parse import parse
from .query.plan import QueryPlan
from .query.rank import RERANK_DEPTH, rerank
from .whoosh_index.suggest import suggestions
from .whoosh_index.match_sets import tiers
from .documents import HEADING_SEPARATOR


def _citation(report: dict, heading: str) -> str:
    top = heading.split(HEADING_SEPARATOR)[0] if heading else ""
    # The national reports are the State Council's: cited as 国务院《政府工作报告》.
    issuer = "国务院" if report.get("level") == "国家级" else report["county_full"]
    parts = [f"{issuer}《{report['title']}》"]
    if top:
        parts.append(top)
    parts.append(f"{report['year']}年")
    return "，".join(parts)


class _Generation:
    """One opened index generation and what is precomputed for it."""

    def __init__(self, path: Path, meta: dict):
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
        self.evaluator = Evaluator(reader, live)
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


def _reads_index(method):
    """An error while reading the index becomes IndexDamaged when the generation's files no longer
    match their checksums (a damaged segment), and stays what it was otherwise (a bug)."""

    def damaged(self, exc: Exception) -> None:
        gen = self._gen
        if gen is not None and not isinstance(exc, (UserError, MemoryError)) and (problems := gen.damage()):
            raise store.damaged(gen.path, problems) from exc

    if inspect.isgeneratorfunction(method):
        @functools.wraps(method)
        def checked_generator(self, *args, **kwargs):
            try:
                yield from method(self, *args, **kwargs)
            except Exception as exc:
                damaged(self, exc)
                raise
        return checked_generator

    @functools.wraps(method)
    def checked(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:
            damaged(self, exc)
            raise
    return checked


class Engine:
    def __init__(self, index_dir: Path | str | None = None):
        self.index_dir = Path(index_dir) if index_dir else settings.get("index_dir")
        self._lock = threading.Lock()
        self._gen: _Generation | None = None
        self._broken: tuple[str, str] | None = None  # a damaged generation's name, and why
        self._cache = ByteLRU(settings.get("cache_mb") * 2**20)

    # -- the served generation -------------------------------------------------------------------

    def generation(self) -> _Generation:
        """The current generation, reopened when a build has switched CURRENT since last time."""
        current = store.current_generation(self.index_dir)
        gen = self._gen
        if gen is not None and current is not None and current.name == gen.name:
            return gen
        with self._lock:
            if self._gen is None or current is None or self._gen.name != current.name:
                self._gen = self._open()
            return self._gen

    def _open(self) -> _Generation:
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
            return _Generation(path, meta)
        except (UserError, MemoryError):
            raise
        except Exception as exc:  # Whoosh failed reading the files: damaged, or a bug?
            problems = store.verify(path, meta)
            if not problems:
                raise
            error = store.damaged(path, problems)
            self._broken = (path.name, str(error))
            raise error from exc

    # -- searching -------------------------------------------------------------------------------

    def _prepare(self, parsed, filters: dict):
        gen = self.generation()
        filters = gen.facets.resolve(filters)
        return gen, filters, self._scored(gen, parsed), gen.facets.filter_mask(filters)

    @_reads_index
    def count(self, q: str, filters: dict) -> int:
        """How many passages a query finds with these filters (no ranking, no facets)."""
        gen, filters, scored, allowed = self._prepare(parse(q), filters)
        if scored is None:
            return int(np.count_nonzero(gen.facets.live if allowed is None else gen.facets.live & allowed))
        return int(len(scored) if allowed is None else np.count_nonzero(allowed[scored.docs]))

    @_reads_index
    def search(self, q: str | QueryPlan = "", *, place=(), county=(), province=(), level=(), year=(), section=(),
               page: int = 1, per_page: int | None = None) -> dict:
        """Ranked passages for ``q`` (typed, or already parsed) with facets. ``county`` is the old
        name of ``place``: both take a short name (云阳), a division name (云阳县) or the qualified
        name (重庆市云阳县)."""
        page, per_page = _check_paging(page, per_page)
        parsed = q if isinstance(q, QueryPlan) else parse(q)
        gen = self.generation()
        filters = gen.facets.resolve({"place": [*place, *county], "province": list(province), "level": list(level),
                                      "year": list(year), "section": list(section)})
        # The whole page is kept: paging back, a reload, a shared link and the results page's second
        # query for its facets (webui.pages.stable_facets) then cost no stored reads, highlighting or
        # facet counts. The caller gets its own top-level dict, so replacing a key (webui replaces
        # "facets") changes nothing here; the hits and facets themselves are shared, not copied.
        key = ("page", gen.name, parsed.raw, parsed.key, repr(sorted(filters.items())), page, per_page)
        result = self._cache.get(key)
        if result is None:
            result = self._page(gen, parsed, filters, page, per_page)
            self._cache.put(key, result)
        return dict(result)

    def _page(self, gen: _Generation, parsed, filters: dict, page: int, per_page: int) -> dict:
        """One page of ``search``'s results (``filters`` resolved)."""
        scored, allowed = self._scored(gen, parsed), gen.facets.filter_mask(filters)
        live = gen.facets.live
        offset = (page - 1) * per_page
        if scored is None:
            matched = live
            hits_mask = live if allowed is None else live & allowed
            in_order = gen.reading_order[hits_mask[gen.reading_order]]
            ranked = [(int(d), None) for d in in_order[offset:offset + per_page]]
            total = int(np.count_nonzero(hits_mask))
        else:
            matched = scored.docs
            total = int(len(scored) if allowed is None else np.count_nonzero(allowed[scored.docs]))
            ranked = self._ranked(gen, scored, parsed, filters, allowed,
                                  max(offset + per_page, RERANK_DEPTH))[offset:offset + per_page] if offset < total else []
        needles = parsed.needles
        near = set(scored.near.tolist()) if scored is not None and scored.near is not None else set()
        near_marks = parsed.near_needles if near else []
        return {
            "query": parsed.raw,
            "filters": filters,
            "also_searched": parsed.expansions,
            "total": total,
            "page": page,
            "per_page": per_page,
            "pages": max(1, -(-total // per_page)),
            "hits": [self._hit(gen, d, score, [*needles, *near_marks] if d in near else needles,
                               None if scored is None else "near" if d in near else "exact")
                     for d, score in ranked],
            "facets": gen.facets.counts(matched, filters, settings.get("facet_limit")),
            # Near matches only (a typo: 森林覆盖路) still deserve "did you mean 森林覆盖率".
            "suggestions": suggestions(self, parsed, filters, gen)
            if not parsed.is_empty and total == _near_total(scored, allowed) else [],
        }

    def _scored(self, gen: _Generation, parsed) -> Scored | None:
        """Every match of the query with its score (None for an empty query), cached per query."""
        if parsed.is_empty:
            return None
        key = ("scored", gen.name, parsed.key)
        scored = self._cache.get(key)
        if scored is None:
            scored = gen.evaluator.query(parsed)
            self._cache.put(key, scored)
        return scored

    def _ranked(self, gen: _Generation, scored: Scored, parsed, filters: dict, allowed, keep: int) -> list:
        """The best ``keep`` (docnum, score) after reranking, cached per query and filters."""
        key = ("rank", gen.name, parsed.key, repr(sorted(filters.items())))
        cached = self._cache.get(key)
        if cached is not None and (cached[0] >= keep or len(cached[1]) < cached[0]):
            return cached[1]
        diversify = len(filters.get("place", [])) != 1
        ranked = []
        for tier in tiers(scored):  # every exact match before any near match (search.query.near)
            if len(ranked) < keep:
                top = best(tier, allowed, keep - len(ranked))
                ranked += _reranked(gen, top, parsed.group_needles, diversify)
        self._cache.put(key, (keep, ranked))
        return ranked

    def _hit(self, gen: _Generation, docnum: int, score: float | None, needles: list[str],
             match: str | None = None) -> dict:
        """A result: the passage, and whether it matches the query exactly or nearly."""
        fields = gen.stored(docnum)
        return {**self._passage_dict(gen, fields, needles, score), "match": match}

    def _passage_dict(self, gen: _Generation, fields: dict, needles=(), score=None) -> dict:
        report = gen.reports[fields["report_id"]]
        figures = fields.get("figures")
        if figures is None:
            figures = extract_figures(fields["text"], fields["kind"])
        html, spans = highlight(fields["text"], list(needles), fields["kind"], figures)
        return {
            "id": fields["id"],
            "report_id": fields["report_id"],
            "county": fields["county"],
            "place": report.get("place", report["county_full"]),
            "place_short": report.get("place_short", fields["county"]),
            "level": report.get("level", ""),
            "province": report.get("province", ""),
            "city": report.get("city", ""),
            "adcode": report.get("adcode", ""),
            "year": int(fields["year"]),
            "section": fields["section"],
            "heading": fields["heading"],
            "kind": fields["kind"],
            "position": fields["position"],
            "para": fields["para"],
            "text": fields["text"],
            "table": fields.get("table"),
            "html": html,
            "spans": spans,
            "figures": figures,
            "score": round(score, 4) if score is not None else None,
            "url": f"/p/{fields['id']}",
            "report_url": f"/reports/{fields['report_id']}#{fields['id']}",
            "report_title": report["title"],
            "county_full": report["county_full"],
            "citation": _citation(report, fields["heading"]),
        }

    # -- passages and reports --------------------------------------------------------------------

    def _docnum(self, gen: _Generation, passage_id: str) -> int:
        docnum = gen.docnum(passage_id) if passage_id else None
        if docnum is None or not gen.facets.live[docnum]:
            raise NotFound(f"没有编号为“{passage_id}”的段落：索引重建后，原来的段落可能已经不在了")
        return docnum

    @_reads_index
    def passage(self, passage_id: str) -> dict:
        gen = self.generation()
        return self._passage_dict(gen, gen.stored(self._docnum(gen, passage_id)))

    @_reads_index
    def context(self, passage_id: str, before: int = 2, after: int = 2) -> dict:
        """A passage, its neighbours in the same report, its citation and its report."""
        gen = self.generation()
        docnum = self._docnum(gen, passage_id)
        docs = gen.by_report[gen.report_of(docnum)]
        i = docs.index(docnum)
        passage = self._passage_dict(gen, gen.stored(docnum))
        return {
            "passage": passage,
            "before": [self._passage_dict(gen, gen.stored(d)) for d in docs[max(0, i - before):i]],
            "after": [self._passage_dict(gen, gen.stored(d)) for d in docs[i + 1:i + 1 + after]],
            "citation": passage["citation"],
            "report": gen.reports[passage["report_id"]],
        }

    @_reads_index
    def generation_name(self) -> str:
        """The served generation's name: what anything computed from its contents is keyed by (a
        build or an add switches to a new name)."""
        return self.generation().name

    @_reads_index
    def reports(self) -> list[dict]:
        return list(self.generation().reports.values())

    @_reads_index
    def report(self, report_id: str) -> dict:
        gen = self.generation()
        if report_id not in gen.reports:
            raise NotFound(f"没有编号为“{report_id}”的报告")
        passages = [self._passage_dict(gen, gen.stored(d)) for d in gen.by_report[report_id]]
        return {"report": gen.reports[report_id], "passages": passages}

    @_reads_index
    def export(self):
        """Every passage with its metadata, in report order."""
        gen = self.generation()
        for report_id in gen.reports:
            for d in gen.by_report[report_id]:
                fields = dict(gen.stored(d))
                fields["year"] = int(fields["year"])
                report = gen.reports[report_id]
                fields["city"], fields["adcode"] = report.get("city", ""), report.get("adcode", "")
                yield fields

    @_reads_index
    def info(self) -> dict:
        gen = self.generation()
        return {"index": str(gen.path), "passages": int(gen.facets.live.sum()), "reports": len(gen.reports),
                "built_at": gen.meta.get("built_at"), "facets": [f.name for f in FACETS]}


def _near_total(scored: Scored | None, allowed) -> int:
    if scored is None or scored.near is None:
        return 0
    return int(len(scored.near) if allowed is None else np.count_nonzero(allowed[scored.near]))


def _reranked(gen, ordered, group_needles, diversify) -> list[tuple[int, float]]:
    head, tail = ordered[:RERANK_DEPTH], ordered[RERANK_DEPTH:]
    candidates = []
    for docnum, score in head:
        fields = gen.stored(docnum)
        candidates.append({"docnum": docnum, "score": score, "text": fields["text"], "kind": fields["kind"],
                           "county": fields.get("place") or fields["county"], "year": fields["year"],
                           "figures": fields.get("figures")})
    rerank(candidates, group_needles, diversify)
    return [(c["docnum"], c["score"]) for c in candidates] + tail


def _check_paging(page, per_page) -> tuple[int, int]:
    max_per_page = settings.get("max_per_page")
    max_page = settings.get("max_page")
    try:
        page = int(page)
    except (TypeError, ValueError):
        raise BadParameter(f"页码须是 1 到 {max_page} 的整数，不能是“{page}”") from None
    if per_page is None or per_page == "":
        per_page = settings.get("per_page")
    try:
        per_page = int(per_page)
    except (TypeError, ValueError):
        raise BadParameter(f"每页条数须是 1 到 {max_per_page} 的整数，不能是“{per_page}”") from None
    if not 1 <= page <= max_page:
        raise BadParameter(f"页码须在 1 到 {max_page} 之间，不能是 {page}")
    if not 1 <= per_page <= max_per_page:
        raise BadParameter(f"每页条数须在 1 到 {max_per_page} 之间，不能是 {per_page}")
    return page, per_page
