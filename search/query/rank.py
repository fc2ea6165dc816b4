"""Second-stage ranking of the best BM25 candidates, with what BM25 cannot see.

BM25 scores each term on its own and punishes long sentences; analysts want the sentence where the
terms stand together and a figure follows them (全年GDP增长5.8%), and a result list that is not
crowded by one county. The first ``RERANK_DEPTH`` candidates are re-scored here; deeper pages keep
BM25's order. Each factor is a multiplier close to 1, so BM25 still decides between clear cases,
except for an indicator query: the passage that states the indicator's own figure comes before
short sentences that name it only inside another indicator (单位GDP能耗降低, 亿元GDP安全事故).
"""

from __future__ import annotations

from ..text.streams import fold
from ..figures.extraction import extract as extract_figures
from ..figures.extraction import figures_for
from .highlight import term_spans
from ..figures.indicators import mentions_only_as_part

RERANK_DEPTH = 100
PROXIMITY_WEIGHT = 0.6  # terms side by side: up to ×1.6
PROXIMITY_SCALE = 12  # characters; a window of this length halves the bonus
FIGURE_WEIGHT = 1.0  # states a figure for the indicator the query names: ×2
PART_FACTOR = 0.25  # names the query's indicator only inside another one (单位GDP能耗): ×0.25
COUNTY_DECAY = 0.85  # the n-th hit from one county is multiplied by COUNTY_DECAY ** (n - 1)
SAME_YEAR_DECAY = 0.5  # and again for each earlier hit from the same county *and* year


def _window(positions: list[list[int]]) -> int | None:
    """Length of the smallest window holding one position from every list (None if one is empty)."""
    if any(not p for p in positions):
        return None
    events = sorted((pos, i) for i, plist in enumerate(positions) for pos in plist)
    need, have, counts, best, left = len(positions), 0, [0] * len(positions), None, 0
    for pos, i in events:
        counts[i] += 1
        if counts[i] == 1:
            have += 1
        while have == need:
            lpos, li = events[left]
            span = pos - lpos
            best = span if best is None or span < best else best
            counts[li] -= 1
            if counts[li] == 0:
                have -= 1
            left += 1
    return best


def rerank(candidates: list[dict], group_needles: list[list[str]], diversify: bool) -> list[dict]:
    """candidates: dicts with "score", "text", "kind", "county"; returns them in the new order."""
    for c in candidates:
        folded = fold(c["text"])
        factor = 1.0
        if len(group_needles) > 1:  # proximity of the terms: where each stands (not needed for one)
            window = _window([[s for s, _ in term_spans(folded, needles)] for needles in group_needles])
            if window is not None:
                factor *= 1 + PROXIMITY_WEIGHT * PROXIMITY_SCALE / (PROXIMITY_SCALE + window)
        all_needles = [n for needles in group_needles for n in needles]
        if _states_a_figure_for(c, all_needles):
            factor *= 1 + FIGURE_WEIGHT
        elif _names_only_other_indicators(folded, group_needles):
            factor *= PART_FACTOR
        c["score"] = c["score"] * factor
    candidates.sort(key=lambda c: -c["score"])
    if not diversify:
        return candidates
    # A county's result and its target (two years) are both worth seeing; a third sentence of the
    # same county and year is worth less than another county's first.
    seen: dict = {}
    for c in candidates:
        county, county_year = c["county"], (c["county"], c.get("year"))
        c["score"] *= COUNTY_DECAY ** seen.get(county, 0) * SAME_YEAR_DECAY ** seen.get(county_year, 0)
        seen[county] = seen.get(county, 0) + 1
        seen[county_year] = seen.get(county_year, 0) + 1
    candidates.sort(key=lambda c: -c["score"])
    return candidates


def _states_a_figure_for(candidate: dict, needles: list[str]) -> bool:
    """Does the passage give the year's figure for the indicator the query names, paired with it
    without doubt (not merely mention it, nor give the figure of 交通固定资产投资)?"""
    figures = candidate.get("figures")
    if not figures or "paired" not in figures[0]:  # an index built before pairing was known
        figures = extract_figures(candidate["text"], candidate["kind"])
    return bool(figures_for(figures, needles))


def _names_only_other_indicators(folded: str, group_needles: list[list[str]]) -> bool:
    """For a one-term query: is every mention of the term, and of its synonyms, part of another
    indicator's name (单位GDP能耗, 民营经济占GDP比重)?"""
    if len(group_needles) != 1:
        return False
    present = [n for n in group_needles[0] if n and n in folded]
    return bool(present) and all(mentions_only_as_part(folded, n) for n in present)
