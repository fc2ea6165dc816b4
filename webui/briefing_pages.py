"""Briefings (简报) as pages: add a passage from any hit, read, edit, share and export a briefing.

- ``/b/<id>`` reads a briefing (what colleagues get); ``/b/<id>?token=…`` is the edit link: the same
  page with forms. Pages with a token ask for no Referer and no caching.
- ``/b/<id>/edit`` sends this browser to the edit link it remembers (see ``webui.sessions``), so
  lists and notices need not print tokens.
- ``/b/<id>.md`` and ``/b/<id>.docx`` are the exports; printing uses the print stylesheet.
- ``/briefings`` lists this browser's briefings and creates a new one.

Every change is a form post carrying the session's CSRF token (checked before any view runs) and,
for an existing briefing, its edit token; then a redirect back (post/redirect/get) with a notice.
``/b/add`` also answers JSON when asked (``Accept: application/json``), which is how app.js adds a
passage without leaving the page.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import Blueprint, Response, jsonify, make_response, redirect, render_template, request, url_for

from search.briefings import Forbidden
from search.errors import BadParameter, NotFound
from search.exports import to_docx, to_markdown

from .briefing_store import get_store, load_with_status
from .errors import wants_json
from .searcher import get_engine
from .sessions import MY_BRIEFINGS_MAX, check_csrf, forget, my_briefings, notify, remember, token_for

bp = Blueprint("briefings", __name__)

NEW = "new"  # the add form's choice "a new briefing" (ids are longer, so none is "new")
LOCAL_URL_RE = re.compile(r"/(?![/\\])[^\s\\\x00-\x1f\x7f]*")  # a path on this site, never //other.site
FILENAME_UNSAFE_RE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@bp.before_request
def require_csrf_token():
    if request.method == "POST":
        check_csrf(request.form)


def form_text(name: str) -> str:
    # Browsers send a textarea's line breaks as CRLF (and count them as one character for maxlength).
    return request.form.get(name, "").replace("\r\n", "\n").replace("\r", "\n")


def back_to_editing(briefing_id: str, token: str, text: str, target: str = "") -> Response:
    notify(text, target)
    return redirect(url_for(".view", briefing_id=briefing_id, token=token, _anchor=target or None), 303)


def private(response: Response) -> Response:
    """A page or redirect with the edit token in it: kept out of caches and Referer headers."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# -- adding a passage, from a hit or a permalink ---------------------------------------------------


@bp.post("/b/add")
def add():
    passage = get_engine().passage(request.form.get("passage_id", ""))
    choice = request.form.get("briefing") or NEW
    if choice == NEW:
        made = get_store().create(form_text("title"))
        briefing_id, token = made["id"], made["edit_token"]
        remember(briefing_id, token, get_store().get(briefing_id)["title"])
    elif (token := token_for(choice)) is None:
        raise Forbidden("this browser has no edit link for that briefing; open its edit link first")
    else:
        briefing_id = choice
    item_id = get_store().add_item(briefing_id, token, passage)
    briefing = get_store().get(briefing_id)
    remember(briefing_id, token, briefing["title"])
    urls = {"url": url_for(".view", briefing_id=briefing_id), "edit_url": url_for(".edit", briefing_id=briefing_id)}
    if wants_json():
        return jsonify({"briefing": {"id": briefing_id, "title": briefing["title"], **urls}, "item_id": item_id,
                        "count": len(briefing["items"]), "created": choice == NEW}), 201
    title = briefing["title"] if len(briefing["title"]) <= 40 else briefing["title"][:39] + "…"  # a cookie is small
    notify(f"已加入简报《{title}》，现有 {len(briefing['items'])} 段。", f"passage-{passage['id']}",
           urls["edit_url"], "打开简报")
    next_url = request.form.get("next", "")
    return redirect(next_url if LOCAL_URL_RE.fullmatch(next_url) else urls["edit_url"], 303)


# -- this browser's briefings ----------------------------------------------------------------------


@bp.get("/briefings")
def mine():
    rows = []
    for entry in my_briefings():
        try:
            briefing = get_store().get(entry["id"])
        except NotFound:  # the database was replaced: the link is dead
            forget(entry["id"])
            continue
        rows.append({"id": briefing["id"], "title": briefing["title"], "count": len(briefing["items"]),
                     "updated_at": briefing["updated_at"]})
    return render_template("briefings.html", briefings=rows, max_remembered=MY_BRIEFINGS_MAX)


@bp.post("/briefings")
def create():
    made = get_store().create(form_text("title"), form_text("intro"))
    remember(made["id"], made["edit_token"], get_store().get(made["id"])["title"])
    return back_to_editing(made["id"], made["edit_token"], "简报已建立。在检索结果或段落页点“加入简报”添加段落。")


# -- one briefing: read, edit ----------------------------------------------------------------------


@bp.get("/b/<bid:briefing_id>")
def view(briefing_id: str):
    briefing = load_with_status(briefing_id)
    token = request.args.get("token")
    if token is None:
        return render_template("briefing.html", briefing=briefing, token=None,
                               can_edit=token_for(briefing_id) is not None)
    if not get_store().check_token(briefing_id, token):
        raise Forbidden("this edit link is not valid (its token is wrong or incomplete); the briefing can be read "
                        "without it")
    remember(briefing_id, token, briefing["title"])
    return private(make_response(render_template("briefing.html", briefing=briefing, token=token)))


@bp.get("/b/<bid:briefing_id>/edit")
def edit(briefing_id: str):
    get_store().get(briefing_id)  # 404 first
    if (token := token_for(briefing_id)) is None:
        raise Forbidden("this browser has no edit link for this briefing; ask whoever made it for the edit link")
    return private(redirect(url_for(".view", briefing_id=briefing_id, token=token), 303))


@bp.post("/b/<bid:briefing_id>")
def update(briefing_id: str):
    token = request.form.get("token")
    get_store().update(briefing_id, token, title=form_text("title"), intro=form_text("intro"))
    remember(briefing_id, token, get_store().get(briefing_id)["title"])
    return back_to_editing(briefing_id, token, "标题和导语已保存。")


@bp.post("/b/<bid:briefing_id>/items/<iid:item_id>/note")
def save_note(briefing_id: str, item_id: int):
    token = request.form.get("token")
    get_store().update_note(briefing_id, token, item_id, form_text("note"))
    return back_to_editing(briefing_id, token, "批注已保存。", f"item-{item_id}")


@bp.post("/b/<bid:briefing_id>/items/<iid:item_id>/move")
def move(briefing_id: str, item_id: int):
    token, offset = request.form.get("token"), request.form.get("offset")
    if offset not in ("-1", "1"):
        raise BadParameter("offset must be -1 (up) or 1 (down)")
    get_store().move_item(briefing_id, token, item_id, int(offset))
    return back_to_editing(briefing_id, token, "已上移。" if offset == "-1" else "已下移。", f"item-{item_id}")


@bp.post("/b/<bid:briefing_id>/items/<iid:item_id>/delete")
def delete(briefing_id: str, item_id: int):
    token = request.form.get("token")
    get_store().delete_item(briefing_id, token, item_id)
    return back_to_editing(briefing_id, token, "已移除一段。")


# -- exports ---------------------------------------------------------------------------------------


def download(data: bytes, mimetype: str, briefing: dict, extension: str) -> Response:
    """An attachment named after the briefing: an ASCII name for old clients, the title (RFC 5987)."""
    title = FILENAME_UNSAFE_RE.sub(" ", briefing["title"]).strip(" .")[:80] or "简报"
    disposition = (f'attachment; filename="briefing-{briefing["id"]}.{extension}"; '
                   f"filename*=UTF-8''{quote(f'{title}.{extension}', safe='')}")
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": disposition})


@bp.get("/b/<bid:briefing_id>.md")
def markdown(briefing_id: str):
    briefing = get_store().get(briefing_id)
    return download(to_markdown(briefing, request.url_root).encode("utf-8"), "text/markdown", briefing, "md")


@bp.get("/b/<bid:briefing_id>.docx")
def word(briefing_id: str):
    briefing = get_store().get(briefing_id)
    return download(to_docx(briefing, request.url_root), DOCX_TYPE, briefing, "docx")
