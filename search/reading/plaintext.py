"""Plain-text reports: bytes to text, then lines to blocks.

A line is a paragraph. Tables come the way reports saved as text lay them out: a caption line
(表1 …) followed by one cell per tab-indented line, a blank line between rows, the header cells
first. A tab alone on its line is an empty cell (the 序号 of a 其中 row), not a blank line.
"""

from __future__ import annotations

import codecs
import re

from ..errors import ReportError
from . import charset
from .blocks import BLOCK_PARA, BLOCK_TABLE, Block, Document

TABLE_CAPTION_RE = re.compile(r"^表\s*\d+")


def decode_text(data: bytes, name: str) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16, or GB18030/GBK; refuse anything else."""
    if not data.strip():
        raise ReportError(f"{name}：文件是空的。")
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if data[:4096].count(b"\x00") <= len(data[:4096]) // 4:
            raise ReportError(f"{name}：这是二进制文件（含 NUL 字节），不是文字报告。")
    text, _warnings = charset.decode(data, name)
    return _check_text(text, name)


_CONTROL_RE = re.compile(r"[\x00-\x08\x0d-\x1f]")  # control characters other than \t \n \v \f


def _check_text(text: str, name: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    sample = text[:20000]
    controls = len(_CONTROL_RE.findall(sample))
    if controls > len(sample) // 100:
        raise ReportError(f"{name}：这像是二进制文件（正文里有控制字符），不是文字报告。")
    if not text.strip():
        raise ReportError(f"{name}：文件里没有文字。")
    return text


def read_text(data: bytes, name: str) -> Document:
    return text_document(decode_text(data, name))


def text_document(text: str) -> Document:
    """Lines to blocks: one paragraph per non-blank line, tab-laid tables to table blocks."""
    lines = text.split("\n")
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        i += 1
        if not line:
            continue
        if TABLE_CAPTION_RE.match(line) and _next_nonblank(lines, i).startswith("\t"):
            rows, i = _table_rows(lines, i)
            blocks.append(Block(BLOCK_TABLE, text=line, rows=rows))
            continue
        blocks.append(Block(BLOCK_PARA, text=line))
    return Document(format="txt", blocks=blocks)


def _table_rows(lines: list[str], i: int) -> tuple[list[list[str]], int]:
    """The header row, then one row per group of cells; and the index of the first line after."""
    header: list[str] = []
    groups: list[list[str]] = []
    current: list[str] | None = None
    while i < len(lines):
        raw = lines[i]
        if not raw.strip() and not raw.startswith("\t"):
            if groups and current:
                current = None
            i += 1
            continue
        if raw.startswith("\t"):
            cell = re.sub(r"\s+", "", raw)
            # Header cells come until the first row starts, with its number (序号).
            if not groups and not (current is None and cell.isdigit()):
                header.append(cell)
            else:
                if current is None:
                    current = []
                    groups.append(current)
                current.append(cell)
            i += 1
            continue
        line = raw.strip()
        if not groups and header and len(line) <= 12 and not re.search(r"[。；，]", line):
            header[-1] += line  # a header cell wrapped onto an unindented line: 2022年 / 预期目标
            i += 1
            continue
        break
    return [header, *groups], i


def _next_nonblank(lines: list[str], i: int) -> str:
    while i < len(lines) and not lines[i].strip():
        i += 1
    return lines[i] if i < len(lines) else ""
