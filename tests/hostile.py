"""Files a user could be sent that try to hurt the reader, made byte by byte.

Each maker returns bytes; none needs a library beyond the standard one, so what a file holds is
visible here rather than hidden in what a writer library chose to emit.
"""

from __future__ import annotations

import io
import zipfile
import zlib

REPORT_LINES = [
    "北京市人民政府工作报告",
    "各位代表：",
    "现在，我代表北京市人民政府，向大会报告政府工作，请予审议。",
    "一、2024年工作回顾",
    "全县地区生产总值增长5.2%。城乡居民收入稳步增长。",
    "二、2025年工作安排",
    "全年地区生产总值增长5%左右。",
]


def pdf(objects: list[bytes], root: int = 1, trailer_extra: bytes = b"") -> bytes:
    """A PDF holding ``objects`` (object n is ``objects[n - 1]``) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, root, trailer_extra, xref)
    return bytes(out)


def stream(data: bytes, extra: bytes = b"", flate: bool = False) -> bytes:
    if flate:
        data, extra = zlib.compress(data, 9), extra + b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(data), extra, data)


def text_pdf(content: bytes, flate: bool = False, to_unicode: bytes | None = None) -> bytes:
    """One page drawing ``content`` (a content stream) with Helvetica as /F1."""
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        stream(content, flate=flate),
        font + (b" /ToUnicode 6 0 R >>" if to_unicode else b" >>"),
    ]
    if to_unicode:
        objects.append(stream(to_unicode))
    return pdf(objects)


def lines_content(lines: list[str]) -> bytes:
    parts = [b"BT /F1 10 Tf 72 720 Td 14 TL"]
    for line in lines:
        parts.append(b"(%s) '" % line.encode("latin-1").replace(b"(", b"\\(").replace(b")", b"\\)"))
    return b"\n".join(parts + [b"ET"])


def looping_pages_pdf() -> bytes:
    """A page tree whose node lists itself among its kids: walking it never reaches a page."""
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
        b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>",
    ])


def surrogate_pdf() -> bytes:
    """A text layer whose font maps A and B to the two halves of a surrogate pair, and C to a lone one."""
    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
            b"/CMapName /Hostile def /CMapType 2 def\n"
            b"1 begincodespacerange <00> <FF> endcodespacerange\n"
            b"3 beginbfchar <41> <D800> <42> <DC00> <43> <DFFF> endbfchar\n"
            b"endcmap CMapName currentdict /CMap defineresource pop end end")
    return text_pdf(lines_content(["Work report of the year 2025, CAB AC BBCA, growth was 5.2 percent."] * 40),
                    to_unicode=cmap)


def flate_bomb_pdf(expanded: int) -> bytes:
    """A page whose content stream inflates to ``expanded`` bytes of spaces."""
    return text_pdf(b" " * expanded, flate=True)


def docx(document_xml: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal .docx: the parts python-docx needs and ``document_xml`` as the body."""
    parts = {
        "[Content_Types].xml": (
            b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            b'<Default Extension="xml" ContentType="application/xml"/>'
            b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            b'wordprocessingml.document.main+xml"/></Types>'),
        "_rels/.rels": (
            b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            b'officeDocument" Target="word/document.xml"/></Relationships>'),
        "word/document.xml": document_xml,
        **(extra or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx_body(paragraphs: list[str]) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" for text in paragraphs)
    return ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            f'wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>').encode("utf-8")


def docx_bomb(expanded: int) -> bytes:
    """A .docx whose body repeats one short paragraph until it is ``expanded`` bytes long."""
    paragraph = "<w:p><w:r><w:t>全县地区生产总值增长5.2%。</w:t></w:r></w:p>".encode("utf-8")
    head = docx_body(REPORT_LINES).split(b"</w:body>")[0]
    return docx(head + paragraph * (expanded // len(paragraph)) + b"</w:body></w:document>")
