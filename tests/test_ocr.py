"""Scanned PDFs: read by Tesseract where it is installed, refused with what to install where not.

The scanned page is made here: Chinese text drawn with fonts-wqy-microhei into an image, saved as
an image-only PDF. In CI (CI=true or POLICY_SEARCH_REQUIRE_OCR=1, which .ci/run sets) a missing
Tesseract fails the test instead of skipping it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from search.errors import ReportError
from search.reading import inspect, ocr, read_report

FONTS = [Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), Path("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc")]
REQUIRED = os.environ.get("POLICY_SEARCH_REQUIRE_OCR") == "1" or os.environ.get("CI") == "true"
PAGE = [
    "关于宜昌市2025年预算执行情况",
    "和2026年预算草案的报告",
    "各位代表：",
    "一、2025年预算执行情况",
    "全市一般公共预算收入增长百分之五。",
    "二、2026年预算草案",
    "全市一般公共预算收入预计增长百分之四。",
]


def scanned_pdf(path: Path, lines: list[str]) -> Path:
    image_module = pytest.importorskip("PIL.Image")
    from PIL import ImageDraw, ImageFont

    font_file = next((f for f in FONTS if f.exists()), None)
    if font_file is None:
        pytest.skip("fonts-wqy-microhei is not installed: no Chinese font to draw the scanned page with")
    font = ImageFont.truetype(str(font_file), 40)
    image = image_module.new("L", (1654, 1200), 255)  # an A4-wide page at 150 dpi, grey like a scan
    draw = ImageDraw.Draw(image)
    for n, line in enumerate(lines):
        draw.text((120, 100 + n * 80), line, font=font, fill=0)
    image.save(path, "PDF", resolution=150)
    return path


def needs_tesseract():
    if ocr.available():
        return
    message = "Tesseract with Chinese data is not installed (apt-get install tesseract-ocr tesseract-ocr-chi-sim)"
    if REQUIRED:
        pytest.fail(message + "; CI must install it")
    pytest.skip(message)


def test_a_scanned_page_is_read_by_ocr_and_its_passages_say_so(tmp_path):
    needs_tesseract()
    report = read_report(scanned_pdf(tmp_path / "scan.pdf", PAGE))
    assert (report.place, report.type, report.year) == ("湖北省宜昌市", "预算执行情况报告", 2026)
    texts = [p.text for p in report.passages]
    assert "全市一般公共预算收入增长百分之五。" in texts
    assert all(p.ocr for p in report.passages if p.kind == "sentence")
    assert any("文字识别" in w for w in report.warnings)
    assert inspect(tmp_path / "scan.pdf")["ocr_passages"] >= 2


def test_without_tesseract_a_scanned_pdf_says_what_to_install(tmp_path, monkeypatch):
    path = scanned_pdf(tmp_path / "scan.pdf", PAGE)
    monkeypatch.setattr(ocr, "available", lambda: False)
    with pytest.raises(ReportError, match="tesseract-ocr-chi-sim"):
        read_report(path)
