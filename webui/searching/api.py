"""The JSON twin of every page: the engine's own result shapes, unchanged.

Errors are ``{"error": "...", "code": "..."}`` with 400, 404 or 503 (see ``webui.site.errors``); 414 for an
overlong URL and 429 with ``Retry-After`` for a client over its budget (see ``webui.site.limits``).
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..figures.comparison import CompareArgs
from ..site.limits import costs
from ..site.parameters import accepts
from ..site.searcher import get_engine
from .params import API_PARAMETERS, SearchArgs

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/search")
@accepts(*API_PARAMETERS)
def search():
    return jsonify(SearchArgs.from_args(request.args).run(get_engine()))


@bp.get("/passages/<passage_id>")
@accepts()
def passage(passage_id: str):
    return jsonify(get_engine().context(passage_id, before=2, after=2))


@bp.get("/reports")
@accepts()
def reports():
    return jsonify({"reports": get_engine().reports()})


@bp.get("/reports/<report_id>")
@accepts()
def report(report_id: str):
    return jsonify(get_engine().report(report_id))


@bp.get("/compare")
@accepts(*CompareArgs.PARAMETERS)
@costs(3)  # four searches
def compare():
    return jsonify(CompareArgs.from_args(request.args).run_for_api(get_engine()))
