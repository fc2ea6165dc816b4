"""The JSON twin of every page: the engine's own result shapes, unchanged.

Errors are ``{"error": "..."}`` with 400, 404 or 503 (see ``webui.errors``).
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from search.compare import compare as compare_counties

from .params import SearchArgs
from .searcher import get_engine

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/search")
def search():
    return jsonify(SearchArgs.from_args(request.args).run(get_engine()))


@bp.get("/passages/<passage_id>")
def passage(passage_id: str):
    return jsonify(get_engine().context(passage_id, before=2, after=2))


@bp.get("/reports")
def reports():
    return jsonify({"reports": get_engine().reports()})


@bp.get("/reports/<report_id>")
def report(report_id: str):
    return jsonify(get_engine().report(report_id))


@bp.get("/compare")
def compare():
    q = request.args.get("q", "").strip()
    if not q:
        return jsonify({"error": "q is required: the indicator to compare, e.g. 地区生产总值"}), 400
    return jsonify(compare_counties(get_engine(), q))
