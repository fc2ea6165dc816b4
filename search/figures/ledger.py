"""The targets ledger: every place's targets against its results, year after year, as plain rows.

``ledger(engine, place=, level=, province=, year=, q=, rule=)`` returns one row per (place,
indicator, year) the reports speak of, with the target's band and wording, the result and where it
came from, the gap and the verdict under the rule the caller picks (``ledger_rules``), and the
amplification over the level above (层层加码): this target minus the same indicator's target of the
place one level up (the nation for a province, the province for a city, the city for a county, the
province for a county no city stands over), for the same year, when that report is indexed. Figures
that are not sure are listed apart, with the reason (``unsure``).

The table is built from the whole index (``ledger_build``) once per snapshot and kept; a call
filters it and judges it under its rule, which costs milliseconds.
"""

from __future__ import annotations

import threading

from ..documents import LEVELS
from ..errors import BadParameter, UnknownFilter
from .indicators import indicator_key, ledger_indicators
from .ledger_build import SOURCES, build_table
from .ledger_rules import QUALIFIERS, RULES, amplification_base, check_rule, judge

__all__ = ["QUALIFIERS", "RULES", "SOURCES", "indicator_names", "ledger", "parse_years"]

_LEVEL_ORDER = {level: i for i, level in enumerate(LEVELS)}  # the nation first, then provinces…
_LOCK = threading.Lock()
_TABLES: dict[tuple, dict] = {}  # (engine id, snapshot name) → table; one snapshot per engine kept


def indicator_names() -> list[str]:
    return [i.name for i in ledger_indicators()]


def ledger(engine, *, place=(), level=(), province=(), year=(), q: str = "", rule: str | None = None) -> dict:
    """{"rule", "rule_label", "tolerance", "indicators", "rows", "unsure"} for the filters.

    ``place`` takes any level's name (全国, 江苏, 南京市); ``year`` single years or spans
    (2010-2025); ``q`` an indicator's name or synonym (GDP, 国内生产总值) or several separated by
    spaces, none for all. Unknown places, levels, provinces, indicators and rules raise a user error
    with a message in Chinese."""
    from .. import settings

    rule = check_rule(rule)
    names = _indicators(q)
    years = parse_years(year)
    snap = engine.generation()
    filters = snap.resolve({"place": list(place), "province": list(province), "level": _levels(level)})
    places = set(filters.get("place", []))
    table = _table(engine, snap.name)

    def wanted(item: dict) -> bool:
        return ((not places or item["place_full"] in places) and item["indicator"] in names
                and (not filters.get("level") or item["level"] in filters["level"])
                and (not filters.get("province") or item["province"] in filters["province"])
                and (not years or item["year"] in years))

    rows = []
    for row in table["rows"]:
        if wanted(row):
            gap, met = judge(row, rule)
            # Every rule's verdict too, so that a spreadsheet can set them side by side.
            verdicts = {f"met_{name}": judge(row, name)[1] for name in RULES}
            rows.append({**row, "gap": gap, "met": met, "rule": rule, **verdicts})
    order = {name: i for i, name in enumerate(names)}
    rows.sort(key=lambda r: (order[r["indicator"]], _LEVEL_ORDER.get(r["level"], 9), r["province"],
                             r["place_full"], r["year"]))
    return {"rule": rule, "rule_label": RULES[rule], "tolerance": settings.get("targets_tolerance"),
            "indicators": names, "rows": rows, "unsure": [u for u in table["unsure"] if wanted(u)]}


def parse_years(values) -> set[int]:
    """{2010, …, 2025} from ["2010-2025"], ["2019", "2021"] or "2024"; a clear error otherwise."""
    if isinstance(values, (str, int)):
        values = [values]
    years: set[int] = set()
    for value in values:
        for part in str(value).replace("，", ",").split(","):
            part = part.strip().replace("—", "-").replace("–", "-").replace("至", "-")
            if not part:
                continue
            try:
                low, _, high = part.partition("-")
                first, last = int(low), int(high or low)
            except ValueError:
                raise BadParameter(f"年份须是四位数字或范围（如 2024 或 2010-2025），不能是“{part}”") from None
            if not (1949 <= first <= last <= 2100):
                raise BadParameter(f"年份范围“{part}”不对：须在 1949 到 2100 之间，且前小后大") from None
            years.update(range(first, last + 1))
    return years


def _indicators(q: str) -> list[str]:
    """The ledger's indicators that ``q`` names, in the table's order; all of them for an empty q."""
    known = indicator_names()
    if not q or not q.strip():
        return known
    wanted = []
    for term in q.replace("，", " ").replace(",", " ").split():
        key = indicator_key(term)
        if key not in known:
            raise UnknownFilter(f"目标台账没有指标“{term}”；可选：{'、'.join(known)}", "unknown_indicator")
        wanted.append(key)
    return [name for name in known if name in wanted]


def _levels(level) -> list[str]:
    levels = [level] if isinstance(level, str) else list(level)
    for value in levels:
        if value not in LEVELS:
            raise UnknownFilter(f"级别只能是 {'、'.join(LEVELS)} 之一，不能是“{value}”", "unknown_level")
    return levels


def _table(engine, snapshot_name: str) -> dict:
    key = (id(engine), snapshot_name)
    with _LOCK:
        table = _TABLES.get(key)
        if table is None:
            table = build_table(engine)
            _amplify(table["rows"])
            for stale in [k for k in _TABLES if k[0] == id(engine)]:
                del _TABLES[stale]
            _TABLES[key] = table
    return table


def _amplify(rows: list[dict]) -> None:
    """Set each row's amplification over the place one level up, where both targets are known."""
    by_place = {(r["place_full"], r["indicator"], r["year"]): r for r in rows}
    for row in rows:
        row["amplification"], row["amplification_over"] = None, ""
        base = amplification_base(row)
        if base is None:
            continue
        for parent in _parents(row):
            above = by_place.get((parent, row["indicator"], row["year"]))
            if above is not None and amplification_base(above) is not None:
                row["amplification"] = round(base - amplification_base(above), 4)
                row["amplification_over"] = above["place"]
                break


def _parents(row: dict) -> list[str]:
    """The full names of the places one level up, nearest first."""
    if row["level"] == "省级":
        return ["全国"]
    if row["level"] == "地级":
        return [row["province"]]
    if row["level"] == "县级":
        # A county's city; the province only for a county no city stands over (省直管: 仙桃). A
        # county whose city's report is not indexed has none, not one over its province.
        return [row["province"] + row["city"]] if row["city"] else [row["province"]]
    return []
