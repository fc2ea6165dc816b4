"""Saved searches as pages: save the search being shown, read what it finds, follow its feed.

- The results page carries a 保存此搜索 form (``save_search_form``): a post to ``/saved`` with the
  session's CSRF token, the query and the filters; it keeps the search and sends the browser to
  its private page.
- ``/saved/<id>?token=…`` is that page: the passages the search matches, newest report first, those
  whose report came in since the previous visit marked 新; opening it records the visit. It names
  its feed for feed readers (``<link rel="alternate" type="application/atom+xml">``).
- ``/saved/<id>.atom?token=…`` is the Atom feed (``search.saved.feed``); reading it records no visit.
- ``/saved/<id>/delete`` (a form post with the token) deletes it: its page and feed stop working.

Pages and answers that hold a token ask for no caching and no Referer.
"""

from __future__ import annotations

from flask import Blueprint, Response, make_response, redirect, render_template, request, url_for
from markupsafe import Markup, escape
from werkzeug.exceptions import ServiceUnavailable

from search.errors import Forbidden, NotFound
from search.saved.feed import to_atom
from search.saved.model import FEED_ENTRIES, FILTER_LABELS, FILTER_NAMES, check_request, describe
from search.saved.store import Busy, StoreUnavailable

from ..site.errors import add_help, handle_http_error
from ..site.limits import costs
from ..site.parameters import accepts
from ..site.page_cache import slot, slots_wanted
from ..site.sessions import check_csrf, csrf_token, notify
from ..site.urls import with_query
from .store import arrivals, get_store, save

bp = Blueprint("saved", __name__)
ATOM_TYPE = "application/atom+xml"


def saved_explanations() -> dict[type, tuple[str, str]]:
    return {
        Forbidden: ("这个链接不完整", "保存的检索只能用保存时得到的私人链接打开（链接中带有 token=…）；请检查链接是否完整复制。"),
        NotFound: ("找不到这个保存的检索", "请检查链接是否完整（编号区分大小写）。"),
    }


add_help(bp, explanations=saved_explanations)


class SavedSearchesUnavailable(ServiceUnavailable):
    """``StoreUnavailable`` as a 503 page or JSON error; searching itself is not affected."""

    explanation = ("保存的检索暂时不可用", "这不是您的问题：请稍后再试；检索和简报不受影响。")

    def __init__(self, error: StoreUnavailable):
        super().__init__(str(error))
        self.error_code = error.code


@bp.app_errorhandler(StoreUnavailable)
def store_unavailable(error: StoreUnavailable):
    response = handle_http_error(SavedSearchesUnavailable(error))
    if isinstance(error, Busy):
        response.headers["Retry-After"] = "2"
    return response


def private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


_FORM = """<form class="save-search" method="post" action="{action}">
  <input type="hidden" name="csrf_token" value="{token}">
  {fields}<button type="submit" class="button save-search-button">保存此搜索</button>
  <span class="muted">得到一个私人链接和订阅源（Atom），新收录的报告中的相符段落会出现在那里</span>
</form>"""


def save_search_form(args) -> Markup:
    """The 保存此搜索 form for a results page's ``SearchArgs`` (its query and filters as the engine
    named them); in a page kept for everyone (``webui.site.page_cache``) the CSRF token is a slot."""
    # A search within one report follows nothing: a report gains no passages after it is added.
    if (not args.q.strip() and not any(args.filters.values())) or getattr(args, "report", None):
        return Markup("")
    fields = [("q", args.q)] if args.q.strip() else []
    fields += [(name, value) for name in FILTER_NAMES for value in args.filters.get(name, [])]
    hidden = "".join(f'<input type="hidden" name="{escape(n)}" value="{escape(v)}">' for n, v in fields)
    token = slot("token") if slots_wanted() else escape(csrf_token())
    return Markup(_FORM.format(action=escape(url_for("saved.create")), token=token, fields=hidden))


@bp.post("/saved")
def create():
    check_csrf(request.form)
    body = {name: request.form.getlist(name) for name in FILTER_NAMES if request.form.getlist(name)}
    q, filters = check_request({"q": request.form.get("q", ""), **body})
    made = save(q, filters)
    notify("已保存这次检索。这是它的私人链接：请收藏本页或复制地址；订阅源（Atom）的地址在下方。")
    return private(redirect(url_for(".view", saved_id=made["id"], token=made["token"]), 303))


@bp.get("/saved/<sid:saved_id>")
@accepts("token")
@costs(2)  # a search of every match
def view(saved_id: str):
    token = request.args.get("token")
    saved = get_store().visit(saved_id, token)
    found = arrivals(saved)
    since = saved["visited_at"]
    new = sum(1 for p in found["passages"] if p["added_at"] > since)
    search_url = with_query("pages.search", {"q": saved["query"] or None, **saved["filters"]})
    return private(make_response(render_template(
        "saved.html", saved=saved, title=describe(saved["query"], saved["filters"]), found=found, since=since,
        new=new, search_url=search_url, labels=FILTER_LABELS, limit=FEED_ENTRIES, token=token,
        page_url=url_for(".view", saved_id=saved_id, token=token, _external=True),
        feed_url=url_for(".feed", saved_id=saved_id, token=token, _external=True))))


@bp.get("/saved/<sid:saved_id>.atom")
@accepts("token")
@costs(2)
def feed(saved_id: str):
    token = request.args.get("token")
    saved = get_store().get(saved_id, token)
    found = arrivals(saved)
    data = to_atom(saved, describe(saved["query"], saved["filters"]), found["passages"], host=request.host,
                   base_url=request.url_root, feed_url=request.url,
                   page_url=url_for(".view", saved_id=saved_id, token=token, _external=True))
    response = Response(data, mimetype=ATOM_TYPE)
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.post("/saved/<sid:saved_id>/delete")
def delete(saved_id: str):
    check_csrf(request.form)
    saved = get_store().get(saved_id, request.form.get("token"))
    get_store().delete(saved_id, request.form.get("token"))
    notify(f"已删除保存的检索（{describe(saved['query'], saved['filters'])}），它的链接和订阅源都已失效。")
    return private(redirect(url_for("pages.home"), 303))
