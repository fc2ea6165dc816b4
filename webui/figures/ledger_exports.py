"""The ledger's downloads: CSV (UTF-8 with a BOM, so that Excel opens it in Chinese) and .xlsx.

The spreadsheet is written by XlsxWriter in constant_memory mode: rows go to disk as they are
written, so a ledger of any length costs the same memory (openpyxl's write_only mode would do as
well; XlsxWriter is BSD-licensed, has no dependencies and writes real booleans and numbers). The
first sheet is the rows with the column names researchers' tools read; the second, 字段说明, names
each column in Chinese and says which rule and tolerance the 是否达到 column used.
"""

from __future__ import annotations

import io
import os
import tempfile
from datetime import date

from flask import Response

from search.figures.ledger_columns import COLUMNS, FIELDS, LINKS, cell_text, values, write_csv

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_LINKS = {FIELDS.index(name) for name in LINKS}


def _filename(ext: str) -> str:
    return f"targets-ledger-{date.today():%Y%m%d}.{ext}"


def csv_response(rows: list[dict], base_url: str) -> Response:
    out = io.StringIO()
    write_csv(rows, out, base_url=base_url)
    return Response(out.getvalue().encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={_filename('csv')}"})


def xlsx_response(result: dict, base_url: str) -> Response:
    import xlsxwriter

    # constant_memory writes rows to a temporary file as they come; the workbook is read back once.
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_urls": False})
        sheet = book.add_worksheet("目标台账")
        bold = book.add_format({"bold": True})
        for col, name in enumerate(FIELDS):
            sheet.write_string(0, col, name, bold)
        for n, row in enumerate(result["rows"], 1):
            for col, value in enumerate(values(row, base_url)):
                if value is None or value == "":
                    continue
                if isinstance(value, bool):
                    sheet.write_boolean(n, col, value)
                elif isinstance(value, (int, float)):
                    sheet.write_number(n, col, value)
                elif col in _LINKS:
                    sheet.write_url(n, col, value, string=value)
                else:
                    sheet.write_string(n, col, cell_text(value))
        notes = book.add_worksheet("字段说明")
        notes.write_row(0, 0, ["字段", "中文名"], bold)
        for n, (name, label) in enumerate(COLUMNS, 1):
            notes.write_row(n, 0, [name, label])
        tail = len(COLUMNS) + 2
        notes.write_row(tail, 0, ["判断规则", f"{result['rule']}：{result['rule_label']}"])
        notes.write_row(tail + 1, 0, ["容差", str(result["tolerance"])])
        book.close()
        with open(path, "rb") as f:
            data = f.read()
    finally:
        os.unlink(path)
    return Response(data, mimetype=_XLSX,
                    headers={"Content-Disposition": f"attachment; filename={_filename('xlsx')}"})
