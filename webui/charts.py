"""Bar charts of where a topic is discussed, drawn on the server as SVG geometry.

Bars are SVG ``<rect>`` elements whose sizes are attributes, not ``style``: the Content-Security-Policy
forbids inline styles, and no chart library is fetched, because the machines that run this may be
offline. The template (``_partials.html``) only places what this module computes.
"""

from __future__ import annotations

from dataclasses import dataclass

from .params import facet_value_label

# The drawing's own coordinate system; the SVG scales to the width of its box.
# About the sidebar's width in CSS pixels, so that 13px text in the drawing shows at about 13px.
WIDTH = 224
LABEL_WIDTH = 52  # room for a three-character county name or "2024年"
COUNT_ROOM = 36  # room right of the longest bar for its count
ROW_HEIGHT = 26
BAR_HEIGHT = 16


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    selected: bool
    y: int  # top of the row
    width: float  # bar length in drawing units; a count of 1 still shows, a count of 0 does not

    # Where the template puts things: label, bar, then the count just right of the bar.
    rect_x = LABEL_WIDTH

    @property
    def rect_y(self) -> float:
        return self.y + (ROW_HEIGHT - BAR_HEIGHT) / 2

    @property
    def text_y(self) -> float:
        return self.y + ROW_HEIGHT / 2 + 5  # a baseline that centres 14px text on the bar

    @property
    def count_x(self) -> float:
        return LABEL_WIDTH + self.width + 6


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]

    width = WIDTH
    bar_height = BAR_HEIGHT

    @property
    def height(self) -> int:
        return ROW_HEIGHT * len(self.bars)

    @property
    def summary(self) -> str:
        """What the picture says, for screen readers."""
        return f"{self.title}：" + "，".join(f"{b.label} {b.count} 条" for b in self.bars)


def bar_chart(title: str, facet_name: str, rows: list[dict], chronological: bool = False) -> BarChart:
    """A chart of one facet's counts (``engine.search(...)["facets"][name]``)."""
    if chronological:
        rows = sorted(rows, key=lambda r: r["value"])
    longest = max((r["count"] for r in rows), default=0) or 1
    room = WIDTH - LABEL_WIDTH - COUNT_ROOM
    bars = [
        Bar(label=facet_value_label(facet_name, r["value"]), count=r["count"], selected=r["selected"],
            y=i * ROW_HEIGHT, width=round(max(2.0, room * r["count"] / longest), 1) if r["count"] else 0)
        for i, r in enumerate(rows)
    ]
    return BarChart(title=title, bars=bars)


FIGURE_LABEL_WIDTH = 84  # "酉阳 2023" needs more room than a facet value
FIGURE_WIDTH = 320


@dataclass(frozen=True)
class FigureBar(Bar):
    rect_x = FIGURE_LABEL_WIDTH

    @property
    def count_x(self) -> float:
        return FIGURE_LABEL_WIDTH + self.width + 6


@dataclass(frozen=True)
class FigureChart(BarChart):
    width = FIGURE_WIDTH


def figure_chart(chart: dict) -> BarChart:
    """The compare page's chart (``search.compare``'s ``chart``): one bar per county and year,
    labelled with the figure as the report writes it."""
    longest = chart["max"] or 1
    room = FIGURE_WIDTH - FIGURE_LABEL_WIDTH - 60  # the figure's text (557.7亿元) right of the bar
    bars = [FigureBar(label=f"{b['county']} {b['year']}", count=b["text"], selected=False, y=i * ROW_HEIGHT,
                      width=round(max(2.0, room * b["value"] / longest), 1) if b["value"] > 0 else 0)
            for i, b in enumerate(chart["bars"])]
    return FigureChart(title=f"各区县数值（{chart['unit']}）", bars=bars)
