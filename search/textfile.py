"""Turning a report file's bytes into text, or refusing it with a message a user can act on."""

from __future__ import annotations

import codecs
from pathlib import Path

from . import settings
from .errors import ReportError




def decode_report(data: bytes, name: str) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK; refuse anything else."""
    if not data.strip():
        raise ReportError(f"{name}: the file is empty.")
    if data.startswith(b"PK\x03\x04"):
        raise ReportError(
            f"{name}: this is a Word (.docx) or other zip file, not plain text; "
            "save it from Word as 'Plain Text (.txt)' with UTF-8 encoding and add that file."
        )
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        if b"\x00" in data[:4096]:
            raise ReportError(f"{name}: this looks like a binary file (it contains NUL bytes), not a text report.")
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return _check_text(text, name)
    raise ReportError(
        f"{name}: the text is neither UTF-8 nor GB18030/GBK; save it as UTF-8 and add it again."
    )


def _check_text(text: str, name: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    sample = text[:20000]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\n\t\f\v")
    if controls > len(sample) // 100:
        raise ReportError(f"{name}: this looks like a binary file (control characters in the text), not a report.")
    if not text.strip():
        raise ReportError(f"{name}: the file has no text.")
    return text


def read_report_text(path: Path) -> str:
    size = path.stat().st_size
    limit = settings.get("max_report_bytes")
    if size > limit:
        raise ReportError(
            f"{path.name}: {size // (1024 * 1024)} MB is larger than the {limit // (1024 * 1024)} MB "
            "a report may be; split it, or raise POLICY_SEARCH_MAX_REPORT_BYTES."
        )
    return decode_report(path.read_bytes(), path.name)
