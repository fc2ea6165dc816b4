"""Saved searches as JSON: ``POST /api/saved-searches`` with ``{"q": …, "place": […], "year": […], …}``
answers 201 with ``id``, ``token``, ``url`` (the private page) and ``feed_url`` (the Atom feed);
``GET /api/saved-searches/<id>?token=…`` gives the saved search and the passages it matches, newest
report first, each with ``added_at``; ``DELETE`` with the same token deletes it (204).

Bodies are JSON objects sent as ``application/json`` (415 otherwise, which also keeps another site's
plain HTML form out). Errors are ``{"error": "…", "code": "…"}`` in Chinese: 400 ``bad_json`` for a
body that is not JSON, 400 ``bad_parameter`` for an unknown field or a value of the wrong type,
400 ``unknown_place`` and the like for a value the index does not know, 403 for a wrong token.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for
from werkzeug.exceptions import UnsupportedMediaType

from search.errors import BadJson, BadParameter
from search.saved.model import check_request

from ..site.errors import add_help
from ..site.parameters import accepts
from .pages import saved_explanations
from .store import arrivals, get_store, save

bp = Blueprint("saved_api", __name__, url_prefix="/api/saved-searches")
add_help(bp, explanations=saved_explanations)

EXAMPLE = '{"q": "森林覆盖率", "place": ["云阳"]}'


def json_object() -> dict:
    if not request.is_json:
        raise UnsupportedMediaType("请以 JSON 发送请求内容，并带上 Content-Type: application/json")
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        body = None
    if body is None:
        raise BadJson(f"请求内容不是有效的 JSON；请发送一个 JSON 对象，如 {EXAMPLE}")
    if not isinstance(body, dict):
        raise BadParameter(f"请求内容须是一个 JSON 对象，如 {EXAMPLE}")
    return body


@bp.post("")
def create():
    q, filters = check_request(json_object())
    made = save(q, filters)
    location = url_for(".saved_search", saved_id=made["id"])
    # The answer holds the token: no cache may keep it.
    return jsonify(made), 201, {"Location": location, "Cache-Control": "no-store"}


@bp.get("/<sid:saved_id>")
@accepts("token")
def saved_search(saved_id: str):
    saved = get_store().get(saved_id, request.args.get("token"))
    found = arrivals(saved)
    answer = {**saved, "total": found["total"], "passages": found["passages"]}
    return jsonify(answer), 200, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@bp.delete("/<sid:saved_id>")
def delete(saved_id: str):
    get_store().delete(saved_id, request.args.get("token"))
    return "", 204
