"""Charts of the ledger: per indicator and place, across the years, the target band against the result.

Drawn on the server as SVG geometry (the Content-Security-Policy forbids inline styles, and no chart
library is fetched). A band is a rectangle from the target's low to its high end; an open end
(以上, 以内) runs to the edge of the plot and is drawn lighter; a point target (5%左右) is a thin band.
The result is a dot, the aspiration (力争) a short dashed line. Charts are drawn only for a view
narrow enough to read them (``MAX_CHARTS`` series at most): a place or an indicator chosen.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

WIDTH, HEIGHT = 420, 180
YEAR_WIDTH = 36  # room for a year's label (2024 in 11px) and its band: a long series makes a wider chart
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 28
MAX_CHARTS = 12


@dataclass(frozen=True)
class Mark:
    year: int
    x: float
    band: tuple[float, float] | None  # (y of the top, height)
    open_end: bool
    actual_y: float | None
    aspiration_y: float | None
    label: str  # what a screen reader and the tooltip say


@dataclass(frozen=True)
class LedgerChart:
    title: str
    unit: str
    marks: list[Mark]
    ticks: list[tuple[float, str]]  # (y, label) on the value axis
    width: int = WIDTH
    height: int = HEIGHT
    plot_bottom: int = HEIGHT - BOTTOM
    plot_left: int = LEFT

    @property
    def summary(self) -> str:
        return f"{self.title}：" + "；".join(m.label for m in self.marks)


def ledger_charts(rows: list[dict]) -> list[LedgerChart]:
    """A chart per (indicator, place) with two years or more, when the view has few enough of them."""
    series = defaultdict(list)
    for row in rows:
        if row["target_low"] is not None or row["target_high"] is not None or row["actual"] is not None:
            series[(row["indicator"], row["place_full"])].append(row)
    series = {k: v for k, v in series.items() if len({r["year"] for r in v}) >= 2}
    if not series or len(series) > MAX_CHARTS:
        return []
    return [_chart(sorted(rows, key=lambda r: r["year"])) for rows in series.values()]


def _chart(rows: list[dict]) -> LedgerChart:
    values = [v for r in rows for v in (r["target_low"], r["target_high"], r["actual"], r["aspiration"])
              if v is not None]
    low, high = min(values), max(values)
    pad = (high - low) * 0.15 or abs(high) * 0.1 or 1
    low, high = low - pad, high + pad
    plot_h = HEIGHT - TOP - BOTTOM
    y = lambda v: round(TOP + (high - v) / (high - low) * plot_h, 1)  # noqa: E731
    years = list(range(rows[0]["year"], rows[-1]["year"] + 1))
    width = max(WIDTH, LEFT + RIGHT + YEAR_WIDTH * len(years))
    step = (width - LEFT - RIGHT) / len(years)
    x = lambda year: round(LEFT + step * (years.index(year) + 0.5), 1)  # noqa: E731
    marks = []
    for r in rows:
        band, open_end = None, False
        lo, hi = r["target_low"], r["target_high"]
        if lo is not None or hi is not None:
            open_end = lo is None or hi is None
            top = y(hi) if hi is not None else TOP
            bottom = y(lo) if lo is not None else TOP + plot_h
            band = (min(top, bottom - 3), max(3.0, round(bottom - top, 1)))
        label = f"{r['year']}年 目标 {r['target_text'] or '—'}，实绩 {r['actual_text'] or '—'}"
        if r["aspiration"] is not None:
            label += f"，力争 {r['aspiration']:g}"
        marks.append(Mark(r["year"], x(r["year"]), band, open_end,
                          y(r["actual"]) if r["actual"] is not None else None,
                          y(r["aspiration"]) if r["aspiration"] is not None else None, label))
    ticks = [(y(v), f"{v:g}") for v in _nice_ticks(low, high)]
    first = rows[0]
    return LedgerChart(title=f"{first['place']}“{first['indicator']}”目标与实绩（{first['unit']}）",
                       unit=first["unit"], marks=marks, ticks=ticks, width=width)


def _nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round values (1, 2, 2.5 or 5 times a power of ten apart) for the value axis."""
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.ceil(low / step) * step
    return [round(start + i * step, 6) for i in range(count + 2) if start + i * step <= high]
