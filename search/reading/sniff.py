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

from .. import settings
from ..errors import ReportError
from .blocks import Document
from .docx_reader import read_docx
from .html_reader import read_html
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
HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b",
    re.IGNORECASE | re.DOTALL,
)
HTML_ANYWHERE = re.compile(rb"<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE)
HTML_EXTENSIONS = {".html", ".htm", ".shtml", ".xhtml"}
# A page a browser saved as one file (.mht/.mhtml): a MIME message whose first part is the page.
MHTML_START = re.compile(rb"^(?:(?:[\x21-\x7e]+:|[ \t])[^\n]*\r?\n)*?(?:MIME-Version|Content-Type):.*multipart/related", re.IGNORECASE | re.DOTALL)
# How far into a file the markers of its format are looked for.
SNIFF_BYTES = 4096


def read_document(path: Path) -> Document:
    """Read a report file of any supported format into blocks, or refuse it with a message."""
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
        limit = settings.get("max_report_bytes")
        if size > limit:
            raise ReportError(
                f"{name}：文件有 {size / 2**20:.1f} MB，超过了报告文件 {limit / 2**20:.0f} MB 的上限；"
                "请拆分后再添加，或调高 POLICY_SEARCH_MAX_REPORT_BYTES。"
            )
        data = path.read_bytes()
    except OSError as err:
        raise ReportError(f"{name}：无法读取这个文件（{err.strerror or err}）；请检查文件是否存在、是否有读取权限。") from None
    return read_document_bytes(data, name)


def read_document_bytes(data: bytes, name: str) -> Document:
    """Read a report file's bytes; ``name`` is the file name, for messages and as the tie-breaker."""
    kind = detect_format(data, name)
    if kind == "docx":
        document = read_docx(data, name)
    elif kind == "pdf":
        document = read_pdf(data, name)
    elif kind == "html":
        document = read_html(data, name)
    elif kind == "mhtml":
        document = read_html(_page_of_mhtml(data, name), name)
    else:
        # The plain-text reader is written alongside this module; import it only when it is needed.
        from .plaintext import read_text

        document = read_text(data, name)
    if not document.blocks:
        raise ReportError(f"{name}：文件里没有可读的文字。")
    return document


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
    if MHTML_START.match(head):
        return "mhtml"
    if HTML_START.match(head) or (
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
            charset = part.get_content_charset()
            if charset:
                try:
                    return codecs.BOM_UTF8 + payload.decode(charset).encode("utf-8")
                except (LookupError, UnicodeDecodeError):
                    pass
            return payload
    raise ReportError(f"{name}：这个单文件网页（.mht）里没有网页正文；请在浏览器中把报告页面另存为 .html 后再添加。")


def _ole2_has_stream(data: bytes, stream: str) -> bool:
    """Whether an OLE2 directory entry names this stream: its UTF-16 name, zero-padded to 64 bytes, then its length."""
    encoded = stream.encode("utf-16-le")
    entry = encoded + b"\x00" * (64 - len(encoded)) + struct.pack("<H", len(encoded) + 2)
    return entry in data


def _utf16_html(head: bytes) -> bool:
    if not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    text = head.decode("utf-16", "ignore").encode("ascii", "ignore")
    return bool(HTML_START.match(text))
