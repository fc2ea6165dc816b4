"""What the index holds: a grid of places × years, and in each cell the reports held (by type).

Before comparing, a researcher needs to know what is missing: which places have which years, and
whether a year has its 政府工作报告, its 计划执行情况报告 or only a budget. A report counts for the
year it was delivered (the 2025 report reviews 2024 and sets 2025's targets).
"""

from __future__ import annotations

from .documents import LEVELS, TYPES


def coverage(engine, *, province=(), level=()) -> dict:
    """{"years": [...], "types": [...], "places": [{"place", "place_full", "level", "province",
    "adcode", "cells": {year: [{"type", "report_id", "title"}]}}]}, the nation first, then by level,
    province and name. Unknown provinces and levels raise a user error (as a search's filters do)."""
    filters = engine.generation().resolve({"province": list(province), "level": list(level)})
    places: dict[str, dict] = {}
    years = set()
    for report in engine.reports():
        if filters.get("province") and report.get("province") not in filters["province"]:
            continue
        if filters.get("level") and report.get("level") not in filters["level"]:
            continue
        entry = places.setdefault(report["place"], {
            "place": report["county"], "place_full": report["place"], "level": report.get("level", ""),
            "province": report.get("province", ""), "adcode": report.get("adcode", ""), "cells": {}})
        entry["cells"].setdefault(report["year"], []).append(
            {"type": report["type"], "report_id": report["id"], "title": report["title"]})
        years.add(report["year"])
    order = {level: i for i, level in enumerate(LEVELS)}
    ranked = sorted(places.values(), key=lambda p: (order.get(p["level"], 9), p["province"], p["place_full"]))
    for place in ranked:
        for cell in place["cells"].values():
            cell.sort(key=lambda r: TYPES.index(r["type"]) if r["type"] in TYPES else len(TYPES))
    held = {r["type"] for p in ranked for cell in p["cells"].values() for r in cell}
    return {"years": sorted(years), "types": [t for t in TYPES if t in held] + sorted(held - set(TYPES)),
            "places": ranked}
