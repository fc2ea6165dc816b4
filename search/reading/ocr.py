"""Reading scanned PDF pages with Tesseract, where it is installed with its Chinese data.

A page without a text layer is rendered by pdfium to a grey image and handed to the ``tesseract``
program (``apt-get install tesseract-ocr tesseract-ocr-chi-sim``; no Python binding, so nothing to
build). Tesseract writes Chinese with spaces between the characters; they are taken out again.
Every paragraph read this way is marked, so that passages say they were read by OCR. Without
Tesseract a scanned PDF is refused with a line saying what to install.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys

from ..errors import ReportError

LANGUAGE = "chi_sim"
DPI = 300  # Tesseract reads Chinese best from about 300 dpi
PAGE_SECONDS = 120  # one page that takes longer is given up on, with a reason
INSTALL_HINT = "请安装 Tesseract 及其中文数据（Debian/Ubuntu：apt-get install tesseract-ocr tesseract-ocr-chi-sim）后再添加"
_CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
_SPACE_IN_CHINESE = re.compile(rf"(?<={_CJK})[ \t]+|[ \t]+(?={_CJK})")


@functools.lru_cache(maxsize=1)
def available() -> bool:
    """True when a ``tesseract`` with Chinese data can be run."""
    program = shutil.which("tesseract")
    if program is None:
        return False
    try:
        listed = subprocess.run([program, "--list-langs"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return False
    return LANGUAGE in (listed.stdout + listed.stderr).split()


def page_text(page, name: str, number: int, total: int) -> str:
    """The text of one rendered page, spaces between Chinese characters taken out."""
    print(f"{name}：文字识别第 {number}/{total} 页", file=sys.stderr, flush=True)  # per page: OCR is slow
    bitmap = page.render(scale=DPI / 72, grayscale=True)
    pixels = bitmap.to_numpy()
    height, width = pixels.shape[:2]
    image = f"P5 {width} {height} 255\n".encode() + pixels.reshape(height, -1)[:, :width].tobytes()
    try:
        done = subprocess.run(
            [shutil.which("tesseract") or "tesseract", "stdin", "stdout", "-l", LANGUAGE, "--psm", "6"],
            input=image, capture_output=True, timeout=PAGE_SECONDS,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},  # one core per reader: a build reads files side by side
        )
    except subprocess.TimeoutExpired:
        raise ReportError(f"{name}：第 {number} 页的文字识别超过 {PAGE_SECONDS} 秒，已放弃。") from None
    except OSError as err:
        raise ReportError(f"{name}：无法运行 Tesseract 做文字识别（{err.strerror}）；{INSTALL_HINT}。") from None
    if done.returncode != 0:
        raise ReportError(f"{name}：第 {number} 页的文字识别失败（Tesseract 退出码 {done.returncode}）。")
    text = done.stdout.decode("utf-8", errors="replace")
    return "\n".join(_SPACE_IN_CHINESE.sub("", line).strip() for line in text.splitlines())


def paragraphs(text: str) -> list[str]:
    """Lines of a page joined into paragraphs: a line that ends a sentence, or a blank, ends one."""
    out, current = [], ""
    for line in text.splitlines():
        if not line.strip():
            if current:
                out.append(current)
            current = ""
            continue
        current += line.strip()
        if current.endswith(("。", "：", "！", "？", "；")) or len(line.strip()) < 12:
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return out
