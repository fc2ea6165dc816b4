"""The targets ledger's columns, in the order every export writes them, with their names in Chinese.

One list serves the CSV (CLI and site), the spreadsheet and the field table of docs/targets.md (a test
checks that it documents every column). Values are written as researchers' tools read them: numbers
as numbers, true/false as TRUE/FALSE, nothing as an empty cell; permalinks absolute when a base URL
is given.
"""

from __future__ import annotations

import csv
from typing import IO, Iterable

COLUMNS: tuple[tuple[str, str], ...] = (
    ("place", "地区"), ("place_full", "地区全称"), ("adcode", "行政区划代码"), ("level", "级别"),
    ("province", "省份"), ("city", "城市"), ("year", "年份"), ("indicator", "指标"),
    ("indicator_as_written", "原文指标名"), ("unit", "单位"), ("direction", "方向"),
    ("target_low", "目标下限"), ("target_high", "目标上限"), ("qualifier", "限定词"), ("hard", "硬约束"),
    ("aspiration", "力争值"), ("target_text", "目标原文"), ("no_target", "当年未设目标"),
    ("actual", "实绩"), ("actual_bound", "实绩界限"), ("actual_text", "实绩原文"),
    ("actual_source", "实绩来源"), ("actual_source_label", "实绩来源说明"), ("estimated", "预计数"),
    ("rule", "判断规则"), ("gap", "差距"), ("met", "是否达到"), ("met_strict", "是否达到（严格）"),
    ("met_tolerance", "是否达到（容差）"), ("met_midpoint", "是否达到（中点）"),
    ("deemed_met", "报告称视为完成"), ("amplification", "加码幅度"), ("amplification_over", "对比的上级"),
    ("target_citation", "目标出处"), ("target_url", "目标永久链接"), ("target_passage_id", "目标段落编号"),
    ("actual_citation", "实绩出处"), ("actual_url", "实绩永久链接"), ("actual_passage_id", "实绩段落编号"),
    ("deemed_citation", "视为完成的出处"), ("deemed_url", "视为完成的永久链接"),
)
FIELDS = tuple(name for name, _ in COLUMNS)
LINKS = ("target_url", "actual_url", "deemed_url")


def values(row: dict, base_url: str = "") -> list:
    """The row's values in column order, links made absolute with ``base_url`` (no trailing slash)."""
    out = []
    for name in FIELDS:
        value = row.get(name)
        if name in LINKS and value:
            value = base_url.rstrip("/") + value
        out.append(value)
    return out


def cell_text(value) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "TRUE" if value else "FALSE"
    return str(value)


def write_csv(rows: Iterable[dict], out: IO[str], base_url: str = "", bom: bool = True) -> None:
    """Every row as CSV, a header of field names first; a BOM so that Excel reads it as UTF-8."""
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(FIELDS)
    for row in rows:
        writer.writerow([cell_text(v) for v in values(row, base_url)])
