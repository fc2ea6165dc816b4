"""Compare an indicator across places: one row per place, year and kind of statement (result or
target), the best passage with the figures it states for the indicator.

The question behind many searches is comparative: how did each county do on 地区生产总值? For each
place and year (the year a section speaks about: the past year's result, the plan year's target),
the row is the highest-ranked passage that states a figure for the indicator the query names, and
only figures the extraction is sure of are given (see ``search.figures.extraction``): the indicator itself, not
a part of it (交通固定资产投资 is not 固定资产投资), the year's figure, not a five-year one, each value
paired with its own indicator (…和一般公共预算收入分别增长12.5%和34.3% → 34.3%). Where no passage states
a sure figure, the row keeps the best passage that names the indicator, without a number. Places in
the index with no sure figure are listed as missing, so the answer never silently leaves one out.
"""

from __future__ import annotations

from collections import Counter

from ..query.parse import parse
from ..text.streams import fold
from ..documents import SECTION_REVIEW
from .extraction import extract, figures_for
from .indicators import indicator_key, mentions_only_as_part

CANDIDATE_PAGES = 4  # pages of 50 ranked hits examined; plenty for one indicator per report
PAGE = 50


def compare(engine, q: str, *, year=(), section=()) -> dict:
    rows: dict[tuple, dict] = {}
    first = None
    plan = parse(q)
    needles = plan.folded_terms
    for page in range(1, CANDIDATE_PAGES + 1):
        result = engine.search(plan, year=year, section=section, page=page, per_page=PAGE)
        first = first or result
        for hit in result["hits"]:
            role = "actual" if hit["section"] == SECTION_REVIEW else "target"
            key = (hit["county"], hit["year"], role)
            figures = sure_figures(hit, needles) if needles else []
            current = rows.get(key)
            # The best row states a sure figure; then a passage that names the indicator itself
            # (not only 单位GDP能耗); a sentence beats a table row, which holds the target and the
            # result side by side and reads less well next to other places' sentences.
            folded = fold(hit["text"])
            named = not needles or not all(mentions_only_as_part(folded, n) for n in needles if n in folded)
            rank = (bool(figures), named, hit["kind"] != "row")
            if current is None or rank > current["rank"]:
                # place and place_full as the ledger and coverage name them; county and
                # county_full are their old names, kept for callers of /api/compare.
                rows[key] = {"place": hit["place_short"], "place_full": hit["place"], "county": hit["county"],
                             "county_full": hit["county_full"], "year": hit["year"],
                             "section": hit["section"], "role": role, "passage": hit, "figures": figures,
                             "rank": rank}
        if page >= result["pages"]:
            break
    counties_in_index = [r["county"] for r in engine.reports()]
    order = {c: i for i, c in enumerate(dict.fromkeys(counties_in_index))}
    for row in rows.values():
        row.pop("rank")
    ordered = sorted(rows.values(), key=lambda r: (order.get(r["county"], 99), -r["year"], r["role"]))
    with_figures = {r["county"] for r in ordered if r["figures"]}
    missing = [c for c in order if c not in with_figures]
    return {
        "query": first["query"] if first else q,
        "also_searched": first["also_searched"] if first else {},
        "rows": ordered,
        "missing": missing,
        "chart": _chart(ordered, needles),
    }


def sure_figures(hit: dict, needles: list[str]) -> list[dict]:
    """The figures a passage states for the indicator, extracted with what the passage's section,
    year and heading say (the figures stored at build time know only the text)."""
    figures = extract(hit["text"], hit["kind"], section=hit["section"], year=hit["year"], heading=hit.get("heading"))
    return figures_for(figures, needles, sure=True)


def _chart(rows: list[dict], needles: list[str]) -> dict | None:
    """Bars for the rows whose first figure of the indicator itself (not 城镇… split from 城乡…)
    shares the most common unit."""
    keys = {indicator_key(n) for n in needles}
    firsts = []
    for row in rows:
        own = [f for f in row["figures"] if indicator_key(f.get("indicator")) in keys and f.get("value") is not None]
        # A table row holds the target and the result: draw the one the row is about.
        own = [f for f in own if f.get("role") == row["role"]] or own
        if own:
            firsts.append((row, own[0]))
    if len(firsts) < 2:
        return None
    unit, _ = Counter(f["unit"] for _, f in firsts).most_common(1)[0]
    bars = [{"label": f"{r['county']} {r['year']}", "place": r["place"], "county": r["county"], "year": r["year"],
             "value": f["value"], "text": f["text"], "passage_id": r["passage"]["id"]}
            for r, f in firsts if f["unit"] == unit]
    if len(bars) < 2:
        return None
    return {"unit": unit, "max": max(b["value"] for b in bars), "bars": bars}
