"""What every format reader hands to the structure parser: a document as a list of blocks.

A format reader (plain text, Word, PDF, saved web page) knows its format and nothing about
government reports: it turns a file into paragraphs, headings it can see as headings (a Word
heading style, an HTML ``<h2>``), and tables as rows of cells, in reading order. Everything that
needs to know what a report is (its place, type, year, sections, sentences) happens afterwards, in
``search.reading.header`` and ``search.reading.structure``, the same way for every format.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BLOCK_PARA = "para"
BLOCK_HEADING = "heading"
BLOCK_TABLE = "table"


@dataclass
class Block:
    kind: str  # BLOCK_PARA, BLOCK_HEADING or BLOCK_TABLE
    text: str = ""  # the paragraph or heading; for a table, its caption (表1 …) or ""
    level: int | None = None  # a heading's level when the format says so (1 = chapter), else None
    rows: list[list[str]] | None = None  # a table's cells, row by row, header row(s) first
    ocr: bool = False  # read by OCR from a scanned page: the passages from it say so


@dataclass
class Document:
    format: str  # "txt", "docx", "pdf" or "html": what the content is, whatever the file is called
    blocks: list[Block] = field(default_factory=list)
    title: str | None = None  # a title the file states apart from its text (<title>, <h1>, docx core title)
    date: str | None = None  # a publication date the file states apart from its text ("2026-02-02")
    warnings: list[str] = field(default_factory=list)  # things a user should know, in Chinese
    site: str | None = None  # who published the page (<meta name="SiteName">): weak evidence of place
