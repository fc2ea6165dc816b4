"""The search engine's public face: plain dicts in, plain dicts out.

The CLI and the web app use only this module (and ``search.errors``). An ``Engine`` parses a query
into its plan once (``search.query.plan``), asks its backend (``search.backend``: the embedded
Whoosh index by default) what the plan matches, reranks the best, highlights them and writes the
results, passages, reports and exports as plain dicts, whichever backend answered. Nothing here
imports an engine's library.
"""

from __future__ import annotations

import functools
import inspect
from itertools import chain, groupby, islice
from pathlib import Path

from . import settings
from .backend import Backend, Snapshot, open_backend
from .byte_lru import ByteLRU
from .documents import citation
from .downloads import hit_row
from .errors import BadParameter, NotFound, PageOutOfRange
from .facets import FACETS
from .figures.extraction import extract as extract_figures
from .query.highlight import highlight
from .query.parse import parse
from .query.plan import QueryPlan
from .query.rank import RERANK_DEPTH, rerank
from .ordering import REPORT_FILTER, SORTS, check_report, check_sort, sort_groups, within_report





def _reads_index(method):
    """An error while reading the index becomes what the backend says it is (IndexDamaged when the
    files no longer match their checksums), and stays what it was otherwise (a bug)."""

    def failed(self, exc: Exception) -> None:
        replacement = self.backend.failure(exc)
        if replacement is not None:
            raise replacement from exc

    if inspect.isgeneratorfunction(method):
        @functools.wraps(method)
        def checked_generator(self, *args, **kwargs):
            try:
                yield from method(self, *args, **kwargs)
            except Exception as exc:
                failed(self, exc)
                raise
        return checked_generator

    @functools.wraps(method)
    def checked(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:
            failed(self, exc)
            raise
    return checked


class Engine:
    def __init__(self, index_dir: Path | str | None = None, backend: Backend | None = None):
        self.index_dir = Path(index_dir) if index_dir else settings.get("index_dir")
        # One cache for the backend's matches and the engine's ranked lists and pages.
        self._cache = ByteLRU(settings.get("cache_mb") * 2**20)
        self.backend = backend or open_backend(self.index_dir, settings.get("backend"), cache=self._cache)

    def generation(self) -> Snapshot:
        """The backend's current snapshot (a new one after a build, an add or a load)."""
        return self.backend.snapshot()

    # -- searching -------------------------------------------------------------------------------

    @_reads_index
    def search(self, q: str | QueryPlan = "", *, place=(), county=(), province=(), level=(), year=(), section=(),
               report: str | None = None, sort: str | None = None, page: int = 1, per_page: int | None = None) -> dict:
        """Ranked passages for ``q`` (typed, or already parsed) with facets. ``county`` is the old
        name of ``place``: both take a short name (云阳), a division name (云阳县) or the qualified
        name (重庆市云阳县). ``report``: search within that report only (its id; the result's
        ``report`` names it). ``sort`` (``SORTS``): ``relevance`` (the default), ``year`` (the year
        a passage speaks about, newest first) or ``place`` (by division code, then name); ties
        keep their relevance order."""
        page, per_page = _check_paging(page, per_page)
        sort = check_sort(sort)
        plan = q if isinstance(q, QueryPlan) else parse(q)
        snap = self.generation()
        filters, within = _resolve(snap, place, county, province, level, year, section, report)
        # The whole page is kept: paging back, a reload, a shared link and the results page's second
        # query for its facets (webui.pages.stable_facets) then cost no stored reads, highlighting or
        # facet counts. The caller gets its own top-level dict, so replacing a key (webui replaces
        # "facets") changes nothing here; the hits and facets themselves are shared, not copied.
        key = ("page", snap.name, plan.raw, plan.key, repr(sorted(filters.items())), sort, page, per_page)
        result = self._cache.get(key)
        if result is None:
            result = self._page(snap, plan, filters, page, per_page, sort)
            result["report"] = within
            self._cache.put(key, result)
        return dict(result)

    def _page(self, snap: Snapshot, plan: QueryPlan, filters: dict, page: int, per_page: int,
              sort: str = "relevance") -> dict:
        """One page of ``search``'s results (``filters`` resolved, the report's among them)."""
        matches = snap.match(plan, filters)
        total, offset = matches.total, (page - 1) * per_page
        pages = _pages(total, per_page)
        if page > pages:
            raise PageOutOfRange(f"没有第 {page} 页：这次检索共 {total} 条结果、{pages} 页"
                                 + ("（最多翻到第 {0} 页，请加筛选条件缩小范围）".format(pages)
                                    if pages == settings.get("max_page") else ""), last_page=pages)
        if sort != "relevance" and offset < total:
            ranked = self._sorted(snap, matches, plan, filters, sort, offset, per_page)
        else:
            ranked = self._slice(snap, matches, plan, filters, offset, offset + per_page)
        needles, near_needles = plan.needles, [*plan.needles, *plan.near_needles]
        suggestions = snap.suggestions(plan, filters) if not plan.is_empty and total == matches.near_total else []
        return {
            "query": plan.raw,
            "filters": {name: values for name, values in filters.items() if name != REPORT_FILTER},
            "also_searched": plan.expansions,
            "total": total,
            "page": page,
            "per_page": per_page,
            "pages": pages,
            "sort": sort,
            "hits": [{**self._passage_dict(snap, snap.fields(ref), near_needles if match == "near" else needles, score),
                      "match": match} for ref, score, match in ranked],
            "facets": matches.facets(settings.get("facet_limit")),
            # Near matches only (a typo: 森林覆盖路) still deserve "did you mean 森林覆盖率".
            "suggestions": [within_report(s, filters) for s in suggestions],
        }

    def _slice(self, snap: Snapshot, matches, plan: QueryPlan, filters: dict, start: int, end: int) -> list:
        """The (ref, score, match) from ``start`` to ``end`` in relevance order (reading order for
        an empty plan)."""
        if plan.is_empty:
            return matches.tiers(end)[0][start:end]
        if start >= matches.total:
            return []
        return self._ranked(snap, matches, plan, filters, max(end, RERANK_DEPTH))[start:end]

    def _sorted(self, snap: Snapshot, matches, plan: QueryPlan, filters: dict, sort: str, offset: int,
                per_page: int) -> list:
        """One page in ``sort`` order: the matches grouped by the sort's facet (a passage has one
        year and one place), the groups in the sort's order and each group in relevance order. The
        facet counts say how many each group holds, so only the groups the page overlaps are
        searched, each within its one value and cached like any filtered search: page 2 continues
        page 1 exactly."""
        groups = sort_groups(snap, matches, filters, sort)
        ranked, start = [], 0
        for value, count in groups:
            end = start + count
            if end > offset and start < offset + per_page:
                within = {**filters, sort: [value]}
                local_start, local_end = max(offset - start, 0), min(offset + per_page, end) - start
                ranked += self._slice(snap, snap.match(plan, within), plan, within, local_start, local_end)
            if end >= offset + per_page:
                break
            start = end
        return ranked

    @_reads_index
    def iter_hits(self, q: str | QueryPlan = "", *, place=(), county=(), province=(), level=(), year=(),
                  section=(), report: str | None = None, sort: str | None = None):
        """Every hit of ``search`` with the same arguments (no paging), in its order, as plain dicts
        without highlighting: what a download writes. The query, filters, report and sort are
        checked now (the same refusals as ``search``); the hits are read as the returned iterator is
        consumed, so a caller can stream them."""
        sort = check_sort(sort)
        plan = q if isinstance(q, QueryPlan) else parse(q)
        snap = self.generation()
        filters, _ = _resolve(snap, place, county, province, level, year, section, report)
        matches = snap.match(plan, filters)
        if sort == "relevance":
            return self._every_hit(snap, plan, filters, matches)
        # The page's groups (a year or a place each), one after the other, each in relevance order.
        groups = sort_groups(snap, matches, filters, sort)
        return chain.from_iterable(
            self._every_hit(snap, plan, {**filters, sort: [value]}, snap.match(plan, {**filters, sort: [value]}))
            for value, _ in groups)

    @_reads_index
    def _every_hit(self, snap: Snapshot, plan: QueryPlan, filters: dict, matches):
        """``iter_hits``'s rows: each tier's first ``RERANK_DEPTH`` reranked, as ``search`` ranks them,
        then the rest of the tier as the backend ordered them."""
        stream = matches.every()
        if plan.is_empty:
            for ref, _, _ in stream:
                yield hit_row(snap, snap.fields(ref), None, None)
            return
        diversify = len(filters.get("place", [])) != 1
        for _, tier in groupby(stream, key=lambda match: match[2]):
            head = _reranked(snap, list(islice(tier, RERANK_DEPTH)), plan.group_needles, diversify)
            for ref, score, match in chain(head, tier):
                yield hit_row(snap, snap.fields(ref), score, match)


    def _ranked(self, snap: Snapshot, matches, plan: QueryPlan, filters: dict, keep: int) -> list:
        """The best ``keep`` (ref, score, match) after reranking, cached per query and filters."""
        key = ("rank", snap.name, plan.key, repr(sorted(filters.items())))
        cached = self._cache.get(key)
        if cached is not None and (cached[0] >= keep or len(cached[1]) < cached[0]):
            return cached[1]
        diversify = len(filters.get("place", [])) != 1
        ranked = []
        for tier in matches.tiers(keep):  # every exact match before any near match (search.query.near)
            ranked += _reranked(snap, tier, plan.group_needles, diversify)
        self._cache.put(key, (keep, ranked))
        return ranked

    def _passage_dict(self, snap: Snapshot, fields: dict, needles=(), score=None) -> dict:
        report = snap.reports[fields["report_id"]]
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
            "ocr": bool(fields.get("ocr")),  # read from a scanned page: the text may hold misread characters
            "html": html,
            "spans": spans,
            "figures": figures,
            "score": round(score, 4) if score is not None else None,
            "url": f"/p/{fields['id']}",
            "report_url": f"/reports/{fields['report_id']}#{fields['id']}",
            "report_title": report["title"],
            "county_full": report["county_full"],
            "citation": citation(report, fields["heading"]),
        }

    @_reads_index
    def arrivals(self, q: str | QueryPlan = "", *, place=(), province=(), level=(), year=(), section=(),
                 limit: int = 100) -> dict:
        """What a saved search follows: the passages ``q`` matches within the filters (exact
        matches; near ones are typo tolerance, noise in a feed), newest report first by when it came
        into the index, in reading order within a report; at most ``limit``. Each passage has
        ``added_at``, its report's arrival (``search.whoosh_index.arrivals``). ``total`` counts them all."""
        plan = q if isinstance(q, QueryPlan) else parse(q)
        snap = self.generation()
        filters = snap.resolve({"place": list(place), "province": list(province), "level": list(level),
                                "year": list(year), "section": list(section)})
        key = ("arrivals", snap.name, plan.raw, plan.key, repr(sorted(filters.items())), limit)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        matches = snap.match(plan, filters)
        refs = [ref for tier in matches.tiers(matches.total) for ref, _, match in tier if match != "near"]
        fallback = snap.info().get("built_at") or ""
        arrived = {rid: r.get("added_at") or fallback for rid, r in snap.reports.items()}
        order = {rid: n for n, rid in enumerate(snap.reports)}
        # Newest report first; among reports that came in together, the later in the index first.
        # Stored fields are read only for the reports that fill the first ``limit`` (a broad query
        # matches tens of thousands of passages), then put in reading order within each report.
        by_report: dict[str, list] = {}
        for ref in refs:
            by_report.setdefault(snap.report_of(ref), []).append(ref)
        stored = []
        for rid in sorted(by_report, key=lambda rid: (arrived[rid], order[rid]), reverse=True):
            if len(stored) >= limit:
                break
            stored += sorted((snap.fields(ref) for ref in by_report[rid]), key=lambda f: f["position"])
        passages = [{**self._passage_dict(snap, f, plan.needles), "added_at": arrived[f["report_id"]]}
                    for f in stored[:limit]]
        result = {"query": plan.raw, "filters": filters, "total": len(refs), "passages": passages}
        self._cache.put(key, result)
        return result

    # -- passages and reports --------------------------------------------------------------------

    def _stored(self, snap: Snapshot, passage_id: str) -> dict:
        fields = snap.passage(passage_id) if passage_id else None
        if fields is None:
            raise NotFound(f"没有编号为“{passage_id}”的段落：索引重建后，原来的段落可能已经不在了")
        return fields

    @_reads_index
    def passage(self, passage_id: str) -> dict:
        snap = self.generation()
        return self._passage_dict(snap, self._stored(snap, passage_id))

    @_reads_index
    def context(self, passage_id: str, before: int = 2, after: int = 2) -> dict:
        """A passage, its neighbours in the same report, its citation and its report."""
        snap = self.generation()
        passage = self._passage_dict(snap, self._stored(snap, passage_id))
        earlier, later = snap.neighbours(passage_id, before, after)
        return {
            "passage": passage,
            "before": [self._passage_dict(snap, f) for f in earlier],
            "after": [self._passage_dict(snap, f) for f in later],
            "citation": passage["citation"],
            "report": snap.reports[passage["report_id"]],
        }

    @_reads_index
    def generation_name(self) -> str:
        """The served snapshot's name: what anything computed from its contents is keyed by (a
        build or an add switches to a new name)."""
        return self.generation().name

    @_reads_index
    def reports(self) -> list[dict]:
        return list(self.generation().reports.values())

    @_reads_index
    def report(self, report_id: str) -> dict:
        snap = self.generation()
        if report_id not in snap.reports:
            raise NotFound(f"没有编号为“{report_id}”的报告")
        passages = [self._passage_dict(snap, f) for f in snap.report_passages(report_id)]
        return {"report": snap.reports[report_id], "passages": passages}

    @_reads_index
    def export(self):
        """Every passage with its metadata, in report order."""
        snap = self.generation()
        for stored in snap.export():
            fields = dict(stored)
            fields["year"] = int(fields["year"])
            report = snap.reports[fields["report_id"]]
            fields["city"], fields["adcode"] = report.get("city", ""), report.get("adcode", "")
            yield fields

    @_reads_index
    def info(self) -> dict:
        snap = self.generation()
        return {**snap.info(), "passages": snap.passage_count(), "reports": len(snap.reports),
                "facets": [f.name for f in FACETS]}



def _resolve(snap: Snapshot, place, county, province, level, year, section, report) -> tuple[dict, dict | None]:
    """A search's filters as the backend names them, the report it is within among them (as
    ``REPORT_FILTER``), and that report (None when the search is not within one)."""
    filters = snap.resolve({"place": [*place, *county], "province": list(province), "level": list(level),
                            "year": list(year), "section": list(section)})
    within = check_report(snap, report)
    if within:
        filters = {**filters, REPORT_FILTER: [within["id"]]}
    return filters, within

def _reranked(snap: Snapshot, ordered: list, group_needles, diversify) -> list[tuple]:
    """The first ``RERANK_DEPTH`` of one tier reranked in Python (search.query.rank), the rest as
    the backend ordered them."""
    head, tail = ordered[:RERANK_DEPTH], ordered[RERANK_DEPTH:]
    candidates = []
    for ref, score, match in head:
        fields = snap.fields(ref)
        candidates.append({"ref": ref, "match": match, "score": score, "text": fields["text"], "kind": fields["kind"],
                           "county": fields.get("place") or fields["county"], "year": fields["year"],
                           "figures": fields.get("figures")})
    rerank(candidates, group_needles, diversify)
    return [(c["ref"], c["score"], c["match"]) for c in candidates] + tail


def _pages(total: int, per_page: int) -> int:
    """How many pages the results have, as far as a caller may page (``max_page``): one rule for
    the site and the API, which refuse any page past it."""
    return max(1, min(-(-total // per_page), settings.get("max_page")))


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
