"""Reading a Word file (.docx, python-docx) into paragraphs, headings and tables in body order.

The body's children are read in order, so a table stays where it stands between paragraphs
(python-docx's ``doc.paragraphs`` and ``doc.tables`` would separate them). A paragraph is a heading
when Word says so:

- its style is a heading style (Heading 1, 标题 1, or a style based on one), or it or its style has
  an outline level: level 1 is the top level;
- it is short and bold all through (how most reports set their headings by hand, 一、2024年工作回顾):
  a heading whose level the file does not state (``level=None``).

Soft line breaks split a paragraph in two (text pasted from a web page often has one paragraph
with a line break per paragraph). A table is its rows of cell texts; a cell merged across columns
is one cell, and a short 表1… paragraph just before a table becomes its caption.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from lxml import etree

from ..errors import ReportError
from .blocks import BLOCK_HEADING, BLOCK_PARA, BLOCK_TABLE, Block, Document
from .limits import MB, Budget, limit, over_limit

NAMESPACES = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
}
# The text of a paragraph or cell, without the fallback copy Word keeps of drawings and text boxes.
TEXT_PARTS = etree.XPath(
    ".//w:t[not(ancestor::mc:Fallback)] | .//w:tab[not(ancestor::mc:Fallback)]"
    " | .//w:br[not(ancestor::mc:Fallback)] | .//w:cr[not(ancestor::mc:Fallback)]",
    namespaces=NAMESPACES,
)
HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)
# A bold paragraph longer than this is a bold sentence, not a heading.
BOLD_HEADING_MAX_CHARS = 40
CAPTION = re.compile(r"^(?:附)?表\s*[0-9一二三四五六七八九十]+")
CAPTION_MAX_CHARS = 60
DAMAGED = "{name}：Word 文件已损坏，无法打开；请用 Word 或 WPS 打开后另存为 .docx 再添加。"
# A real .docx has a few dozen members; tens of thousands of empty ones only cost time to list.
MAX_MEMBERS = 10_000
INFLATE_CHUNK = 1024 * 1024
# Outline level 9 is Word's "body text".
BODY_TEXT_OUTLINE = 9


def read_docx(data: bytes, name: str) -> Document:
    """The blocks of a .docx file's body, in order; refuse a damaged file with a clear message."""
    check_package(data, name)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - python-docx fails on a malformed package with whatever error it meets first
        raise ReportError(DAMAGED.format(name=name)) from None
    style_levels, bold_styles = _paragraph_styles(document)
    default_style = _default_paragraph_style(document)
    blocks: list[Block] = []
    for element in _body_elements(document.element.body):
        if element.tag == qn("w:tbl"):
            table = _table(element)
            if table.rows:
                _take_caption(blocks, table)
                blocks.append(table)
            continue
        style_id = element.find("w:pPr/w:pStyle", NAMESPACES)
        style_id = style_id.get(qn("w:val")) if style_id is not None else default_style
        level = _outline_level(element.find("w:pPr/w:outlineLvl", NAMESPACES))
        if level is None:
            level = style_levels.get(style_id)
        for text in _text(element).split("\n"):
            text = _squeeze(text)
            if not text:
                continue
            if level is not None:
                blocks.append(Block(BLOCK_HEADING, text, level=level))
            elif _bold_heading(element, text, style_id in bold_styles):
                blocks.append(Block(BLOCK_HEADING, text))
            else:
                blocks.append(Block(BLOCK_PARA, text))
    return Document("docx", blocks, title=_meaningful_title(document.core_properties.title))


def check_package(data: bytes, name: str) -> None:
    """Refuse a .docx whose members would expand beyond the limits, before python-docx expands them all.

    The sizes the zip states are checked first, then each member is inflated a piece at a time and
    counted, since a hand-made zip can state any size."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise ReportError(DAMAGED.format(name=name)) from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise ReportError(f"{name}：Word 文件里有 {len(members):,} 个部件，远多于任何正常文件，可能是恶意构造的；请检查文件。")
        total_cap, part_cap = limit("max_unzipped_bytes"), limit("max_part_bytes")
        stated = sum(member.file_size for member in members)
        if stated > total_cap:
            raise over_limit(name, "Word 文件解压后的大小", "max_unzipped_bytes", f"{stated / MB:.0f} MB")
        total = Budget(name, "max_unzipped_bytes", "Word 文件解压后的大小")
        for member in members:
            cap = part_cap if member.filename.endswith((".xml", ".rels")) else total_cap
            if member.file_size > cap:
                raise over_limit(name, f"Word 文件的部件 {member.filename[:60]} 解压后的大小", "max_part_bytes",
                                 f"{member.file_size / MB:.0f} MB")
            try:
                with archive.open(member) as stream:
                    size = 0
                    while piece := stream.read(INFLATE_CHUNK):
                        size += len(piece)
                        total.add(len(piece))
                        if size > cap:
                            raise over_limit(name, f"Word 文件的部件 {member.filename[:60]} 解压后的大小",
                                             "max_part_bytes" if cap == part_cap else "max_unzipped_bytes")
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError, ValueError):
                raise ReportError(DAMAGED.format(name=name)) from None


def _body_elements(container):
    """Paragraphs and tables in order, looking inside content controls (w:sdt) that wrap them."""
    for child in container.iterchildren():
        if child.tag in (qn("w:p"), qn("w:tbl")):
            yield child
        elif child.tag == qn("w:sdt"):
            content = child.find("w:sdtContent", NAMESPACES)
            if content is not None:
                yield from _body_elements(content)


def _paragraph_styles(document) -> tuple[dict[str, int], set[str]]:
    """Heading level of each paragraph style id that has one, and the ids of bold styles."""
    levels, bold = {}, set()
    for style in document.styles:
        if style.type != WD_STYLE_TYPE.PARAGRAPH:
            continue
        level, base, depth = None, style, 0
        while base is not None and level is None and depth < 10:
            match = HEADING_STYLE.match(base.name or "")
            if match:
                level = int(match.group(1))
            else:
                level = _outline_level(base.element.find("w:pPr/w:outlineLvl", NAMESPACES))
            base, depth = base.base_style, depth + 1
        if level is not None:
            levels[style.style_id] = level
        if style.font.bold:
            bold.add(style.style_id)
    return levels, bold


def _default_paragraph_style(document) -> str | None:
    style = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
    return style.style_id if style is not None else None


def _outline_level(element) -> int | None:
    if element is None:
        return None
    value = element.get(qn("w:val"), "")
    if not value.isdigit() or int(value) >= BODY_TEXT_OUTLINE:
        return None
    return int(value) + 1


def _text(element) -> str:
    parts = []
    for part in TEXT_PARTS(element):
        if part.tag == qn("w:t"):
            parts.append(part.text or "")
        elif part.tag == qn("w:tab"):
            parts.append("\t")
        elif part.get(qn("w:type")) in (None, "textWrapping"):  # page and column breaks are not line breaks
            parts.append("\n")
    return "".join(parts)


def _squeeze(text: str) -> str:
    """The text without its indentation and with runs of spaces made one."""
    return re.sub(r"[ \t\u00a0\u3000]+", " ", text).strip()


def _bold_heading(paragraph, text: str, style_is_bold: bool) -> bool:
    if len(text) > BOLD_HEADING_MAX_CHARS or text[-1] in "：:。；;，,":
        return False
    runs = [run for run in paragraph.iter(qn("w:r")) if _text(run).strip()]
    return bool(runs) and all(_run_is_bold(run, style_is_bold) for run in runs)


def _run_is_bold(run, style_is_bold: bool) -> bool:
    bold = run.find("w:rPr/w:b", NAMESPACES)
    if bold is None:
        return style_is_bold
    return bold.get(qn("w:val"), "true").lower() not in ("0", "false", "off")


def _table(element) -> Block:
    rows = []
    for row in element.iterchildren(qn("w:tr")):
        cells = [_squeeze(_text(cell).replace("\n", " ")) for cell in row.iterchildren(qn("w:tc"))]
        if any(cells):
            rows.append(cells)
    return Block(BLOCK_TABLE, "", rows=rows)


def _take_caption(blocks: list[Block], table: Block) -> None:
    """Move a 表1… paragraph that stands just before the table into the table's caption."""
    if blocks and blocks[-1].kind == BLOCK_PARA:
        text = blocks[-1].text
        if CAPTION.match(text) and len(text) <= CAPTION_MAX_CHARS:
            table.text = blocks.pop().text


def _meaningful_title(title: str | None) -> str | None:
    """The file's Title property, unless it is empty or a program's placeholder (文档1, Document1)."""
    title = (title or "").strip()
    if not re.search(r"[\u4e00-\u9fff]", title) or re.fullmatch(r"(?:新建\S*)?(?:文档|Microsoft Word 文档)\s*\d*", title):
        return None
    return title
