"""Targets against results (目标完成情况): per place, indicator and year, the target set for the year
and the result stated for it, and whether the target was met.

A report of year N sets targets for N (its plan sections); the report of year N+1 states what N
achieved (its review). Passages carry the year their section speaks about, so a sure target figure
and a sure result figure of one place, year and unit make a pair (see ``search.figures.extraction`` for what
"sure" means). A 计划执行情况 report also has tables that give both on one row (地区生产总值增速（%）：
2022年预期目标 6.5，2022年完成情况 2.6); such a row is a pair by itself, and is preferred.

The verdict compares the result with the target: met (达到) when it reaches the target, at least for
most indicators and at most for a ceiling (以内, ≤, 控制在, and indicators where less is better: price
rises, unemployment, deaths); a range is reached at its lower end; a decline target (能耗下降3%) is
met by a decline at least as large. missed (未达到) otherwise; 视为完成 when a review passage says so
about the indicator (…计划目标由4%调整为增长0.1%，视为完成); undetermined (无法判断) when the result is
itself a bound that cannot decide (2.5以内 against a target of 1.5以内).
"""

from __future__ import annotations

import re
from collections import defaultdict

from ..query.parse import parse
from .compare import sure_figures
from ..documents import SECTION_REVIEW
from .extraction import base_value, shown_text
from .indicators import indicator_key

CANDIDATE_PAGES = 4
PAGE = 50
STATUS_LABELS = {"met": "达到", "missed": "未达到", "deemed_met": "视为完成", "undetermined": "无法判断"}
# Indicators where a smaller result is the better one: their targets are ceilings.
_CEILING = re.compile(r"价格|失业率|死亡|事故|能耗|排放")
_DECLINE = re.compile(r"降低|下降|减少|降幅")  # 单位GDP能耗降低（%）: a row of declines
_DEEMED = re.compile(r"视为完成")
_GROWTH = re.compile(r"增速|增幅|增长")


def targets(engine, q: str, *, county=()) -> dict:
    """{"query", "also_searched", "rows": [pair…], "unpaired": [side…]} for the indicator ``q``.

    A pair: {"county", "county_full", "year", "indicator", "unit", "source" ("table" or "reports"),
    "target": side, "result": side, "status", "status_label", "note"?: passage}; one per place, year,
    unit and indicator (a query for 城乡居民人均可支配收入 may pair 城镇's and 农村's separately). A side:
    {"value", "text", "shown", "role", "indicator", "passage", …}. Rows are ordered by place (as in
    the index), then year."""
    first = None
    table_pairs: dict[tuple, dict] = {}
    sides: dict[tuple, dict[str, list]] = defaultdict(lambda: {"target": [], "actual": []})
    deemed: dict[tuple, dict] = {}
    plan = parse(q)
    needles = plan.folded_terms
    for page in range(1, CANDIDATE_PAGES + 1):
        result = engine.search(plan, county=county, page=page, per_page=PAGE)
        first = first or result
        for hit in result["hits"]:
            place_year = (hit["county"], hit["year"])
            if hit["section"] == SECTION_REVIEW and _DEEMED.search(hit["text"]):
                deemed.setdefault(place_year, hit)
            figures = sure_figures(hit, needles) if needles else []
            if hit["kind"] == "row":
                _add_table_pair(table_pairs, hit, figures)
                continue
            for figure in figures:
                # 城乡…分别增长4%和7.1% gives 城镇's and 农村's: each is paired with its own kind.
                key = (*place_year, figure["unit"], indicator_key(figure.get("indicator")))
                sides[key][figure["role"]].append(_side(figure, hit))
        if page >= result["pages"]:
            break
    pairs = dict(table_pairs)
    unpaired = []
    for key, found in sides.items():
        if key in pairs:
            continue
        if found["target"] and found["actual"]:
            pairs[key] = _pair(found["target"][0], found["actual"][0])
        else:
            unpaired += [side for side in found["target"][:1] + found["actual"][:1]]
    for key, pair in pairs.items():
        note = deemed.get(key[:2])
        # A note about the growth target (…增速计划目标由10%调整为6%，视为完成) says nothing of the amount.
        about_growth = note and _GROWTH.search(note["text"])
        if note and pair["status"] == "missed" and (pair["unit"] == "%" or not about_growth):
            pair.update(status="deemed_met", note=note)
        pair["status_label"] = STATUS_LABELS[pair["status"]]
    order = {c: i for i, c in enumerate(dict.fromkeys(r["county"] for r in engine.reports()))}
    place_order = lambda r: (order.get(r["county"], len(order)), r["county"], r["year"])  # noqa: E731
    return {
        "query": first["query"] if first else q,
        "also_searched": first["also_searched"] if first else {},
        "rows": sorted(pairs.values(), key=place_order),
        "unpaired": sorted(unpaired, key=lambda s: place_order(s["passage"])),
    }


def verdict(target: dict, result: dict, indicator: str = "") -> str:
    """met, missed or undetermined: does the result figure reach the target figure?"""
    # 能耗 is a ceiling, but 能耗下降3% is a decline to reach: the direction of the target governs.
    ceiling = target.get("qualifier") in ("≤", "<") or (
        bool(_CEILING.search(indicator)) and target.get("change") != "下降" and not _DECLINE.search(indicator))
    goal, outcome = _comparable(target, target), _comparable(result, target)
    if ceiling:  # from here on, bigger is better
        goal, outcome = -goal, -outcome
    bound = result.get("qualifier")
    if bound in ("≥", ">", "≤", "<"):
        at_least = (bound in ("≥", ">")) != ceiling  # the result is at least outcome (预计64以上)
        if at_least:
            return "met" if outcome >= goal else "undetermined"
        return "missed" if outcome < goal else "undetermined"  # 2.5以内 against 1.5以内
    return "met" if outcome >= goal - 1e-9 else "missed"


def _comparable(figure: dict, target: dict) -> float:
    """The figure's value, signed so that bigger is better for the target's direction: a decline
    target (下降3%) counts declines as positive."""
    _, value = base_value(figure)
    if figure.get("change") == "下降":
        value = -value
    return -value if target.get("change") == "下降" else value


def _side(figure: dict, hit: dict) -> dict:
    return {"value": figure["value"], "high": figure.get("high"), "unit": figure["unit"], "text": figure["text"],
            "shown": shown_text(figure), "role": figure["role"], "indicator": figure.get("indicator"),
            "qualifier": figure.get("qualifier"), "change": figure.get("change"), "passage": hit}


def _pair(target: dict, result: dict) -> dict:
    passage = result["passage"]
    return {"county": passage["county"], "county_full": passage["county_full"], "year": passage["year"],
            "indicator": target["indicator"], "unit": result["unit"],
            "source": "table" if passage["kind"] == "row" else "reports",
            "target": target, "result": result,
            "status": verdict(target, result, target.get("indicator") or "")}


def _add_table_pair(pairs: dict, hit: dict, figures: list[dict]) -> None:
    by_role = {}
    for figure in figures:
        by_role.setdefault(figure["role"], figure)
    target, actual = by_role.get("target"), by_role.get("actual")
    if target and actual and target["unit"] == actual["unit"]:
        key = (hit["county"], hit["year"], target["unit"], indicator_key(target.get("indicator")))
        pairs.setdefault(key, _pair(_side(target, hit), _side(actual, hit)))
