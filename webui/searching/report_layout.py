"""A report's passages, in reading order, grouped into what a reader sees.

The index stores one passage per sentence, heading or table row, so that each can be found, cited
and linked to. To be read, they are put back together: the sentences of one paragraph (same
``para``) into one paragraph, consecutive rows of one table into one table (its title heading as the
caption), and headings at their depth. Every passage keeps its own element and id, so a link to
``/reports/<id>#<passage id>`` lands on that sentence or row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

HEADING_SEPARATOR = " › "  # how the engine joins a heading path


@dataclass
class Heading:
    passage: dict
    level: int  # 0: the report's own title; 1: 一、…; 2: （一）…; …
    block: str = "heading"


@dataclass
class Paragraph:
    sentences: list[dict]
    block: str = "paragraph"


@dataclass
class Cell:
    text: str
    figure: bool  # marked as a figure, as the same value is in the row's sentence form


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[dict]
    caption: dict | None = None  # the heading passage that titles the table, when there is one
    block: str = "table"

    def cells(self, row: dict) -> list[Cell]:
        # The engine marks figures in a row's text ("指标：2022年目标 6.5，…"), not per cell: a cell
        # is a figure when its whole text is one of the marked figures.
        text = row["text"]
        figures = {text[s["start"]:s["end"]] for s in row["spans"] if s["kind"] == "figure"}
        return [Cell(cell, cell.strip() in figures) for cell in row["table"]["cells"]]


@dataclass
class Contents:
    """One line of the table of contents."""

    id: str
    text: str
    level: int


@dataclass
class ReportLayout:
    blocks: list = field(default_factory=list)
    contents: list[Contents] = field(default_factory=list)


def heading_level(passage: dict) -> int:
    return passage["heading"].count(HEADING_SEPARATOR) + 1 if passage["heading"] else 0


def lay_out(passages: list[dict]) -> ReportLayout:
    layout = ReportLayout()
    blocks = layout.blocks
    for passage in passages:
        last = blocks[-1] if blocks else None
        if passage["kind"] == "row" and passage.get("table"):
            table = passage["table"]
            if isinstance(last, Table) and last.title == table["title"]:
                last.rows.append(passage)
                continue
            caption = None
            if isinstance(last, Heading) and last.passage["text"] == table["title"]:
                caption = blocks.pop().passage  # the table's title heading becomes its caption
            blocks.append(Table(table["title"], list(table["header"]), [passage], caption))
        elif passage["kind"] == "heading":
            level = heading_level(passage)
            blocks.append(Heading(passage, level))
            if level:
                layout.contents.append(Contents(passage["id"], passage["text"], level))
        elif isinstance(last, Paragraph) and last.sentences[-1]["para"] == passage["para"]:
            last.sentences.append(passage)
        else:
            blocks.append(Paragraph([passage]))
    return layout
