"""Tables as files to download: CSV (UTF-8 with a BOM, so that Excel opens it in Chinese) and .xlsx.

A table is its column names and an iterable of rows (lists of cells), written as they come: the CSV
as a stream of text chunks, the spreadsheet by XlsxWriter in constant_memory mode (rows go to disk
as they are written), so a download of every hit costs the same memory as one of ten. The columns
of a search's download are ``HIT_COLUMNS`` (``hit_cells`` fills them from ``Engine.iter_hits``);
``filename`` names a download after what it holds.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

from .documents import citation

HIT_COLUMNS = ("地区", "层级", "年份", "部分", "报告", "句子", "引用", "链接")
_CHUNK = 64 * 1024  # characters of CSV handed on at a time
_MAX_CELL = 32_767  # characters an Excel cell holds
EXCEL_ROWS = 1_048_576  # rows an Excel sheet holds, the header's included
TOO_MANY_ROWS = "结果超过 Excel 一张表 {rows:,} 行的上限，以上是前 {written:,} 条；完整的结果请下载 CSV。"
# Characters no file name may hold on Windows or macOS, and controls.
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def hit_row(snap, fields: dict, score, match) -> dict:
    """A hit as ``Engine.iter_hits`` gives it (``snap``: the backend's snapshot, ``fields``: the
    passage's stored fields): ``search``'s hit without the highlighting and figures."""
    report = snap.reports[fields["report_id"]]
    return {
        "id": fields["id"],
        "report_id": fields["report_id"],
        "place": report.get("place", report["county_full"]),
        "place_short": report.get("place_short", fields["county"]),
        "level": report.get("level", ""),
        "province": report.get("province", ""),
        "year": int(fields["year"]),
        "section": fields["section"],
        "heading": fields["heading"],
        "kind": fields["kind"],
        "text": fields["text"],
        "report_title": report["title"],
        "county_full": report["county_full"],
        "citation": citation(report, fields["heading"]),
        "url": f"/p/{fields['id']}",
        "score": round(score, 4) if score is not None else None,
        "match": match,
        "ocr": bool(fields.get("ocr")),  # read from a scanned page
    }


def hit_cells(hit: dict, base_url: str = "") -> list:
    """One hit (``Engine.iter_hits``) as ``HIT_COLUMNS``' cells; the permalink absolute with
    ``base_url``."""
    return [hit["place"], hit["level"], hit["year"], hit["section"], hit["report_title"], hit["text"],
            hit["citation"], base_url.rstrip("/") + hit["url"]]


def _cell(value) -> str:
    return "" if value is None else str(value)


def csv_chunks(columns: Iterable[str], rows: Iterable[list]) -> Iterator[str]:
    """The table as CSV text in chunks of about 64 KB: a BOM, the header, then the rows."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
        if buffer.tell() >= _CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_xlsx(path: Path | str, sheet_name: str, columns: Iterable[str], rows: Iterable[list],
               link_columns: Iterable[int] = ()) -> int:
    """The table as a workbook at ``path``: a bold header, numbers as numbers, the cells of
    ``link_columns`` as links. Returns the number of rows written. A table longer than a sheet holds
    ends, on the sheet's last row, with a line saying so and pointing to the CSV.

    A link is a ``HYPERLINK`` formula with its URL as the cell's value, not a worksheet hyperlink:
    XlsxWriter keeps every worksheet hyperlink in memory until the sheet is closed (45 MB more for
    78,000 rows, measured) and Excel takes at most 65,530 of them; a formula is written with its row."""
    import xlsxwriter

    links = set(link_columns)
    # strings_to_urls off: a sentence that happens to look like a link stays text.
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_urls": False})
    try:
        sheet = book.add_worksheet(sheet_name)
        bold = book.add_format({"bold": True})
        link = book.add_format({"font_color": "blue", "underline": 1})
        sheet.write_row(0, 0, list(columns), bold)
        n = 0
        for n, row in enumerate(rows, 1):
            if n == EXCEL_ROWS - 1:  # the last row a sheet holds: say what is missing, not lose it quietly
                sheet.write_string(n, 0, TOO_MANY_ROWS.format(rows=EXCEL_ROWS, written=n - 1))
                return n - 1
            for col, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    sheet.write_number(n, col, value)
                elif col in links:
                    quoted = str(value).replace('"', '""')
                    sheet.write_formula(n, col, f'=HYPERLINK("{quoted}")', link, str(value))
                else:
                    sheet.write_string(n, col, str(value)[:_MAX_CELL])
    finally:
        book.close()
    return n


def filename(kind: str, query: str, ext: str, day: date | None = None) -> str:
    """A download's name: what it is, the query (made safe, at most 30 characters) and the day,
    such as ``检索-森林覆盖率-20260306.csv``."""
    cut = _UNSAFE_NAME.sub(" ", query).strip().strip(".")
    cut = re.sub(r"\s+", "_", cut)[:30]
    parts = [kind, *([cut] if cut else []), f"{day or date.today():%Y%m%d}"]
    return "-".join(parts) + "." + ext
