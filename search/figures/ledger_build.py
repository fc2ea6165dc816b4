"""Building the targets ledger's table from every passage of the index, once per snapshot.

The ledger is a panel, not a search: a researcher needs every (place, indicator, year) the reports
speak of, so every passage that names a ledger indicator is read, never only the best-ranked ones.
Each figure the extraction finds (``search.figures.extraction``) for a ledger indicator, in the
indicator's unit, is a candidate: a target for the year a plan section speaks of, a result for the
year a review speaks of. Candidates of one place, indicator and year then make one row:

- the target is the best-placed sure candidate (a 政府工作报告 before a 计划执行情况报告 before a
  budget; a goals section or goal wording before a bare figure); a second value after 力争 in the
  same passage is the aspiration;
- the result is the best-sourced sure candidate: a 统计公报 (when the index holds one), a 计划执行情况
  table row, a 计划执行情况报告, the next 政府工作报告's review, a budget report; a figure the
  report gives as final before one it gives as 预计;
- where the best candidates disagree, the row gets no figure and the disagreement is listed among
  the unsure, with the reason, as are figures the extraction is not sure of (precision first).

A year whose target-setting report is indexed but sets no figure for an indicator that earlier
years had is a row with ``no_target``.
"""

from __future__ import annotations

import re
from collections import defaultdict

from ..documents import (HEADING_SEPARATOR, SECTION_GOALS, SECTION_REVIEW, TYPE_BUDGET, TYPE_BULLETIN, TYPE_PLAN,
                         TYPE_WORK, citation)
from .extraction import extract, shown_text
from .indicators import LedgerIndicator, indicator_key, ledger_indicators
from .ledger_rules import aspiring, estimated, mark_fell_to, result_bound, signed, target_band

SOURCES = {"bulletin": "统计公报", "table": "计划执行情况表", "plan": "计划执行情况报告",
           "review": "下一年政府工作报告的回顾", "budget": "预算执行情况报告"}
_SOURCE_ORDER = list(SOURCES)
_TARGET_TYPES = {TYPE_WORK: 0, TYPE_PLAN: 1, TYPE_BUDGET: 2}
# Units the ledger converts into its own (粮食产量 in 亿斤: 1万吨 is 0.2亿斤).
_FACTORS = {("亿斤", "万吨"): 0.2}
_GOAL_WORDING = re.compile(r"目标|预期|力争|确保|控制在|左右|以上|以内|不低于|不超过")
_MULTI_YEAR_CHAPTER = re.compile(r"五年|十年|十[一二三四五]五|时期")
_PLAN_WORDING = re.compile(r"目标|预期|力争|确保|左右|以上|以内|不低于|不超过")
# A plan chapter that opens with the past year (三、2011年的工作: 过去一年，我们…。国内生产总值增长10.3%…).
_FALL_ROW = re.compile(r"降低|下降|减少|降幅")  # a table row whose name says its values are falls
_LOOKS_BACK = re.compile(r"^(?:过去一年|去年|刚刚过去的一年)")


def build_table(engine) -> dict:
    """{"rows": [row…], "unsure": [item…]} for the whole index (see ``search.figures.ledger``)."""
    indicators = {i.name: i for i in ledger_indicators()}
    names = sorted({n for i in indicators.values() for n in (i.name, *i.synonyms)}, key=len, reverse=True)
    mentions = re.compile("|".join(map(re.escape, names)), re.IGNORECASE)
    reports = {r["id"]: r for r in engine.reports()}
    candidates: dict[tuple, list[dict]] = defaultdict(list)
    unsure: list[dict] = []
    deemed: dict[tuple, tuple] = {}  # (place, indicator, year) → the review passage that says 视为完成
    previous = None
    for fields in engine.export():
        text = fields["text"]
        report = reports[fields["report_id"]]
        if fields["section"] == SECTION_REVIEW and "视为完成" in text:
            for indicator in indicators.values():
                if any(n in text for n in (indicator.name, *indicator.synonyms)):
                    deemed.setdefault((report["place"], indicator.name, int(fields["year"])), (fields, report))
        if mentions.search(text) and re.search(r"\d", text):
            looks_back = bool(previous and previous["para"] == fields["para"]
                              and previous["report_id"] == fields["report_id"]
                              and _LOOKS_BACK.match(previous["text"]))
            for candidate in _candidates(fields, report, indicators, looks_back):
                if candidate["sure"]:
                    candidates[candidate["key"]].append(candidate)
                else:
                    unsure.append(_unsure(candidate, candidate["reason"]))
        previous = fields
    rows = []
    for key, found in candidates.items():
        row = _row(key, found, indicators[key[1]], unsure)
        if row:
            rows.append(row)
    rows += _no_target_rows(rows, reports, candidates, unsure, indicators)
    for row in rows:
        note = deemed.get((row["place_full"], row["indicator"], row["year"]))
        if note:  # …计划目标由4%调整为增长0.1%，视为完成: the report's own word, beside any rule's verdict
            fields, report = note
            row.update(deemed_met=True, deemed_citation=citation(report, fields["heading"]),
                       deemed_url=f"/p/{fields['id']}")
    return {"rows": rows, "unsure": unsure}


# -- candidates ------------------------------------------------------------------------------------


def _candidates(fields: dict, report: dict, indicators: dict[str, LedgerIndicator], looks_back: bool):
    text, section, year = fields["text"], fields["section"], int(fields["year"])
    # A 统计公报 accounts for its year and sets no goals: each of its figures is read as a review's.
    bulletin = report.get("type") == TYPE_BULLETIN
    figures = extract(text, fields["kind"], section=SECTION_REVIEW if bulletin else section, year=year,
                      heading=fields["heading"])
    multi_year = bool(_MULTI_YEAR_CHAPTER.search(fields["heading"].split(HEADING_SEPARATOR)[0]))
    for figure in figures:
        name = indicator_key(figure.get("indicator"))
        indicator = indicators.get(name)
        if indicator is None or figure.get("value") is None or figure.get("period") == "multi-year":
            continue
        factor = 1 if figure.get("unit") == indicator.unit else _FACTORS.get((indicator.unit, figure.get("unit")))
        if factor is None:
            continue  # another measure of the indicator (GDP in 亿元): not the ledger's
        mark_fell_to(text, figure)
        if fields["kind"] == "row" and not figure.get("change") and _FALL_ROW.search(text.split("：", 1)[0]):
            figure["change"] = "下降"  # 单位GDP能耗降低（%）：2022年预期目标 3.3: every value is a fall
        role, figure_year = figure.get("role"), figure.get("year", year)
        if bulletin and role == "target":
            continue  # …完成年度计划目标: a bulletin's word about a goal, not the goal
        doubt = _doubt(figure, year)
        if multi_year and figure.get("change") == "下降" and not figure.get("fell_to") and figure.get("sure"):
            figure["sure"], doubt = False, "五年规划或五年回顾一章里的降幅，可能是几年累计"
        if section == SECTION_REVIEW and role == "target" and "今年" in text and figure.get("sure"):
            # The next year's goals read as part of the review (a chapter heading the reader missed).
            figure["sure"], doubt = False, "回顾一章里说“今年”的目标，看不出是哪一年的"
        if looks_back and role == "target" and section != SECTION_REVIEW and not _PLAN_WORDING.search(text):
            role, figure_year = "actual", year - 1
        yield {"key": (report["place"], name, figure_year), "role": role, "figure": figure, "factor": factor,
               "fields": fields, "report": report, "indicator": indicator, "sure": figure.get("sure", False),
               "reason": doubt}


def _doubt(figure: dict, year: int) -> str:
    if not figure.get("paired"):
        return "数值与指标的对应不确定（如几个指标共用一串数值）"
    if figure.get("threshold"):
        return "是台阶或关口（如迈上…台阶），不是当年的数值"
    if figure.get("period") == "unknown":
        return "可能是几年的合计，不一定是当年的数值"
    if not figure.get("role"):
        return "看不出是目标还是实绩"
    if figure.get("year", year) != year:
        return f"句中说的是{figure['year']}年，与所在章节的年份（{year}年）不同"
    return "抽取不确定"


def _source(candidate: dict) -> str:
    rtype = candidate["report"].get("type")
    if rtype == TYPE_BULLETIN:
        return "bulletin"
    if candidate["fields"]["kind"] == "row":
        return "table"
    return {TYPE_PLAN: "plan", TYPE_BUDGET: "budget"}.get(rtype, "review")


# -- rows ------------------------------------------------------------------------------------------


def _row(key: tuple, found: list[dict], indicator: LedgerIndicator, unsure: list[dict]) -> dict | None:
    targets = [c for c in found if c["role"] == "target"]
    actuals = [c for c in found if c["role"] == "actual"]
    target, aspiration = _pick_target(targets, unsure)
    actual = _pick_actual(actuals, unsure)
    if target is None and actual is None:
        return None
    first = target or actual
    row = {**_base_row(first["report"], indicator, key[2]),
           "indicator_as_written": first["figure"].get("indicator", ""),
           **_passage_columns("target", target), **_passage_columns("actual", actual)}
    if target:
        text = target["fields"]["text"]
        row.update(target_band(text, target["figure"], indicator.measure, target["factor"]),
                   target_text=shown_text(target["figure"]))
        if aspiration:
            row["aspiration"] = round(signed(aspiration["figure"]["value"] * aspiration["factor"],
                                             aspiration["figure"], indicator.measure), 4)
        elif row["qualifier"] == "力争":
            row["aspiration"] = row["target_low"]
    if actual:
        source = _source(actual)
        row.update(actual=round(signed(actual["figure"]["value"] * actual["factor"], actual["figure"],
                                       indicator.measure), 4),
                   actual_bound=result_bound(actual["figure"], indicator.measure),
                   actual_text=shown_text(actual["figure"]), actual_source=source,
                   actual_source_label=SOURCES[source],
                   estimated=estimated(actual["fields"]["text"], actual["figure"]))
    return row


def _pick_target(targets: list[dict], unsure: list[dict]) -> tuple[dict | None, dict | None]:
    """(the target, its aspiration) from the sure target candidates of one row."""
    main = [c for c in targets if not (aspiring(c["fields"]["text"], c["figure"]) and _has_plain(c, targets))]
    aspirations = [c for c in targets if c not in main]
    if not main:
        return None, None
    rank = lambda c: (_TARGET_TYPES.get(c["report"].get("type"), 3),  # noqa: E731
                      not (c["fields"]["section"] == SECTION_GOALS or _GOAL_WORDING.search(c["fields"]["text"])))
    best_rank = min(map(rank, main))
    best = [c for c in main if rank(c) == best_rank]
    values = {(_value(c), c["figure"].get("high")) for c in best}
    if len(values) > 1:
        shown = "、".join(dict.fromkeys(shown_text(c["figure"]) for c in best))
        for c in best:
            unsure.append(_unsure(c, f"同一年有不同的目标值（{shown}），无法确定哪一个是目标"))
        return None, None
    # The same value written twice (预期目标 and its explanation): the one with the report's wording.
    chosen = max(best, key=lambda c: bool(c["figure"].get("qualifier")))
    own = [a for a in aspirations if a["fields"]["id"] == chosen["fields"]["id"]]
    return chosen, (own[0] if own else None)


def _has_plain(candidate: dict, targets: list[dict]) -> bool:
    """Whether the candidate's passage also states the indicator's target without 力争 before it."""
    return any(c["fields"]["id"] == candidate["fields"]["id"] and c["figure"]["start"] < candidate["figure"]["start"]
               and not aspiring(c["fields"]["text"], c["figure"]) for c in targets)


def _pick_actual(actuals: list[dict], unsure: list[dict]) -> dict | None:
    if not actuals:
        return None
    rank = lambda c: (_SOURCE_ORDER.index(_source(c)), estimated(c["fields"]["text"], c["figure"]))  # noqa: E731
    best_rank = min(map(rank, actuals))
    best = [c for c in actuals if rank(c) == best_rank]
    values = {_value(c) for c in best}
    if len(values) > 1:
        shown = "、".join(dict.fromkeys(shown_text(c["figure"]) for c in best))
        for c in best:
            unsure.append(_unsure(c, f"同一年有不同的实绩值（{shown}），无法确定哪一个是实绩"))
        return None
    return best[0]


def _value(candidate: dict) -> float:
    """The candidate's value in the ledger's unit, a fall negative: what two candidates must agree on."""
    return round(signed(candidate["figure"]["value"] * candidate["factor"], candidate["figure"],
                        candidate["indicator"].measure), 6)


def _passage_columns(side: str, candidate: dict | None) -> dict:
    if candidate is None:
        return {f"{side}_passage_id": "", f"{side}_citation": "", f"{side}_url": "", f"{side}_passage": ""}
    fields, report = candidate["fields"], candidate["report"]
    return {f"{side}_passage_id": fields["id"], f"{side}_citation": citation(report, fields["heading"]),
            f"{side}_url": f"/p/{fields['id']}", f"{side}_passage": fields["text"]}


def _unsure(candidate: dict, reason: str) -> dict:
    fields, report = candidate["fields"], candidate["report"]
    return {"place": report["county"], "place_full": report["place"], "level": report.get("level", ""),
            "province": report.get("province", ""), "year": candidate["key"][2],
            "indicator": candidate["indicator"].name, "role": candidate["role"] or "",
            "shown": shown_text(candidate["figure"]), "reason": reason, "passage_id": fields["id"],
            "citation": citation(report, fields["heading"]), "url": f"/p/{fields['id']}", "text": fields["text"]}


def _no_target_rows(rows: list[dict], reports: dict, candidates: dict, unsure: list[dict],
                    indicators: dict[str, LedgerIndicator]) -> list[dict]:
    """Rows for the years whose report is indexed and sets no figure for an indicator earlier years had;
    a row with a result but no target is marked in place."""
    first_target: dict[tuple, int] = {}
    for row in rows:
        if row["target_low"] is not None or row["target_high"] is not None:
            key = (row["place_full"], row["indicator"])
            first_target[key] = min(first_target.get(key, row["year"]), row["year"])
    doubtful = {(u["place_full"], u["indicator"], u["year"]) for u in unsure}
    by_key = {(r["place_full"], r["indicator"], r["year"]): r for r in rows}
    # Only a report whose goals were read (a target found for some indicator) can be said to set none.
    goals_read = {(r["place_full"], r["year"]) for r in rows if r["target_text"]}
    setting = [r for r in reports.values() if r.get("type") in (TYPE_WORK, TYPE_PLAN)]
    added = []
    for (place, name), since in first_target.items():
        for report in setting:
            year = report.get("plan_year") or report["year"]
            key = (place, name, year)
            if report["place"] != place or year <= since or key in doubtful or (place, year) not in goals_read:
                continue
            if any(c["role"] == "target" for c in candidates.get(key, [])):
                continue
            row = by_key.get(key)
            if row is None:
                row = _empty_row(report, indicators[name], year)
                by_key[key] = row
                added.append(row)
            row["no_target"] = True
    return added


def _empty_row(report: dict, indicator: LedgerIndicator, year: int) -> dict:
    return {**_base_row(report, indicator, year), **_passage_columns("target", None),
            **_passage_columns("actual", None)}


def _base_row(report: dict, indicator: LedgerIndicator, year: int) -> dict:
    return {
        "place": report["county"], "place_full": report["place"], "adcode": report.get("adcode", ""),
        "level": report.get("level", ""), "province": report.get("province", ""), "city": report.get("city", ""),
        "year": year, "indicator": indicator.name, "indicator_as_written": "",
        "unit": indicator.unit, "direction": indicator.direction,
        "target_low": None, "target_high": None, "qualifier": None, "hard": None, "aspiration": None,
        "target_text": "", "actual": None, "actual_bound": "", "actual_text": "", "actual_source": "",
        "actual_source_label": "", "estimated": None, "no_target": False,
        "deemed_met": False, "deemed_citation": "", "deemed_url": "",
    }
