"""Reading report files of every format into ``search.documents.Report``.

The shape follows unstructured and Tika: ``sniff`` detects the format from the content and hands
the file to one reader per format (``plaintext``, ``docx_reader``, ``pdf_reader``,
``html_reader``), each returning the same ``blocks.Document``. From there every format is read
alike: ``chrome`` drops page furniture, ``scraped`` undoes what a scraper did to the text, ``header`` finds the place (``places``), type, title and
years, ``linebreaks`` joins the body's lines broken inside a sentence or a figure, and
``structure`` turns the body into passages, labelled by ``sections``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..documents import KIND_HEADING, TYPE_PLAN, Report, short_hash
from ..errors import ReportError, escape_unprintable
from . import header as hdr
from .blocks import BLOCK_TABLE, Block, Document
from .chrome import is_chrome
from .header import Overrides
from .linebreaks import is_subscript, join_broken_lines
from .plaintext import text_document
from .scraped import drop_teaser, drop_trailing_links, unescape
from .sections import missing_half
from . import metadata
from .structure import HEADING_SEPARATOR, BodyParser, has_numbered_chapters, split_run_on, split_sentences

__all__ = ["HEADING_SEPARATOR", "Overrides", "parse_document", "parse_text", "read_report", "split_sentences"]


def read_report(path: Path, overrides: Overrides | None = None, root: Path | None = None) -> Report:
    """Read one report file of any supported format, or raise ReportError saying why not.

    ``root`` is the folder the file was found in: a link leading out of it is refused. Nothing but
    ReportError leaves this function for a bad file (see ``isolation`` for a file that would crash
    or hang the process itself)."""
    from .sniff import read_document  # the format readers import their libraries only when used

    path = Path(path)
    document = read_document(path, root)
    try:
        return parse_document(document, source=escape_unprintable(path.name), overrides=overrides, names=_names(path, root))
    except ReportError:
        raise
    except MemoryError:
        raise ReportError(f"{path.name}：整理这份报告所需的内存超出了上限；文件可能已损坏或是恶意构造的。") from None
    except Exception as err:  # noqa: BLE001 - a bug met on odd text must refuse one file, not stop a build
        raise ReportError(f"{path.name}：整理报告内容时出错（{type(err).__name__}）；请把这个文件报告给维护者。") from None


def _names(path: Path, root: Path | None) -> list[str]:
    """The folders between ``root`` (or, without one, the file's own folder) and the file, then its stem."""
    try:
        folders = list(path.parent.relative_to(root).parts) if root is not None else [path.parent.name]
    except ValueError:
        folders = [path.parent.name]
    return [escape_unprintable(name) for name in (*folders, path.stem)]


def parse_text(text: str, source: str = "<text>", overrides: Overrides | None = None,
               names: list[str] | None = None) -> Report:
    return parse_document(text_document(text), source=source, overrides=overrides, names=names)


def _clean_blocks(doc: Document) -> list[Block]:
    """Paragraphs one per line, page furniture dropped, a run-on report broken at its headings."""
    blocks: list[Block] = []
    for block in doc.blocks:
        if block.kind == BLOCK_TABLE:
            blocks.append(block)
            continue
        for line in unescape(block.text).split("\n"):
            line = line.strip().strip(_INVISIBLE).strip()
            if line and blocks and is_subscript(blocks[-1].text, line):
                blocks[-1] = Block(blocks[-1].kind, text=blocks[-1].text + line, level=blocks[-1].level, ocr=block.ocr)
            elif line and not is_chrome(line):
                blocks.append(Block(block.kind, text=line, level=block.level, ocr=block.ocr))
    blocks = drop_trailing_links(drop_teaser(blocks))
    text_chars = sum(len(b.text) for b in blocks)
    if blocks and text_chars / len(blocks) > 1500:
        blocks = split_run_on(blocks)
    return blocks


# Zero-width characters a copy from the web leaves on lines of their own, or around a line.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


def parse_document(doc: Document, source: str = "<text>", overrides: Overrides | None = None,
                   names: list[str] | None = None) -> Report:
    """``names``: the folders the file was found in, from the top of the folder read, then the file
    name without its suffix (evidence for place and year when the text has none)."""
    overrides = overrides or Overrides()
    blocks = _clean_blocks(doc)
    lines = [b.text if b.kind != BLOCK_TABLE else "" for b in blocks]
    cut = hdr.split_header(lines)
    head, body = blocks[:cut], join_broken_lines(blocks[cut:])
    head_lines = [b.text for b in head if b.kind != BLOCK_TABLE]
    if doc.title and not hdr.find_title(head_lines):
        head_lines.insert(0, doc.title)
    numbered = has_numbered_chapters(body)
    meta = metadata.decide(head_lines, body, overrides, source, list(names or ()), numbered, doc.site)
    place, rtype, plan_year = meta.place, meta.type, meta.plan_year
    report_id = short_hash(f"{place.name}|{rtype}|{meta.year}|{plan_year}", 5)
    report = Report(
        id=report_id, county=place.short, county_full=place.full, type=rtype, title=meta.title,
        year=meta.year, review_year=meta.review_year, plan_year=plan_year,
        delivered=meta.delivered, source=source, sha256=_digest(doc), place=place.full,
        place_short=place.short, level=place.level, province=place.province, city=place.city,
        adcode=place.adcode, format=doc.format, warnings=[*doc.warnings, *meta.warnings],
        evidence=meta.evidence,
    )
    parser = BodyParser(report, numbered)
    parser.emit(KIND_HEADING, f"{place.name}{meta.title}" if rtype == TYPE_PLAN else meta.title)
    parser.parse(body)
    if not parser.chapters:
        report.warnings.append("没有找到章节标题，全部段落归入“其他”部分。")
    elif rtype not in metadata.ACCOUNT_TYPES and (half := missing_half([label for _, label in parser.chapters])):
        report.warnings.append(half)
    if len(report.passages) < 2:
        raise ReportError(f"{source}：标题之后没有找到句子；这是报告吗？")
    return report


def _digest(doc: Document) -> str:
    h = hashlib.sha256()
    for block in doc.blocks:
        # surrogatepass: a reader that let a lone surrogate through must not make hashing fail.
        h.update(block.text.encode("utf-8", "surrogatepass"))
        for row in block.rows or ():
            h.update("\t".join(row).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def inspect(path: Path, overrides: Overrides | None = None, first: int = 5, root: Path | None = None) -> dict:
    """What ``read_report`` would index from a file, as plain data, without indexing it.

    Raises ReportError, like ``read_report``, for a file that would be refused."""
    report = read_report(path, overrides, root)
    chapters, seen = [], set()
    for p in report.passages:
        top = p.heading.split(HEADING_SEPARATOR)[0] if p.heading else ""
        if top and top not in seen:
            seen.add(top)
            chapters.append({"heading": top, "section": p.section, "year": p.year})
    summary = report.summary()
    summary.pop("warnings")
    return {
        "file": str(path), "report": summary, "chapters": chapters,
        "passages": len(report.passages),
        "kinds": {k: sum(1 for p in report.passages if p.kind == k) for k in ("heading", "sentence", "row")},
        "first_passages": [p.text for p in report.passages[:first]],
        "ocr_passages": sum(1 for p in report.passages if p.ocr),  # read from scanned pages
        "warnings": report.warnings,
    }
