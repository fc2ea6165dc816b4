"""Which format a report file is, told from its content, and the reader for it.

``read_document(path)`` is the one entry point: it reads the file once, recognizes the format by
its first bytes (a file's name can lie: a Word file saved as ``.txt``, a web page saved as
``.doc``), and hands the bytes to that format's reader. The extension only breaks ties: a page
fragment named ``.html``, a damaged ``.pdf`` or ``.docx``.

Every file we cannot read is refused with a ``ReportError``: one Chinese line that names the file,
says what it is and what to do (unpack a zip, save a .doc as .docx, run OCR on a scan).
"""

from __future__ import annotations

import codecs
import email
import email.policy
import io
import re
import struct
import zipfile
from pathlib import Path

from ..errors import ReportError
from . import charset
from .blocks import Document
from .docx_reader import read_docx
from .files import read_file
from .html_reader import read_html
from .limits import Budget
from .pdf_reader import read_pdf

SUPPORTED = "支持的格式：Word（.docx）、有文字层的 PDF、网页（.html/.htm）和纯文本（.txt）"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Streams an OLE2 (old Office) file holds, named in UTF-16 in its directory, and what they tell.
OLE2_KINDS = [
    ("EncryptedPackage", "是加了密码的 Word/Office 文件，请去掉密码后另存为 .docx 再添加"),
    ("Workbook", "是 Excel 表格（.xls），不是报告文件；请把报告正文另存为 .docx 或 .txt 后再添加"),
    ("PowerPoint Document", "是 PowerPoint 演示文稿（.ppt），不是报告文件；请把报告正文另存为 .docx 或 .txt 后再添加"),
]
OLD_WORD = "是旧版 Word/WPS 文件（.doc/.wps），请另存为 .docx 后再添加"
# Members that tell one kind of zip from another.
ZIP_KINDS = [
    ("xl/workbook.xml", "是 Excel 表格（.xlsx），不是报告文件；请把报告正文另存为 .docx 或 .txt 后再添加"),
    ("ppt/presentation.xml", "是 PowerPoint 演示文稿（.pptx），不是报告文件；请把报告正文另存为 .docx 或 .txt 后再添加"),
    ("content.xml", "是 OpenDocument 文件（.odt 等），请另存为 .docx 后再添加"),
]
IMAGES = [
    (b"\x89PNG\r\n\x1a\n", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF87a", "GIF"), (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"),
]
ARCHIVES = [(b"Rar!\x1a\x07", "RAR"), (b"7z\xbc\xaf\x27\x1c", "7z"), (b"\x1f\x8b", "gzip")]
# The start of a web page, after what may stand before its first tag (see _after_prolog).
HTML_TAG = re.compile(rb"<(?:!doctype\s+html|html|head|body|meta|title)\b", re.IGNORECASE)
HTML_ANYWHERE = re.compile(rb"<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE)
HTML_EXTENSIONS = {".html", ".htm", ".shtml", ".xhtml"}
# A page a browser saved as one file (.mht/.mhtml): a MIME message whose first part is the page. Its
# header lines are read one by one (see _is_mhtml): a single pattern over many lines backtracked
# exponentially in the number of lines.
MIME_HEADER_LINE = re.compile(rb"[\x21-\x39\x3b-\x7e]+:|[ \t]")
MIME_TYPE_LINE = re.compile(rb"(?:MIME-Version|Content-Type):", re.IGNORECASE)
MULTIPART_RELATED = re.compile(rb"multipart/related", re.IGNORECASE)
# How far into a file the markers of its format are looked for.
SNIFF_BYTES = 4096


def read_document(path: Path, root: Path | None = None) -> Document:
    """Read a report file of any supported format into blocks, or refuse it with a message.

    With ``root`` (the folder being read), a link that leads outside it is refused."""
    path = Path(path)
    return read_document_bytes(read_file(path, root), path.name)


def read_document_bytes(data: bytes, name: str) -> Document:
    """Read a report file's bytes; ``name`` is the file name, for messages and as the tie-breaker.

    Whatever a reader or the library under it raises on a damaged or hostile file becomes a
    ReportError for this file: one bad file never stops the others."""
    try:
        document = _read_format(data, name)
        chars = Budget(name, "max_report_chars", "读出的文字字数")
        for block in document.blocks:
            chars.add(len(block.text) + sum(len(cell) for row in block.rows or () for cell in row))
    except ReportError:
        raise
    except MemoryError:
        raise ReportError(f"{name}：读取这个文件所需的内存超出了上限，文件可能已损坏或是恶意构造的；请检查文件。") from None
    except RecursionError:
        raise ReportError(f"{name}：文件的结构嵌套过深，无法读取；文件可能已损坏或是恶意构造的。") from None
    except Exception as err:  # noqa: BLE001 - a reader's library fails on a malformed file with whatever it meets first
        raise ReportError(
            f"{name}：文件已损坏或格式异常，无法读取（{type(err).__name__}）；请用原来的程序打开后重新保存，再添加。"
        ) from None
    if not document.blocks:
        raise ReportError(f"{name}：文件里没有可读的文字。")
    return document


def _read_format(data: bytes, name: str) -> Document:
    kind = detect_format(data, name)
    if kind == "docx":
        return read_docx(data, name)
    if kind == "pdf":
        return read_pdf(data, name)
    if kind == "html":
        return read_html(data, name)
    if kind == "mhtml":
        return read_html(_page_of_mhtml(data, name), name)
    # The plain-text reader is written alongside this module; import it only when it is needed.
    from .plaintext import read_text

    return read_text(data, name)


def detect_format(data: bytes, name: str) -> str:
    """"docx", "pdf", "html", "mhtml" or "txt", from the content; refuse everything else."""
    extension = Path(name).suffix.lower()
    if not data.strip():
        raise ReportError(f"{name}：文件是空的，没有可读的内容。")
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return _zip_kind(data, name, extension)
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(OLE2):
        for stream, what in OLE2_KINDS:
            if _ole2_has_stream(data, stream):
                raise ReportError(f"{name}：这{what}。")
        raise ReportError(f"{name}：这{OLD_WORD}。")
    for magic, what in IMAGES:
        if data.startswith(magic):
            raise ReportError(
                f"{name}：这是一张图片（{what}），不是文字报告；如果是报告的扫描件，需要先做文字识别（OCR），再添加识别出的文字。"
            )
    for magic, what in ARCHIVES:
        if data.startswith(magic):
            raise ReportError(f"{name}：这是一个压缩包（{what}），请先解压，再添加其中的报告文件。")
    if data.startswith(b"{\\rtf"):
        raise ReportError(f"{name}：这是 RTF 文件，请用 Word 或 WPS 另存为 .docx 后再添加。")
    head = data[:SNIFF_BYTES]
    if _is_mhtml(head):
        return "mhtml"
    if _starts_html(head) or (
        HTML_ANYWHERE.search(head) and head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
    ) or _utf16_html(head):
        return "html"
    if extension in HTML_EXTENSIONS and head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "html"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        if extension == ".pdf":
            raise ReportError(f"{name}：扩展名是 .pdf，但内容不是 PDF，文件可能已损坏；请重新下载后再添加。")
        if extension in (".docx", ".doc", ".wps"):
            raise ReportError(f"{name}：扩展名是 {extension}，但内容不是 Word 文件，文件可能已损坏；请用 Word 或 WPS 另存为 .docx 后再添加。")
        raise ReportError(f"{name}：这是一个二进制文件，不是可读的报告。{SUPPORTED}。")
    return "txt"


def _zip_kind(data: bytes, name: str, extension: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        if extension == ".docx":
            raise ReportError(f"{name}：Word 文件已损坏，无法打开；请用 Word 或 WPS 打开后另存为 .docx 再添加。") from None
        raise ReportError(f"{name}：这是一个已损坏的压缩包（zip），无法打开；请重新下载或重新压缩后再试。") from None
    if "word/document.xml" in members:
        return "docx"
    for member, what in ZIP_KINDS:
        if member in members:
            raise ReportError(f"{name}：这{what}。")
    raise ReportError(f"{name}：这是一个压缩包（zip），请先解压，再添加其中的报告文件。")


def _page_of_mhtml(data: bytes, name: str) -> bytes:
    """The HTML page inside a browser's single-file archive, as UTF-8 with a BOM."""
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True) or b""
            if not isinstance(payload, bytes):
                break
            declared = part.get_param("charset")
            text, _warnings = charset.decode(payload, name, declared if isinstance(declared, str) else None)
            return codecs.BOM_UTF8 + text.encode("utf-8", "replace")
    raise ReportError(f"{name}：这个单文件网页（.mht）里没有网页正文；请在浏览器中把报告页面另存为 .html 后再添加。")


def _is_mhtml(head: bytes) -> bool:
    """Header lines, the first of them a MIME-Version or Content-Type, and multipart/related after it."""
    start = 0
    while start < len(head):
        if MIME_TYPE_LINE.match(head, start):
            return MULTIPART_RELATED.search(head, start) is not None
        end = head.find(b"\n", start)
        if end < 0 or not MIME_HEADER_LINE.match(head, start):
            return False
        start = end + 1
    return False


def _after_prolog(head: bytes) -> int:
    """Where the first tag of a page starts: after a BOM, blank space, an XML declaration and comments."""
    position = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
    prolog = ((b"<?xml", b">"), (b"<!--", b"-->"))
    while True:
        while position < len(head) and head[position] in b" \t\r\n\f\v":
            position += 1
        for opening, closing in prolog:
            if head[position:position + len(opening)].lower() == opening:
                end = head.find(closing, position + len(opening))
                if end < 0:
                    return -1
                position = end + len(closing)
                prolog = prolog[1:] if opening == b"<?xml" else prolog  # one declaration, then comments
                break
        else:
            return position


def _starts_html(head: bytes) -> bool:
    position = _after_prolog(head)
    return position >= 0 and HTML_TAG.match(head, position) is not None


def _ole2_has_stream(data: bytes, stream: str) -> bool:
    """Whether an OLE2 directory entry names this stream: its UTF-16 name, zero-padded to 64 bytes, then its length."""
    encoded = stream.encode("utf-16-le")
    entry = encoded + b"\x00" * (64 - len(encoded)) + struct.pack("<H", len(encoded) + 2)
    return entry in data


def _utf16_html(head: bytes) -> bool:
    if not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    text = head.decode("utf-16", "ignore").encode("ascii", "ignore")
    return _starts_html(text)
