"""The briefings' JSON API: create, read, add a passage, change, reorder, annotate, remove.

Reading needs only the id. Every change needs the briefing's edit token in the ``X-Edit-Token``
header (403 without it, and nothing changes). Bodies are JSON objects sent as ``application/json``
(415 otherwise): that also keeps another site's plain HTML form from creating briefings, as such a
form cannot send that type. Errors are ``{"error": "..."}``: 400 for bad input, 404 for an unknown
briefing, passage or item, 503 when the database stays locked (nothing was changed; try again).
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for
from werkzeug.exceptions import UnsupportedMediaType

from search.briefings import Forbidden
from search.errors import BadParameter

from .briefing_store import get_store, load_with_status
from .searcher import get_engine

bp = Blueprint("briefing_api", __name__, url_prefix="/api/briefings")

ITEM_FIELDS = ("item_id", "passage_id", "text", "citation", "note", "status")
TOKEN_HEADER = "X-Edit-Token"


def json_body(allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> dict:
    """The request's JSON object, with only known fields, text where text is expected."""
    if not request.is_json:
        raise UnsupportedMediaType("send the body as JSON, with Content-Type: application/json")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadParameter("the body must be a JSON object, e.g. {\"title\": \"…\"}")
    if unknown := sorted(set(body) - set(allowed)):
        raise BadParameter(f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}")
    if missing := [name for name in required if name not in body]:
        raise BadParameter(f"missing field(s) {', '.join(missing)}")
    for name in ("title", "intro", "note", "passage_id"):
        if name in body and not isinstance(body[name], str):
            raise BadParameter(f"{name} must be text")
    return body


def authorized(briefing_id: str) -> str:
    """The request's edit token, once it is known to be this briefing's (404 for no briefing)."""
    token = request.headers.get(TOKEN_HEADER)
    if not get_store().check_token(briefing_id, token):
        raise Forbidden(f"changing a briefing needs its edit token in the {TOKEN_HEADER} header "
                        "(it is missing or wrong); nothing was changed")
    return token


def public(briefing: dict) -> dict:
    return {"id": briefing["id"], "title": briefing["title"], "intro": briefing["intro"],
            "items": [{name: item[name] for name in ITEM_FIELDS} for item in briefing["items"]]}


@bp.post("")
def create():
    body = json_body(allowed=("title", "intro"))
    made = get_store().create(body.get("title", ""), body.get("intro", ""))
    url = url_for("briefings.view", briefing_id=made["id"], _external=True)
    edit_url = url_for("briefings.view", briefing_id=made["id"], token=made["edit_token"], _external=True)
    location = url_for(".briefing", briefing_id=made["id"])
    return jsonify({**made, "url": url, "edit_url": edit_url}), 201, {"Location": location}


@bp.get("/<bid:briefing_id>")
def briefing(briefing_id: str):
    return jsonify(public(load_with_status(briefing_id)))


@bp.patch("/<bid:briefing_id>")
def change(briefing_id: str):
    token = authorized(briefing_id)
    body = json_body(allowed=("title", "intro", "order"))
    if not body:
        raise BadParameter("nothing to change: send title, intro or order")
    get_store().update(briefing_id, token, title=body.get("title"), intro=body.get("intro"),
                       order=body.get("order"))
    return jsonify(public(load_with_status(briefing_id)))


@bp.post("/<bid:briefing_id>/items")
def add_item(briefing_id: str):
    token = authorized(briefing_id)
    body = json_body(allowed=("passage_id", "note"), required=("passage_id",))
    passage = get_engine().passage(body["passage_id"])  # NotFound: 404
    item_id = get_store().add_item(briefing_id, token, passage, note=body.get("note", ""))
    return jsonify({"item_id": item_id, "passage_id": passage["id"]}), 201


@bp.patch("/<bid:briefing_id>/items/<iid:item_id>")
def change_item(briefing_id: str, item_id: int):
    token = authorized(briefing_id)
    body = json_body(allowed=("note",), required=("note",))
    get_store().update_note(briefing_id, token, item_id, body["note"])
    return jsonify(public(load_with_status(briefing_id)))


@bp.delete("/<bid:briefing_id>/items/<iid:item_id>")
def delete_item(briefing_id: str, item_id: int):
    get_store().delete_item(briefing_id, authorized(briefing_id), item_id)
    return "", 204
