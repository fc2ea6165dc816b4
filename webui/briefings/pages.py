"""Briefings (简报) as pages: add a passage from any hit, read, edit, share, export and delete a briefing.

- ``/b/<id>`` reads a briefing (what colleagues get); ``/b/<id>?token=…`` is the edit link: the same
  page with forms. Every page or redirect that holds a token asks for no Referer and no caching.
- Opening an edit link changes nothing in the browser: anyone can send a link, and a briefing
  planted in someone's list would collect what they add. The edit page offers "加入我的简报"
  instead, a form post (``/b/<id>/adopt``) that puts the briefing in this browser's list.
- ``/b/<id>/edit`` sends this browser to the edit link it remembers (see ``webui.site.sessions``), so
  lists and notices need not print tokens.
- ``/b/<id>/delete`` deletes a briefing, after a page that asks to confirm.
- ``/b/<id>.md`` and ``/b/<id>.docx`` are the exports (cached and limited: ``webui.briefings.exports``);
  printing uses the print stylesheet.
- ``/briefings`` lists this browser's briefings and creates a new one.

The edit page is one form (``update``): each note's field, the title and the opening belong to it,
and so do the move and remove buttons, so whichever button is pressed, nothing typed is lost
(``save_typed``). app.js warns before leaving the page with text typed and not saved.

Every change is a form post carrying the session's CSRF token (checked before any view runs) and,
for an existing briefing, its edit token; then a redirect back (post/redirect/get) with a notice.
``/b/add`` also answers JSON when asked (``Accept: application/json``), which is how app.js adds a
passage without leaving the page. Adding a passage the briefing has already changes nothing and
says so.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import Blueprint, Response, jsonify, make_response, redirect, render_template, request, url_for
from werkzeug.exceptions import ServiceUnavailable

from search.briefings.model import (INTRO_MAX, NOTE_MAX, TITLE_MAX, DatabaseGone, DiskFull, Forbidden, StoreUnavailable,
                                    check_text)
from search.errors import BadParameter, IndexUnavailable, NotFound

from ..site.errors import add_help, handle_http_error, wants_json
from ..site.limits import costs
from ..site.page_cache import cached_page
from ..site.searcher import get_engine
from ..site.parameters import accepts
from ..site.sessions import MY_BRIEFINGS_MAX, check_csrf, forget, my_briefings, notify, remember, token_for
from ..site.templating import notices
from .errors import briefing_explanations, briefing_links
from .exports import get_exporter
from .store import get_store, load_with_status

bp = Blueprint("briefings", __name__)
# Forms answer JSON when asked (app.js adds a passage with fetch).
add_help(bp, explanations=briefing_explanations, repairs=briefing_links, forms_answer_json=True)

NEW = "new"  # the add form's choice "a new briefing" (ids are longer, so none is "new")
LOCAL_URL_RE = re.compile(r"/(?![/\\])[^\s\\\x00-\x1f\x7f]*")  # a path on this site, never //other.site
FILENAME_UNSAFE_RE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NOTICE_TITLE_MAX = 40  # a notice travels in the cookie: keep long titles short
STORE_EXPLANATIONS = {
    DiskFull: ("简报没有保存：服务器磁盘已满", "这次的改动没有保存，已有的简报都还在。请告诉网站管理员清理磁盘，然后再试一次。"),
    DatabaseGone: ("简报功能暂停", "简报数据库文件在网站运行中被删除或替换了。请告诉网站管理员恢复它并重启服务；检索不受影响。"),
}


@bp.before_request
def require_csrf_token():
    if request.method == "POST":
        check_csrf(request.form)


class BriefingsUnavailable(ServiceUnavailable):
    """``StoreUnavailable`` as a 503 page (or JSON error) with its own headline and advice."""

    def __init__(self, error: StoreUnavailable):
        super().__init__(str(error))
        self.explanation = STORE_EXPLANATIONS.get(type(error), ("简报暂时不可用", "请稍后再试；检索不受影响。"))


@bp.app_errorhandler(StoreUnavailable)
def store_unavailable(error: StoreUnavailable):
    return handle_http_error(BriefingsUnavailable(error))


def form_text(name: str) -> str:
    # Browsers send a textarea's line breaks as CRLF (and count them as one character for maxlength).
    return request.form.get(name, "").replace("\r\n", "\n").replace("\r", "\n")


def short(title: str) -> str:
    return title if len(title) <= NOTICE_TITLE_MAX else title[:NOTICE_TITLE_MAX - 1] + "…"


def private(response: Response) -> Response:
    """A page or redirect with the edit token in it: kept out of caches and Referer headers."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def back_to_editing(briefing_id: str, token: str, text: str, target: str = "") -> Response:
    notify(text, target)
    return private(redirect(url_for(".view", briefing_id=briefing_id, token=token, _anchor=target or None), 303))


def refresh_title(briefing_id: str, token: str) -> None:
    """Keep the title this browser lists up to date, for a briefing it already lists (editing one
    through its link does not add it)."""
    if token_for(briefing_id) is not None:
        remember(briefing_id, token, get_store().summary(briefing_id)["title"])


# -- adding a passage, from a hit or a permalink ---------------------------------------------------


@bp.post("/b/add")
def add():
    passage = get_engine().passage(request.form.get("passage_id", ""))
    choice = request.form.get("briefing") or NEW
    if choice == NEW:
        made = get_store().create(form_text("title"))
        briefing_id, token = made["id"], made["edit_token"]
    elif (token := token_for(choice)) is None:
        raise Forbidden("本浏览器没有这份简报的编辑权限；请先打开它的编辑链接，点“加入我的简报”")
    else:
        briefing_id = choice
    added = get_store().add_item(briefing_id, token, passage)
    briefing = get_store().summary(briefing_id)
    remember(briefing_id, token, briefing["title"])
    if added.added:
        message = f"已加入简报《{short(briefing['title'])}》，现有 {briefing['count']} 段。"
    else:
        message = f"这一段已在简报《{short(briefing['title'])}》中（第 {added.number} 段），没有重复加入。"
    urls = {"url": url_for(".view", briefing_id=briefing_id), "edit_url": url_for(".edit", briefing_id=briefing_id)}
    if wants_json():
        return jsonify({"briefing": {"id": briefing_id, "title": briefing["title"], **urls}, "item_id": added.item_id,
                        "count": briefing["count"], "created": choice == NEW, "added": added.added,
                        "message": message}), 201 if added.added else 200
    notify(message, f"passage-{passage['id']}", urls["edit_url"], "打开简报")
    next_url = request.form.get("next", "")
    return redirect(next_url if LOCAL_URL_RE.fullmatch(next_url) else urls["edit_url"], 303)


# -- this browser's briefings ----------------------------------------------------------------------


@bp.get("/briefings")
@accepts()
def mine():
    rows = []
    for entry in my_briefings():
        try:
            briefing = get_store().summary(entry["id"])
        except NotFound:  # deleted, or the database was replaced: the link is dead
            forget(entry["id"])
            continue
        rows.append({key: briefing[key] for key in ("id", "title", "count", "updated_at")})
    return render_template("briefings.html", briefings=rows, max_remembered=MY_BRIEFINGS_MAX)


@bp.post("/briefings")
def create():
    made = get_store().create(form_text("title"), form_text("intro"))
    remember(made["id"], made["edit_token"], get_store().summary(made["id"])["title"])
    return back_to_editing(made["id"], made["edit_token"], "简报已建立。在检索结果或段落页点“加入简报”添加段落。")


# -- one briefing: read, edit, adopt, delete -------------------------------------------------------


@bp.get("/b/<bid:briefing_id>")
@accepts("token")  # the edit link
def view(briefing_id: str):
    token = request.args.get("token")
    if token is None:
        return read_only(briefing_id)
    briefing = load_with_status(briefing_id)
    if not get_store().check_token(briefing_id, token):
        raise Forbidden("这个编辑链接无效（令牌不对或不完整）；不用它也可以阅读这份简报")
    return private(make_response(render_template("briefing.html", briefing=briefing, token=token,
                                                 adopted=token_for(briefing_id) is not None)))


def read_only(briefing_id: str) -> str:
    """The page colleagues read, rendered once per briefing version and index generation (a 500-item
    briefing's page is 2 MB and took 60-80 ms to build) in two kinds, for a browser that may edit
    it and one that may not; the notices are filled in per request (``webui.site.page_cache``)."""
    version = get_store().summary(briefing_id)["version"]  # NotFound first
    can_edit = token_for(briefing_id) is not None
    try:
        generation = get_engine().generation_name()
    except IndexUnavailable:  # items are shown from their snapshots (load_with_status)
        generation = "-"
    return cached_page(f"{generation}/briefing-{version}-{'editor' if can_edit else 'reader'}",
                       lambda: render_template("briefing.html", briefing=load_with_status(briefing_id), token=None,
                                               can_edit=can_edit),
                       lambda name: notices(name.removeprefix("notices:")))


@bp.get("/b/<bid:briefing_id>/edit")
@accepts()
def edit(briefing_id: str):
    get_store().summary(briefing_id)  # 404 first
    if (token := token_for(briefing_id)) is None:
        raise Forbidden("本浏览器没有这份简报的编辑链接；请向简报的创建者索取编辑链接")
    return private(redirect(url_for(".view", briefing_id=briefing_id, token=token), 303))


@bp.post("/b/<bid:briefing_id>/adopt")
def adopt(briefing_id: str):
    token = request.form.get("token")
    if not get_store().check_token(briefing_id, token):
        raise Forbidden("这个编辑链接无效（令牌不对或不完整），简报没有加入“我的简报”")
    remember(briefing_id, token, get_store().summary(briefing_id)["title"])
    return back_to_editing(briefing_id, token, "已加入“我的简报”：在检索结果上点“加入简报”时可以选择这份简报。")


@bp.post("/b/<bid:briefing_id>")
def update(briefing_id: str):
    """The edit page's one form (保存全部, and each item's 保存批注): the title, the opening and every
    note typed, so that saving one note never drops another typed but not yet saved."""
    token = request.form.get("token")
    saved = save_typed(briefing_id, token)
    refresh_title(briefing_id, token)
    target = request.form.get("at", "")
    return back_to_editing(briefing_id, token, "；".join(saved) + "。" if saved else "没有需要保存的改动。",
                           f"item-{target}" if target.isdigit() else "")


def save_typed(briefing_id: str, token: str | None) -> list[str]:
    """Save what the edit form changed; say what, in words for the notice.

    A note is saved when its posted text (``note-<item_id>``) differs from the text the page showed
    (``shown-note-<item_id>``; without it, from the stored note), so a note a collaborator changed
    meanwhile is overwritten only where this reader typed too. Every text is checked before any is
    written: a refusal saves nothing."""
    if not get_store().check_token(briefing_id, token):
        raise Forbidden("这个编辑链接无效（令牌不对或不完整），没有保存任何改动")
    briefing = get_store().get(briefing_id)
    header = {name: form_text(name) for name in ("title", "intro")
              if name in request.form and form_text(name) != briefing[name]}
    notes = {}
    for item in briefing["items"]:
        field = f"note-{item['item_id']}"
        if field not in request.form:
            continue
        shown = form_text(f"shown-{field}") if f"shown-{field}" in request.form else item["note"]
        if form_text(field) != shown:
            notes[item["item_id"]] = check_text("note", form_text(field), NOTE_MAX)
    check_text("title", header.get("title", ""), TITLE_MAX)
    check_text("intro", header.get("intro", ""), INTRO_MAX)
    if header:
        get_store().update(briefing_id, token, **header)
    for item_id, note in notes.items():
        get_store().update_note(briefing_id, token, item_id, note)
    saved = ["标题和导语已保存"] if header else []
    return saved + ([f"批注已保存（{len(notes)} 条）"] if notes else [])


@bp.post("/b/<bid:briefing_id>/items/<iid:item_id>/note")
def save_note(briefing_id: str, item_id: int):
    token = request.form.get("token")
    get_store().update_note(briefing_id, token, item_id, form_text("note"))
    return back_to_editing(briefing_id, token, "批注已保存。", f"item-{item_id}")


@bp.post("/b/<bid:briefing_id>/items/<iid:item_id>/move")
def move(briefing_id: str, item_id: int):
    token, offset = request.form.get("token"), request.form.get("offset")
    if offset not in ("-1", "1"):
        raise BadParameter("offset 须是 -1（上移）或 1（下移）")
    saved = save_typed(briefing_id, token)  # the buttons belong to the edit form: keep what was typed
    get_store().move_item(briefing_id, token, item_id, int(offset))
    return back_to_editing(briefing_id, token, "；".join(["已上移" if offset == "-1" else "已下移", *saved]) + "。",
                           f"item-{item_id}")


@bp.post("/b/<bid:briefing_id>/items/<iid:item_id>/delete")
def delete(briefing_id: str, item_id: int):
    token = request.form.get("token")
    saved = save_typed(briefing_id, token)
    get_store().delete_item(briefing_id, token, item_id)
    return back_to_editing(briefing_id, token, "；".join(["已移除一段", *saved]) + "。")


@bp.post("/b/<bid:briefing_id>/delete")
def delete_briefing(briefing_id: str):
    """First a page that asks to confirm (the same post with ``confirmed``), then the deletion."""
    token = request.form.get("token")
    if not get_store().check_token(briefing_id, token):
        raise Forbidden("只有持有编辑链接的人才能删除这份简报；没有删除任何内容")
    briefing = get_store().summary(briefing_id)
    if request.form.get("confirmed") != "yes":
        return private(make_response(render_template("briefing_delete.html", briefing=briefing, token=token)))
    get_store().delete(briefing_id, token)
    forget(briefing_id)
    notify(f"简报《{short(briefing['title'])}》已删除，它的只读链接和编辑链接都已失效。")
    return redirect(url_for(".mine"), 303)


# -- exports ---------------------------------------------------------------------------------------


def download(data: bytes, mimetype: str, briefing: dict, extension: str) -> Response:
    """An attachment named after the briefing: an ASCII name for old clients, the title (RFC 5987)."""
    title = FILENAME_UNSAFE_RE.sub(" ", briefing["title"]).strip(" .")[:80] or "简报"
    disposition = (f'attachment; filename="briefing-{briefing["id"]}.{extension}"; '
                   f"filename*=UTF-8''{quote(f'{title}.{extension}', safe='')}")
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": disposition})


@bp.get("/b/<bid:briefing_id>.md")
@accepts()
@costs(2)
def markdown(briefing_id: str):
    data, briefing = get_exporter().export(get_store(), briefing_id, "md", request.url_root)
    return download(data, "text/markdown", briefing, "md")


@bp.get("/b/<bid:briefing_id>.docx")
@accepts()
@costs(5)  # builds a Word document
def word(briefing_id: str):
    data, briefing = get_exporter().export(get_store(), briefing_id, "docx", request.url_root)
    return download(data, DOCX_TYPE, briefing, "docx")
