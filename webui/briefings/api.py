"""The briefings' JSON API: create, read, add a passage, change, reorder, annotate, remove, delete.

Reading needs only the id. Every change needs the briefing's edit token in the ``X-Edit-Token``
header (403 without it, and nothing changes). Bodies are JSON objects sent as ``application/json``
(415 otherwise): that also keeps another site's plain HTML form from creating briefings, as such a
form cannot send that type. Errors are ``{"error": "..."}`` in Chinese: 400 for bad input (a lone
surrogate such as ``"\\ud800"`` included), 404 for an unknown briefing, passage or item, 503 when the
database stays locked, the disk is full or the database file went away (nothing was changed).

Adding a passage that is already in the briefing changes nothing and answers 200 with its item and
``"added": false`` (a new one is 201, ``"added": true``), so a client may retry an add whose answer
it did not get.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for
from werkzeug.exceptions import UnsupportedMediaType

from search.briefings.model import SURROGATES_RE, Forbidden
from search.errors import BadJson, BadParameter

from ..site.errors import add_help
from ..site.parameters import accepts
from ..site.searcher import get_engine
from .errors import briefing_explanations
from .store import get_store, load_with_status

bp = Blueprint("briefing_api", __name__, url_prefix="/api/briefings")
add_help(bp, explanations=briefing_explanations)

ITEM_FIELDS = ("item_id", "passage_id", "text", "citation", "note", "status")
TOKEN_HEADER = "X-Edit-Token"


def has_lone_surrogate(value) -> bool:
    """JSON may spell a lone surrogate (``"\\ud800"``), which is no text at all and cannot be stored."""
    if isinstance(value, str):
        return SURROGATES_RE.search(value) is not None
    if isinstance(value, dict):
        return any(has_lone_surrogate(k) or has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_lone_surrogate(v) for v in value)
    return False


def json_body(allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> dict:
    """The request's JSON object, with only known fields, text where text is expected."""
    if not request.is_json:
        raise UnsupportedMediaType("请以 JSON 发送请求内容，并带上 Content-Type: application/json")
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested past the parser's depth: no briefing field is ever nested
        raise BadJson("请求内容嵌套太深，不是简报接口能读的 JSON；请发送一个简单的 JSON 对象，如 {\"title\": \"…\"}") from None
    if body is None:
        raise BadJson("请求内容不是有效的 JSON；请发送一个 JSON 对象，如 {\"title\": \"…\"}")
    if not isinstance(body, dict):
        raise BadParameter("请求内容须是一个 JSON 对象，如 {\"title\": \"…\"}")
    if has_lone_surrogate(body):
        raise BadParameter("请求内容含有无效字符（单独的 UTF-16 代理项，如 \\ud800），没有保存；请检查发送内容的编码")
    if unknown := sorted(set(body) - set(allowed)):
        raise BadParameter(f"不认识的字段：{', '.join(unknown)}；可用的字段：{', '.join(allowed)}")
    if missing := [name for name in required if name not in body]:
        raise BadParameter(f"缺少字段：{', '.join(missing)}")
    for name in ("title", "intro", "note", "passage_id"):
        if name in body and not isinstance(body[name], str):
            raise BadParameter(f"{name} 须是文字")
    return body


def authorized(briefing_id: str) -> str:
    """The request's edit token, once it is known to be this briefing's (404 for no briefing)."""
    token = request.headers.get(TOKEN_HEADER)
    if not get_store().check_token(briefing_id, token):
        raise Forbidden(f"修改简报需要在 {TOKEN_HEADER} 请求头中带上它的编辑令牌（现在缺少或不对）；没有改动任何内容")
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
    # The answer holds the edit token: no cache may keep it.
    return jsonify({**made, "url": url, "edit_url": edit_url}), 201, {"Location": location,
                                                                      "Cache-Control": "no-store"}


@bp.get("/<bid:briefing_id>")
@accepts()
def briefing(briefing_id: str):
    return jsonify(public(load_with_status(briefing_id)))


@bp.patch("/<bid:briefing_id>")
def change(briefing_id: str):
    token = authorized(briefing_id)
    body = json_body(allowed=("title", "intro", "order"))
    if not body:
        raise BadParameter("没有要改的内容：请发送 title、intro 或 order")
    get_store().update(briefing_id, token, title=body.get("title"), intro=body.get("intro"),
                       order=body.get("order"))
    return jsonify(public(load_with_status(briefing_id)))


@bp.delete("/<bid:briefing_id>")
def delete(briefing_id: str):
    get_store().delete(briefing_id, authorized(briefing_id))
    return "", 204


@bp.post("/<bid:briefing_id>/items")
def add_item(briefing_id: str):
    token = authorized(briefing_id)
    body = json_body(allowed=("passage_id", "note"), required=("passage_id",))
    passage = get_engine().passage(body["passage_id"])  # NotFound: 404
    added = get_store().add_item(briefing_id, token, passage, note=body.get("note", ""))
    answer = {"item_id": added.item_id, "passage_id": passage["id"], "added": added.added}
    if not added.added:
        message = f"这一段已在简报中（第 {added.number} 段），没有重复加入"
        return jsonify({**answer, "message": message}), 200
    return jsonify({**answer, "message": f"已加入简报，是第 {added.number} 段"}), 201


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
