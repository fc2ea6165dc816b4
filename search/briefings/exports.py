"""A briefing leaves as a document: Markdown or Word, every passage with its numbered citation.

All text is cleaned again on the way out (``clean_text``: no control characters, no lone
surrogates), so a briefing stored before text was cleaned on the way in still exports.

Markdown: notes and titles are user text, and stay text in any CommonMark renderer. Characters
that would become markup (<, >, &, *, _, [, ], `, ~, #, |, !, \\) are escaped, and so is whatever
would start a block at the beginning of a line (a list ``2.`` or ``2)``, ``-``, ``+``, a setext
``=``); a code fence (```` ``` ```` or ``~~~``) cannot form because its characters are escaped.
Lines of an item's note are indented under the item, so they cannot end its list.

Word: plain text, with a style each for notes (批注), citations (引文) and links (Hyperlink); the
document's properties name the briefing (title), the site (author) and the time of the export; each
permalink is a hyperlink a reader can click.
"""

from __future__ import annotations

import io
import re
from datetime import datetime, timezone

from .model import clean_text

SITE_NAME = "政策报告检索"  # as the site's header names it; the Word document's author
ITEM_INDENT = "   "  # under "1. ": the column where a list item's content starts

_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|!~])")
_MD_BLOCK_START = [
    (re.compile(r"^(\d+)([.)])"), r"\1\\\2"),  # an ordered list: 1. or 2)
    (re.compile(r"^([-+=])"), r"\\\1"),  # a bullet list, a thematic break or a setext underline
]


def _md_lines(text: str) -> list[str]:
    """Markdown text that renders as ``text``, one entry per non-blank line, without indentation
    (four spaces would start a code block)."""
    text = clean_text(text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    lines = []
    for line in _MD_SPECIAL.sub(r"\\\1", text).splitlines():
        line = line.strip()
        for pattern, replacement in _MD_BLOCK_START:
            line = pattern.sub(replacement, line)
        if line:  # a blank line would end the paragraph
            lines.append(line)
    return lines


def _md(text: str, indent: str = "") -> str:
    """Text as one Markdown paragraph, its lines kept as hard breaks and indented by ``indent``
    after the first (the caller places the first line)."""
    return f"  \n{indent}".join(_md_lines(text))


def numbered_citation(n: int, item: dict) -> str:
    return f"［{n}］{item['citation']}"


def permalink(base_url: str, item: dict) -> str:
    return f"{base_url.rstrip('/')}/p/{item['passage_id']}"


def to_markdown(briefing: dict, base_url: str) -> str:
    out = [f"# {' '.join(_md_lines(briefing['title']))}", ""]  # a heading is one line
    if briefing.get("intro"):
        out += [_md(briefing["intro"]), ""]
    for n, item in enumerate(briefing["items"], 1):
        out.append(f"{n}. {_md(item['text'], ITEM_INDENT)}  ")
        if item.get("note"):
            out.append(f"{ITEM_INDENT}批注：{_md(item['note'], ITEM_INDENT)}  ")
        out.append(f"{ITEM_INDENT}{_md(numbered_citation(n, item))}  ")
        out.append(f"{ITEM_INDENT}<{permalink(base_url, item)}>")
        out.append("")
    if briefing["items"]:
        out += ["---", "", "引用", ""]
        out += [f"{_md(numbered_citation(n, item))} {permalink(base_url, item)}  "
                for n, item in enumerate(briefing["items"], 1)]
    return "\n".join(out).rstrip() + "\n"


def _a4(doc) -> None:
    """A4 paper with 2.5 cm margins: python-docx's template is US Letter, which a Chinese office's
    printer and 公文 conventions do not use."""
    from docx.shared import Mm

    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Mm(25)


def to_docx(briefing: dict, base_url: str) -> bytes:
    from docx import Document

    title = " ".join(clean_text(briefing["title"]).split())  # one line, as a heading and a property
    doc = Document()
    _a4(doc)
    _set_properties(doc, title)
    note_style, cite_style, link_style = _add_styles(doc)
    doc.add_heading(title, level=1)
    if briefing.get("intro"):
        _add_text(doc.add_paragraph(), clean_text(briefing["intro"]))
    for n, item in enumerate(briefing["items"], 1):
        para = doc.add_paragraph()
        para.add_run(f"{n}. ").bold = True
        _add_text(para, clean_text(item["text"]))
        if item.get("note"):
            note = _styled(doc.add_paragraph(), note_style)
            note.add_run("批注：")
            _add_text(note, clean_text(item["note"]))
        cite = _styled(doc.add_paragraph(), cite_style)
        _add_text(cite, clean_text(numbered_citation(n, item)) + "  ")
        _add_hyperlink(cite, permalink(base_url, item), f"rIdPermalink{n}", link_style)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _add_styles(doc):
    """Styles for notes, citations and links, so that each paragraph or run names one instead of
    carrying its own formatting (which also made most of the export time)."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt, RGBColor

    doc.styles["Normal"].font.size = Pt(11)
    note = doc.styles.add_style("批注", WD_STYLE_TYPE.PARAGRAPH)
    note.base_style, note.font.italic = doc.styles["Normal"], True
    cite = doc.styles.add_style("引文", WD_STYLE_TYPE.PARAGRAPH)
    cite.base_style, cite.font.size = doc.styles["Normal"], Pt(9)
    # Word's own template has a Hyperlink style; python-docx's has none.
    link = doc.styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
    link.font.underline, link.font.color.rgb = True, RGBColor(0x05, 0x63, 0xC1)
    note.style_id, cite.style_id = "BriefingNote", "BriefingCitation"  # ASCII ids, as Word's own are
    return note.style_id, cite.style_id, link.style_id


def _styled(paragraph, style_id: str):
    # python-docx's ``style=`` looks the style up among all of the template's (some 160) every time.
    paragraph._p.get_or_add_pPr().style = style_id
    return paragraph


def _set_properties(doc, title: str) -> None:
    # python-docx's template would say it was written by "python-docx" in 2013.
    now = datetime.now(timezone.utc)
    props = doc.core_properties
    props.title = title
    props.author = props.last_modified_by = SITE_NAME
    props.comments = f"由{SITE_NAME}导出的简报"
    props.language = "zh-CN"
    props.created = props.modified = now
    props.revision = 1


def _add_text(paragraph, text: str):
    """A run of ``text``, line feeds and tabs as Word's breaks and tabs. python-docx's ``add_run(text)``
    does the same a character at a time, which made most of a full briefing's export time."""
    run = paragraph.add_run()
    for n, line in enumerate(text.split("\n")):
        if n:
            run._r.add_br()
        for m, piece in enumerate(line.split("\t")):
            if m:
                run._r.add_tab()
            if piece:
                run._r.add_t(piece)
    return run


def _add_hyperlink(paragraph, url: str, relationship_id: str, style_id: str) -> None:
    """The URL as a clickable link, shown as itself (a printed copy still gives the address).

    ``relationship_id`` must be new in the document: python-docx's ``relate_to`` would search every
    relationship for the same URL first, which is quadratic over a briefing's permalinks."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = _add_text(paragraph, url)
    run._r.get_or_add_rPr().style = style_id
    paragraph.part.rels.add_relationship(RELATIONSHIP_TYPE.HYPERLINK, url, relationship_id, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), relationship_id)
    run._r.addprevious(link)
    link.append(run._r)
