"""Reading speed per file: how long each report takes to become blocks, and how many blocks it gives.

    python -m bench.reading [CORPUS_DIR]

Reads every file of the corpus (default: ../shared/corpus next to the checkout), the saved-page
fixtures, and two files made to the issue's size targets: a 60,000-character Word file and a
60,000-character portal page (built in a temporary folder from the national reports). Prints one
line per file: format, pages (PDF), characters, paragraphs, headings, tables, and the read time
(first read, then the best of three). Targets: a 30-page PDF in 2 s, a 60,000-character Word file
or web page in 1 s. Plain-text files are read only once ``search.reading.plaintext`` exists.
"""

from __future__ import annotations

import html
import sys
import tempfile
import time
from pathlib import Path

import docx
import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.errors import ReportError  # noqa: E402
from search.reading.sniff import read_document  # noqa: E402

TARGET_CHARS = 60_000


def _default_corpus() -> Path | None:
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "corpus").is_dir():
            return base / "shared" / "corpus"
    return None


def _national_lines(corpus: Path) -> list[str]:
    lines = []
    for path in sorted((corpus / "national").glob("*.txt")):
        lines += [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        if sum(map(len, lines)) >= TARGET_CHARS:
            break
    return lines


def _big_docx(lines: list[str], folder: Path) -> Path:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line, style="Heading 1" if len(line) < 20 and "、" in line[:3] else None)
    path = folder / "big-60k.docx"
    document.save(path)
    return path


def _big_page(lines: list[str], folder: Path) -> Path:
    body = "\n".join(f"<p>\u3000\u3000{html.escape(line)}</p>" for line in lines)
    page = (
        '<!DOCTYPE html><html><head><meta charset="gb2312"><title>政府工作报告_中国政府网</title></head><body>'
        '<div class="nav"><a>首页</a><a>政务公开</a></div><div class="position">当前位置：首页</div>'
        f'<h1>政府工作报告</h1><div class="pages_content">{body}</div>'
        '<div class="footer">版权所有 网站标识码</div></body></html>'
    )
    path = folder / "big-60k.html"
    path.write_bytes(page.encode("gb18030"))
    return path


def _measure(path: Path) -> str:
    start = time.perf_counter()
    try:
        document = read_document(path)
    except ReportError as err:
        return f"{path.name[:28]:<30} refused: {err}"
    except ModuleNotFoundError as err:  # the plain-text reader is not on this branch yet
        return f"{path.name[:28]:<30} skipped: {err}"
    first = time.perf_counter() - start
    best = first
    for _ in range(2):
        start = time.perf_counter()
        read_document(path)
        best = min(best, time.perf_counter() - start)
    kinds = [block.kind for block in document.blocks]
    chars = sum(len(block.text) + sum(len(c) for r in block.rows or [] for c in r) for block in document.blocks)
    pages = f"{len(pdfium.PdfDocument(path))}p" if document.format == "pdf" else ""
    return (f"{path.name[:28]:<30} {document.format:<5} {pages:>4} {chars:>7} chars {kinds.count('para'):>4} para "
            f"{kinds.count('heading'):>3} head {kinds.count('table'):>2} tab  first {first * 1000:7.1f} ms  best {best * 1000:7.1f} ms")


def main(argv: list[str]) -> None:
    corpus = Path(argv[0]) if argv else _default_corpus()
    files = sorted((ROOT / "tests" / "fixtures" / "formats").glob("*.htm*"))
    with tempfile.TemporaryDirectory() as tmp:
        if corpus is not None:
            files = sorted(corpus.glob("docx-2025/*.docx")) + sorted(corpus.glob("pdf-2025/*.pdf")) + files
            files += sorted(corpus.glob("web-2026/*.txt"))
            lines = _national_lines(corpus)
            files += [_big_docx(lines, Path(tmp)), _big_page(lines, Path(tmp))]
        else:
            print("(no corpus found: reading the fixtures only)")
        for path in files:
            print(_measure(path), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
