"""Compare an indicator across counties: one row per county and year, the best passage with its figure.

The question behind many searches is comparative: how did each county do on 地区生产总值? For each
county and year (the year a section speaks about: the past year's result, the plan year's target),
the row is the highest-ranked passage that states a figure for the indicator the query names; a
passage that only mentions it is used when no passage states one. Counties in the index with no
such passage are listed as missing, so the answer never silently leaves one out.
"""

from __future__ import annotations

from collections import Counter

from .analysis import fold
from .figures import figures_for

CANDIDATE_PAGES = 4  # pages of 50 ranked hits examined; plenty for one indicator per report
PAGE = 50


def compare(engine, q: str, *, year=(), section=()) -> dict:
    rows: dict[tuple[str, int], dict] = {}
    first = None
    for page in range(1, CANDIDATE_PAGES + 1):
        result = engine.search(q, year=year, section=section, page=page, per_page=PAGE)
        first = first or result
        needles = [fold(t) for t in [*_terms(result["query"]), *sum(result["also_searched"].values(), [])]]
        for hit in result["hits"]:
            key = (hit["county"], hit["year"])
            figures = figures_for(hit["figures"], needles) if needles else hit["figures"]
            current = rows.get(key)
            # The best row states a figure; a sentence beats a table row, which holds the target
            # and the result side by side and reads less well next to other counties' sentences.
            rank = (bool(figures), hit["kind"] != "row")
            if current is None or rank > current["rank"]:
                rows[key] = {"county": hit["county"], "county_full": hit["county_full"], "year": hit["year"],
                             "section": hit["section"], "passage": hit, "figures": figures, "rank": rank}
        if page >= result["pages"]:
            break
    counties_in_index = [r["county"] for r in engine.reports()]
    order = {c: i for i, c in enumerate(dict.fromkeys(counties_in_index))}
    for row in rows.values():
        row.pop("rank")
    ordered = sorted(rows.values(), key=lambda r: (order.get(r["county"], 99), -r["year"]))
    with_figures = {r["county"] for r in ordered if r["figures"]}
    missing = [c for c in order if c not in with_figures]
    return {
        "query": first["query"] if first else q,
        "also_searched": first["also_searched"] if first else {},
        "rows": ordered,
        "missing": missing,
        "chart": _chart(ordered),
    }


def _terms(query: str) -> list[str]:
    return [t.strip('"“”') for t in query.split() if t not in ("OR", "|") and not t.startswith("-")]


def _chart(rows: list[dict]) -> dict | None:
    """Bars for the rows whose first matching figure shares the most common unit."""
    firsts = [(r, r["figures"][0]) for r in rows if r["figures"] and r["figures"][0].get("value") is not None]
    if len(firsts) < 2:
        return None
    unit, _ = Counter(f["unit"] for _, f in firsts).most_common(1)[0]
    bars = [{"label": f"{r['county']} {r['year']}", "county": r["county"], "year": r["year"],
             "value": f["value"], "text": f["text"], "passage_id": r["passage"]["id"]}
            for r, f in firsts if f["unit"] == unit]
    if len(bars) < 2:
        return None
    return {"unit": unit, "max": max(b["value"] for b in bars), "bars": bars}
