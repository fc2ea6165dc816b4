"""What the index holds (收录情况): ``/coverage``, a grid of places × years with the report types each
cell holds, and its JSON twin ``/api/coverage``. Both take ``province`` and ``level`` (may repeat);
a cell's reports link to a search within that place and year, and to the report itself."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request

from search.coverage import coverage
from search.documents import LEVELS

from ..site.parameters import accepts
from ..site.searcher import get_engine

bp = Blueprint("coverage", __name__)

# How a cell names a report type in two characters.
PARAMETERS = ("province", "level")  # what both read (``webui.site.parameters.accepts``)
SHORT_TYPES = {"政府工作报告": "政府", "计划执行情况报告": "计划", "预算执行情况报告": "预算", "统计公报": "公报"}


def _run() -> dict:
    return coverage(get_engine(), province=[v for v in request.args.getlist("province") if v.strip()],
                    level=[v for v in request.args.getlist("level") if v.strip()])


@bp.get("/coverage")
@accepts(*PARAMETERS)
def page():
    return render_template("coverage.html", result=_run(), levels=LEVELS, short=SHORT_TYPES,
                           province=request.args.get("province", ""), level=request.args.get("level", ""))


@bp.get("/api/coverage")
@accepts(*PARAMETERS)
def api():
    return jsonify(_run())
