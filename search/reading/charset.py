"""Bytes to text for plain-text files and web pages, never guessing into mojibake.

The order: a byte-order mark; then the charset the file declares (a web page's ``<meta charset>``),
trusted only when it decodes cleanly and gives plausible text; then UTF-8, GB18030 (a superset of
GB2312 and GBK), and UTF-16 for text whose every other byte is NUL. Plausible means no NUL, no
C1 control characters (what UTF-8 or GBK bytes read as Latin-1 are full of) and no unassigned
characters. A declared single-byte charset (Latin-1, Windows-1252) comes after UTF-8 and GB18030
for bytes beyond ASCII: a Chinese report's bytes always "decode" as Latin-1, while Western text
almost never decodes cleanly as either.

A file that decodes only with a few stray bytes replaced (a page cut inside a character) is read
with a warning; one that nothing decodes is refused with "无法识别文件的字符编码".
"""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata

from ..errors import ReportError

GBK_NAMES = {"gb2312", "gbk", "x-gbk", "cp936", "euc-cn", "gb_2312-80", "csgb2312", "gb18030", "euc_cn", "ms936"}
# Charsets in which a Chinese report may be written: a clean decode in one of them is trusted.
WIDE = {"utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be", "gb18030", "big5",
        "big5hkscs", "cp950", "hz", "iso2022_jp", "euc_jp", "shift_jis", "euc_kr", "cp949"}
FALLBACKS = ["utf-8", "gb18030"]
# NUL, C0 controls other than layout, C1 controls, and the replacement character.
IMPLAUSIBLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")
# Stray undecodable bytes tolerated, per character, before a file counts as not in that charset.
STRAY_SHARE = 0.001
MAX_LABEL = 40
# Share of a GB18030 text's characters beyond ASCII that are GB2312's (real reports: over 99%).
GB2312_SHARE = 0.8


def decode(data: bytes, name: str, declared: str | None = None) -> tuple[str, list[str]]:
    """The text and any warnings; refuse bytes that no plausible charset decodes."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"),
                          (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            text = _clean(data, encoding)
            if text is not None:
                return text, []
            break
    candidates = _candidates(data, declared)
    for encoding in candidates:
        text = _clean(data, encoding)
        if text is not None:
            return text, []
    for encoding in candidates:
        text = _nearly(data, encoding)
        if text is not None:
            return text, [f"{name} 中有少数字节不是 {encoding.upper()} 字符，已替换为 �，请核对。"]
    said = f"不是声明的 {declared[:MAX_LABEL]}，" if declared else ""
    raise ReportError(
        f"{name}：无法识别文件的字符编码（{said}既不是 UTF-8 也不是 GB18030/GBK）；"
        "请用记事本或 WPS 另存为 UTF-8 后再添加。")


def normalize(label: str | None) -> str | None:
    """The codec a declared charset label names, or None for a label that is not a text charset."""
    if not label or len(label) > MAX_LABEL:
        return None
    label = label.strip().lower()
    if label in GBK_NAMES:
        return "gb18030"
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):
        return None
    # "undefined" always raises, and rot13, base64 or zlib are transforms, not charsets.
    if not getattr(info, "_is_text_encoding", True) or info.name == "undefined":
        return None
    return info.name


def _candidates(data: bytes, declared: str | None) -> list[str]:
    encoding = normalize(declared)
    fallbacks = list(FALLBACKS)
    sample = data[:4096]
    if sample.count(b"\x00") > len(sample) // 4:
        # Text in UTF-16 without a byte-order mark: the NULs are the high bytes of ASCII characters.
        fallbacks += ["utf-16-le", "utf-16-be"] if sample[1::2].count(0) > sample[::2].count(0) else ["utf-16-be", "utf-16-le"]
    if encoding is None:
        return fallbacks
    if encoding not in WIDE and not data.isascii():
        return fallbacks + [encoding]
    return [encoding] + [e for e in fallbacks if e != encoding]


def _clean(data: bytes, encoding: str) -> str | None:
    try:
        text = data.decode(encoding)
    except (UnicodeError, LookupError, ValueError, TypeError):
        return None
    return text if _plausible(text, encoding) else None


def _nearly(data: bytes, encoding: str) -> str | None:
    try:
        text = data.decode(encoding, "replace")
    except (UnicodeError, LookupError, ValueError, TypeError):
        return None
    if text.count("\ufffd") > max(1, len(text) * STRAY_SHARE):
        return None
    return text if _plausible(text.replace("\ufffd", ""), encoding) else None


def _plausible(text: str, encoding: str) -> bool:
    bad = len(IMPLAUSIBLE.findall(text, 0, 200_000))
    if bad > len(text[:200_000]) // 100:
        return False
    # Unassigned code points: what bytes of another charset read as UTF-16 mostly are.
    sample = text[:2000]
    unassigned = sum(1 for ch in sample if unicodedata.category(ch) == "Cn")
    if unassigned > len(sample) // 100:
        return False
    if encoding == "gb18030":
        # GB18030 decodes most byte pairs to some character (UTF-16 text without a mark, for one);
        # a Chinese text in it is nearly all GB2312's common characters, such mojibake is not.
        wide = [ch for ch in text[:20000] if ord(ch) > 0x7F]
        common = sum(1 for ch in wide if _in_gb2312(ch))
        return common >= len(wide) * GB2312_SHARE
    return True


@functools.lru_cache(maxsize=8192)
def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True
