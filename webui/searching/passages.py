"""Reading: a passage's permalink with its context, and a whole report."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..site.parameters import accepts
from ..site.searcher import get_engine
from .report_layout import lay_out

bp = Blueprint("passages", __name__)


@bp.get("/p/<passage_id>")
@accepts()
def passage(passage_id: str):
    context = get_engine().context(passage_id, before=2, after=2)
    return render_template("passage.html", context=context, passage=context["passage"])


@bp.get("/reports/<report_id>")
@accepts()
def report(report_id: str):
    data = get_engine().report(report_id)
    return render_template("report.html", report=data["report"], layout=lay_out(data["passages"]),
                           passage_count=len(data["passages"]))
