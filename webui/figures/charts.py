"""Bar charts of where a topic is discussed, drawn on the server as SVG geometry.

Bars are SVG ``<rect>`` elements whose sizes are attributes, not ``style``: the Content-Security-Policy
forbids inline styles, and no chart library is fetched, because the machines that run this may be
offline. The template (``_partials.html``) places what this module computes, and ``chart_bars``
writes the bars (a row as one format string, like ``webui.searching.fragments``). The results
page's charts of facet counts are ``webui.searching.pages.bar_chart``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from markupsafe import Markup, escape

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
    count: int | str  # written right of the bar: a count, or a figure as the report writes it
    selected: bool
    y: int  # top of the row
    width: float  # bar length in drawing units; a count of 1 still shows, a count of 0 does not
    # Where the template puts things: label, bar (from rect_x), then the count just right of the bar.
    rect_x: float = LABEL_WIDTH
    unit: str = " 条"  # what the count is, for the tooltip and screen readers
    kind: str = ""  # an extra class for the bar's group

    @property
    def spoken(self) -> str:
        return f"{self.label} {self.count}{self.unit}"

    @property
    def rect_y(self) -> float:
        return self.y + (ROW_HEIGHT - BAR_HEIGHT) / 2

    @property
    def text_y(self) -> float:
        return self.y + ROW_HEIGHT / 2 + 5  # a baseline that centres 14px text on the bar

    @property
    def count_x(self) -> float:
        return self.rect_x + self.width + 6


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    width: int = WIDTH
    kind: str = ""  # an extra class for the figure: "figure-chart" is drawn larger

    bar_height = BAR_HEIGHT

    @property
    def height(self) -> int:
        return ROW_HEIGHT * len(self.bars)

    @property
    def summary(self) -> str:
        """What the picture says, for screen readers."""
        return f"{self.title}：" + "，".join(b.spoken for b in self.bars)


# The compare page's chart is wider than the sidebar's and its labels and figures are longer
# ("云阳 2022", "557.7亿元"), so its columns are measured from the text they hold.
FIGURE_WIDTH = 400


def text_width(text: str) -> float:
    """About how wide 13px text is in drawing units: a CJK character is square, the rest narrower."""
    return sum(13 if unicodedata.east_asian_width(c) in "WF" else 8 for c in text)


def figure_chart(chart: dict, title: str = "", targets: set[str] = frozenset()) -> BarChart:
    """``search.figures.compare``'s chart: one bar per county and year, labelled with the figure as the
    report writes it. Bars of passages in ``targets`` (plans, not results) get the class is-target."""
    bars = chart["bars"]
    label_width = max(text_width(b["label"]) for b in bars) + 10
    room = FIGURE_WIDTH - label_width - max(text_width(b["text"]) for b in bars) - 8
    longest = chart["max"] or 1
    return BarChart(title=title or f"各地区数值（{chart['unit']}）", width=FIGURE_WIDTH, kind="figure-chart", bars=[
        Bar(label=b["label"], count=b["text"], selected=False, y=i * ROW_HEIGHT, rect_x=label_width, unit="",
            width=round(max(2.0, room * b["value"] / longest), 1) if b["value"] > 0 else 0,
            kind="is-target" if b["passage_id"] in targets else "")
        for i, b in enumerate(bars)
    ])


_BAR = ('<g class="bar{selected}{kind}">\n'
        '      <title>{label}：{count}{unit}</title>\n'
        '      <text class="bar-label" x="0" y="{text_y}">{label}</text>\n'
        '      <rect x="{rect_x}" y="{rect_y}" width="{width}" height="{height}" rx="2"></rect>\n'
        '      <text class="bar-count" x="{count_x}" y="{text_y}">{count}</text>\n'
        '    </g>')


def chart_bars(chart) -> Markup:
    """The ``<g>`` of each bar of a ``BarChart``, inside its ``<svg>``."""
    return Markup("\n    ".join(
        _BAR.format(
            selected=" is-selected" if bar.selected else "",
            kind=f" {escape(bar.kind)}" if bar.kind else "",
            label=escape(bar.label), count=escape(bar.count), unit=escape(bar.unit),
            text_y=bar.text_y, rect_x=bar.rect_x, rect_y=bar.rect_y, width=bar.width,
            height=chart.bar_height, count_x=bar.count_x,
        )
        for bar in chart.bars
    ))
