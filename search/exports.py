"""A briefing leaves as a document: Markdown or Word, every passage with its numbered citation.

Notes and titles are user text: in Markdown, characters that would become markup (<, >, &, *, _,
[, ], `, #, |, \\) are escaped, so a note of ``<script>`` is shown as text by any renderer; in Word
they are plain runs. Each passage carries its citation (［1］奉节县《…》，一、…，2024年) and its
permalink.
"""

from __future__ import annotations

import io
import re

_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|!])")


def _md(text: str) -> str:
    text = (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    # A line starting with 1. or - would become a list; a blank line would end the paragraph.
    lines = [re.sub(r"^(\s*)(\d+)\.", r"\1\2\\.", line) for line in text.splitlines()]
    lines = [re.sub(r"^(\s*)([-+>=])", r"\1\\\2", line) for line in lines]
    return "  \n".join(line for line in lines if line.strip())


def numbered_citation(n: int, item: dict) -> str:
    return f"［{n}］{item['citation']}"


def to_markdown(briefing: dict, base_url: str) -> str:
    base = base_url.rstrip("/")
    out = [f"# {_md(briefing['title'])}", ""]
    if briefing.get("intro"):
        out += [_md(briefing["intro"]), ""]
    for n, item in enumerate(briefing["items"], 1):
        out.append(f"{n}. {_md(item['text'])}")
        if item.get("note"):
            out.append(f"   批注：{_md(item['note'])}")
        out.append(f"   {_md(numbered_citation(n, item))}  ")
        out.append(f"   <{base}/p/{item['passage_id']}>")
        out.append("")
    if briefing["items"]:
        out += ["---", "", "引用", ""]
        out += [f"{_md(numbered_citation(n, item))} {base}/p/{item['passage_id']}  "
                for n, item in enumerate(briefing["items"], 1)]
    return "\n".join(out).rstrip() + "\n"


def to_docx(briefing: dict, base_url: str) -> bytes:
    from docx import Document
    from docx.shared import Pt

    base = base_url.rstrip("/")
    doc = Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(11)
    doc.add_heading(briefing["title"], level=1)
    if briefing.get("intro"):
        doc.add_paragraph(briefing["intro"])
    for n, item in enumerate(briefing["items"], 1):
        para = doc.add_paragraph()
        para.add_run(f"{n}. ").bold = True
        para.add_run(item["text"])
        if item.get("note"):
            note = doc.add_paragraph()
            note.add_run("批注：").italic = True
            note.add_run(item["note"]).italic = True
        cite = doc.add_paragraph()
        cite.add_run(numbered_citation(n, item)).font.size = Pt(9)
        cite.add_run(f"  {base}/p/{item['passage_id']}").font.size = Pt(9)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
