"""Reading a PDF's text layer (pypdfium2) back into the paragraphs it was typeset from.

A PDF knows lines, not paragraphs: every line of a paragraph ends in a hard break, each page
carries a running header (the issuing government) and a page number, and pdfium puts a space
between Chinese and the digits set in a Latin font ("2025 年", "增长 3.1%"). This reader:

- drops page furniture: a line that opens or closes most pages (digits aside) and page numbers
  (— 1 —, -1-, 第1页, 1/28, a bare number) where a page opens or closes;
- joins lines into paragraphs by their geometry, the way a reader sees them: a paragraph starts
  where a line is indented (ideographic spaces or a wider left margin), where a line looks like a
  heading (一、 （一） 第一部分), or after a line that stops short of the right margin although the
  next line's first word would have fitted there; two centred lines in a row (a title broken over
  two lines) stay one paragraph;
- removes the spaces between Chinese and Latin letters or digits, keeping those between Latin words.

Every block is a paragraph: a PDF does not mark headings or tables, so tables come out as one
paragraph per line and headings as short paragraphs; the structure step recognizes both by their text.
"""

from __future__ import annotations

import re
import statistics
import zlib
from collections import Counter
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ..errors import ReportError
from .blocks import BLOCK_PARA, Block, Document
from .limits import Budget, limit, over_limit

# Lines that open or close a page and are only a page number.
PAGE_NUMBER = re.compile(
    r"^(?:[-—–－−_\s]*\d{1,3}[-—–－−_\s]*"
    r"|第\s*\d{1,4}\s*页(?:\s*(?:[,，/]\s*)?共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|(?:page|p\.)\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$",
    re.IGNORECASE,
)
# A line that starts a heading, whatever its indentation: 一、 （一） (一) 第一部分 第二章.
HEADING_START = re.compile(r"^(?:[一二三四五六七八九十百]+、(?![一二三四五六七八九十])|[（(][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十百]+[部分章节篇])")
# How many lines at each end of a page may be furniture.
EDGE_LINES = 3
# A running header or footer is on at least this share of the pages (less than half: odd and even
# pages may carry different ones).
REPEATED_SHARE = 0.4
# Characters a font without a Unicode map yields (replacement and private-use characters): past the
# first share a PDF's text is garbled and refused, past the second the user is warned.
GARBLED_REFUSED, GARBLED_WARNED = 0.3, 0.02
GARBLED = re.compile(r"[\ufffd\ue000-\uf8ff]")

HAN = r"\u2e80-\u2fff\u3001-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff5e“”‘’—…·"
HAN_THEN_SPACE = re.compile(rf"(?<=[{HAN}])[ \t\u00a0]+(?=[0-9A-Za-z%.+\-])")
SPACE_THEN_HAN = re.compile(rf"(?<=[0-9A-Za-z%.+\-])[ \t\u00a0]+(?=[{HAN}])")
# Characters that never start a line (they hang on the previous one) and so belong to the first
# word of a line when we ask whether that word would have fitted at the end of the line before.
NO_LINE_START = set("，。、；：！？）》」』】”’%％,.;:!?)")
LATIN_WORD = re.compile(r"[0-9A-Za-z.%+\-/]")


# Where a stream's data starts ("endstream" is not a start).
STREAM_START = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
INFLATE_CHUNK = 1024 * 1024


@dataclass
class Line:
    text: str  # without the leading indentation and trailing spaces
    indented: bool  # begins with ideographic or ordinary spaces
    left: float  # left edge of the first visible character, in points
    right: float  # right edge of the last character
    first_word_width: float  # width of the first word or character, with what hangs on it


def read_pdf(data: bytes, name: str) -> Document:
    """The paragraphs of a PDF's text layer; refuse a PDF that cannot be opened or has no text."""
    check_streams(data, name)
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        if getattr(err, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise ReportError(f"{name}：这个 PDF 设有打开密码，请去掉密码另存一份后再添加。") from None
        raise ReportError(f"{name}：PDF 文件已损坏，无法打开；请重新下载或另存一份后再添加。") from None
    try:
        if len(pdf) > limit("max_pdf_pages"):
            raise over_limit(name, "PDF 的页数", "max_pdf_pages", f"{len(pdf):,} 页")
        chars = Budget(name, "max_report_chars", "PDF 文字层的字数")
        pages = []
        for index in range(len(pdf)):
            try:
                page = pdf[index]
            except pdfium.PdfiumError:
                raise ReportError(
                    f"{name}：PDF 的第 {index + 1} 页无法打开（页面结构已损坏）；请重新下载或另存一份后再添加。") from None
            pages.append(_page_lines(page, name, index + 1, chars))
        title = _without_surrogates((pdf.get_metadata_value("Title") or "").strip())
        if not any(pages):
            return _scanned(pdf, name, title)
    finally:
        pdf.close()
    warnings = []
    textless = [str(number) for number, lines in enumerate(pages, 1) if not lines]
    if textless:
        warnings.append(f"第{'、'.join(textless[:10])}页没有文字层（可能是扫描页），这些页的内容未读入。")
    body = drop_page_furniture(pages)
    blocks = [Block(BLOCK_PARA, text) for text in paragraphs_from_lines(body) if text]
    text = "".join(block.text for block in blocks)
    garbled = len(GARBLED.findall(text)) / max(1, len(text))
    if garbled > GARBLED_REFUSED:
        raise ReportError(
            f"{name}：这个 PDF 的字体没有文字编码，提取出的是乱码；请找 Word 或网页版本，或先做文字识别（OCR）。"
        )
    if garbled > GARBLED_WARNED:
        warnings.append(f"有 {garbled:.0%} 的字符无法识别（PDF 字体缺少文字编码），显示为 �，请核对。")
    return Document("pdf", blocks, title=_meaningful_title(title), warnings=warnings)


def _scanned(pdf, name: str, title: str) -> Document:
    """A PDF of scanned pages, read by OCR where Tesseract is installed (search.reading.ocr)."""
    from . import ocr

    if not ocr.available():
        raise ReportError(f"{name}：这是扫描版 PDF，没有文字层，需要文字识别（OCR）；{ocr.INSTALL_HINT}。")
    blocks = []
    for index in range(len(pdf)):
        text = ocr.page_text(pdf[index], name, index + 1, len(pdf))
        blocks += [Block(BLOCK_PARA, p, ocr=True) for p in ocr.paragraphs(text) if not PAGE_NUMBER.match(p)]
    if not blocks:
        raise ReportError(f"{name}：扫描版 PDF 没有文字层，经文字识别（OCR）也没有读出文字；请检查扫描质量。")
    return Document("pdf", blocks, title=_meaningful_title(title),
                    warnings=["这是扫描版 PDF，全部文字由文字识别（OCR）读出，可能有错字，请核对。"])


def _page_lines(page, name: str, number: int, budget: Budget) -> list[Line]:
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        if count > limit("max_page_chars"):
            raise over_limit(name, f"PDF 第 {number} 页的字数", "max_page_chars", f"{count:,} 字")
        budget.add(count)
        # A font's Unicode map may name a lone surrogate half: it becomes U+FFFD (one per index, so
        # the indices still address the page's character boxes).
        chars = "".join(_character(pdfium_c.FPDFText_GetUnicode(textpage, i)) for i in range(count))
        lines = []
        for match in re.finditer(r"[^\r\n]+", chars):
            line = _measure_line(textpage, chars, match.start(), match.end())
            if line is not None:
                lines.append(line)
        return lines
    finally:
        textpage.close()
        page.close()


def _character(code: int) -> str:
    if not code or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return "\ufffd"
    return chr(code)


def _without_surrogates(text: str) -> str:
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def check_streams(data: bytes, name: str) -> None:
    """Refuse a PDF whose compressed streams (images aside) expand beyond the limits, counting while
    inflating a bounded amount at a time: pdfium would inflate a bomb whole before we see a page.

    Each stream is inflated only from its ``stream`` keyword to the next ``endstream`` or stream,
    so the input read is at most the file once, and the output counted stops at the limit."""
    total = Budget(name, "max_unzipped_bytes", "PDF 压缩内容解压后的大小")
    part_cap = limit("max_part_bytes")
    starts = [match.end() for match in STREAM_START.finditer(data)]
    for index, start in enumerate(starts):
        dictionary = data[max(0, start - 2048):start]
        dictionary = dictionary[dictionary.rfind(b"obj") + 1:]
        if b"/FlateDecode" not in dictionary or b"/Image" in dictionary:
            continue
        stop = starts[index + 1] if index + 1 < len(starts) else len(data)
        end = data.find(b"endstream", start, stop)
        expanded = _inflated_size(memoryview(data)[start:end if end >= 0 else stop], part_cap + 1, total)
        if expanded > part_cap:
            raise over_limit(name, "PDF 中一个压缩流解压后的大小", "max_part_bytes")


def _inflated_size(compressed, cap: int, total: Budget) -> int:
    """How many bytes ``compressed`` inflates to, up to ``cap``, each piece also counted in ``total``."""
    inflater, size = zlib.decompressobj(), 0
    try:
        for offset in range(0, len(compressed), INFLATE_CHUNK):
            pending = bytes(compressed[offset:offset + INFLATE_CHUNK])
            while pending and size < cap and not inflater.eof:
                piece = inflater.decompress(pending, INFLATE_CHUNK)
                size += len(piece)
                total.add(len(piece))
                pending = inflater.unconsumed_tail
            if size >= cap or inflater.eof:
                break
    except zlib.error:
        pass  # a damaged stream: pdfium reads what it can of it, and we have counted what it holds
    return size


def _measure_line(textpage, chars: str, start: int, end: int) -> Line | None:
    raw = chars[start:end]
    text = raw.strip()
    if not text:
        return None
    first = start + (len(raw) - len(raw.lstrip()))
    last = start + len(raw.rstrip()) - 1
    left = textpage.get_charbox(first, loose=True)[0]
    right = textpage.get_charbox(last, loose=True)[2]
    word_end = first
    if LATIN_WORD.match(chars[first]):
        while word_end + 1 <= last and LATIN_WORD.match(chars[word_end + 1]):
            word_end += 1
    while word_end + 1 <= last and chars[word_end + 1] in NO_LINE_START:
        word_end += 1
    first_word_width = textpage.get_charbox(word_end, loose=True)[2] - left
    return Line(text, first != start, left, right, first_word_width)


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def drop_page_furniture(pages: list[list[Line]]) -> list[Line]:
    """The lines of every page in order, without running headers, footers and page numbers."""
    kept_per_page = []
    for lines in pages:
        kept = [
            line for index, line in enumerate(lines)
            if not ((index < EDGE_LINES or index >= len(lines) - EDGE_LINES) and PAGE_NUMBER.match(line.text))
        ]
        kept_per_page.append(kept)
    pages_with_text = sum(1 for lines in kept_per_page if lines)
    top, bottom = Counter(), Counter()
    for lines in kept_per_page:
        top.update({_furniture_key(line.text) for line in lines[:EDGE_LINES]})
        bottom.update({_furniture_key(line.text) for line in lines[-EDGE_LINES:]})
    needed = max(2, REPEATED_SHARE * pages_with_text)
    body = []
    for lines in kept_per_page:
        for index, line in enumerate(lines):
            key = _furniture_key(line.text)
            at_top = index < EDGE_LINES and top[key] >= needed
            at_bottom = index >= len(lines) - EDGE_LINES and bottom[key] >= needed
            if not (at_top or at_bottom):
                body.append(line)
    return body


def paragraphs_from_lines(lines: list[Line]) -> list[str]:
    if not lines:
        return []
    long_lines = [line for line in lines if len(line.text) >= 15] or lines
    left_margin = Counter(round(line.left) for line in long_lines).most_common(1)[0][0]
    right_margin = statistics.median(line.right for line in long_lines)
    char_width = statistics.median(
        (line.right - line.left) / len(line.text) for line in long_lines
    )

    def centred(line: Line) -> bool:
        before, after = line.left - left_margin, right_margin - line.right
        return before > 2 * char_width and after > 2 * char_width and abs(before - after) < 1.5 * char_width

    def starts_paragraph(previous: Line, line: Line) -> bool:
        if HEADING_START.match(line.text):
            return True
        if centred(previous) and centred(line):
            return previous.text[-1] in "。！？"
        if line.indented or line.left > left_margin + 0.8 * char_width:
            return True
        room_left = right_margin - previous.right
        return room_left > line.first_word_width + 0.25 * char_width

    paragraphs, current = [], [lines[0].text]
    for previous, line in zip(lines, lines[1:]):
        if starts_paragraph(previous, line):
            paragraphs.append(_clean(current))
            current = [line.text]
        else:
            current.append(line.text)
    paragraphs.append(_clean(current))
    return paragraphs


def _clean(parts: list[str]) -> str:
    text = parts[0]
    for part in parts[1:]:
        # A line broken between two Latin words lost the space between them.
        glue = " " if text[-1:].isascii() and text[-1:].isalpha() and part[:1].isascii() and part[:1].isalpha() else ""
        text += glue + part
    text = SPACE_THEN_HAN.sub("", HAN_THEN_SPACE.sub("", text))
    return re.sub(r"[ \t\u00a0]{2,}", " ", text).strip()


def _meaningful_title(title: str) -> str | None:
    """The PDF's Title property, unless it is a program's placeholder or a file name."""
    if not re.search(r"[\u4e00-\u9fff]", title) or re.search(r"\.(docx?|wps|pdf)$|^Microsoft Word", title, re.I):
        return None
    return title
