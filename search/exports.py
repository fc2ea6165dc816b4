"""A briefing leaves as a document: Markdown or Word, every passage with its numbered citation.

All text is cleaned again on the way out (``clean_text``: no control characters, no lone
surrogates), so a briefing stored before text was cleaned on the way in still exports.

Markdown: notes and titles are user text, and stay text in any CommonMark renderer. Characters
that would become markup (<, >, &, *, _, [, ], `, ~, #, |, !, \\) are escaped, and so is whatever
would start a block at the beginning of a line (a list ``2.`` or ``2)``, ``-``, ``+``, a setext
``=``); a code fence (```` ``` ```` or ``~~~``) cannot form because its characters are escaped.
Lines of an item's note are indented under the item, so they cannot end its list.

Word: plain runs; the document's properties name the briefing (title), the site (author) and the
time of the export; each permalink is a hyperlink a reader can click.
"""

from __future__ import annotations

import io
import re
from datetime import datetime, timezone

from .briefings import clean_text

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


def to_docx(briefing: dict, base_url: str) -> bytes:
    from docx import Document
    from docx.shared import Pt

    title = " ".join(clean_text(briefing["title"]).split())  # one line, as a heading and a property
    doc = Document()
    _set_properties(doc, title)
    doc.styles["Normal"].font.size = Pt(11)
    doc.add_heading(title, level=1)
    if briefing.get("intro"):
        doc.add_paragraph(clean_text(briefing["intro"]))
    for n, item in enumerate(briefing["items"], 1):
        para = doc.add_paragraph()
        para.add_run(f"{n}. ").bold = True
        para.add_run(clean_text(item["text"]))
        if item.get("note"):
            note = doc.add_paragraph()
            note.add_run("批注：").italic = True
            note.add_run(clean_text(item["note"])).italic = True
        cite = doc.add_paragraph()
        cite.add_run(clean_text(numbered_citation(n, item)) + "  ").font.size = Pt(9)
        _add_hyperlink(cite, permalink(base_url, item), Pt(9))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


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


def _add_hyperlink(paragraph, url: str, size) -> None:
    """The URL as a clickable link, shown as itself (a printed copy still gives the address)."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import RGBColor

    # Word's own default template has a Hyperlink style; python-docx's has none, so the run carries
    # the usual look itself.
    run = paragraph.add_run(url)
    run.font.size = size
    run.font.underline = True
    run.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True))
    run._r.addprevious(link)
    link.append(run._r)
