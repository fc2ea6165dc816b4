"""Every hit of a search as a file: ``/search.csv`` and ``/search.xlsx`` read the results page's own
parameters (``params.SearchArgs``; the page is ignored: a download holds every hit, in ranking
order) and refuse what it refuses, with the same messages, before anything is sent.

Columns: ``search.downloads.HIT_COLUMNS``; the permalink is absolute, for a spreadsheet read far from
the site. The CSV is streamed as the engine reads the hits (``Engine.iter_hits``); the spreadsheet
is written row by row in constant memory to a temporary file, then sent.

``/compare.csv`` and ``/compare.xlsx`` are the compare page's table (``search.figures.compare``'s
``table``, as sorted on the page): a line per place and year, the target and the result side by side.
"""

from __future__ import annotations

from functools import partial

from flask import Blueprint, request

from search.downloads import HIT_COLUMNS, csv_chunks, filename, hit_cells, write_xlsx
from search.figures.compare import TABLE_COLUMNS, TABLE_LINK_COLUMNS, table_cells

from ..figures.comparison import CompareArgs

from ..site.downloads import csv_download, xlsx_download
from ..site.errors import add_help
from ..site.limits import costs
from ..site.parameters import accepts
from ..site.searcher import get_engine
from .pages import explanations
from .params import PARAMETERS, SearchArgs

bp = Blueprint("downloads", __name__)
add_help(bp, explanations=explanations)
LINK_COLUMN = HIT_COLUMNS.index("链接")


def _hit_rows():
    """This request's search as rows of cells (checked now; read as consumed), and its query."""
    args = SearchArgs.from_args(request.args)
    hits = get_engine().iter_hits(args.q, **args.filters, report=args.report, sort=args.sort)
    base_url = request.url_root
    return (hit_cells(hit, base_url) for hit in hits), args.q


@bp.get("/search.csv")
@accepts(*PARAMETERS)
@costs(3)
def search_csv():
    rows, q = _hit_rows()
    return csv_download(csv_chunks(HIT_COLUMNS, rows), filename("检索", q, "csv"))


@bp.get("/search.xlsx")
@accepts(*PARAMETERS)
@costs(3)
def search_xlsx():
    rows, q = _hit_rows()
    write = partial(write_xlsx, sheet_name="检索结果", columns=HIT_COLUMNS, rows=rows, link_columns=[LINK_COLUMN])
    return xlsx_download(write, filename("检索", q, "xlsx"))


def _compare_rows():
    """This request's comparison as rows of cells (refused as the compare API refuses it), and its query."""
    args = CompareArgs.from_args(request.args)
    result = args.run_for_api(get_engine())
    return [table_cells(line, request.url_root) for line in result["table"]], result["query"]


@bp.get("/compare.csv")
@accepts(*CompareArgs.PARAMETERS)
@costs(3)  # four searches, as the compare page
def compare_csv():
    rows, q = _compare_rows()
    return csv_download(csv_chunks(TABLE_COLUMNS, rows), filename("对比", q, "csv"))


@bp.get("/compare.xlsx")
@accepts(*CompareArgs.PARAMETERS)
@costs(3)
def compare_xlsx():
    rows, q = _compare_rows()
    write = partial(write_xlsx, sheet_name="各地区对比", columns=TABLE_COLUMNS, rows=rows,
                    link_columns=TABLE_LINK_COLUMNS)
    return xlsx_download(write, filename("对比", q, "xlsx"))
