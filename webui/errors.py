"""Errors as pages that explain, or as ``{"error": "..."}`` under ``/api/``; never a traceback.

The engine's ``UserError`` messages say what was wrong with the input; this module adds, for the
HTML page, a headline in the site's language, what to try, and links that repair the search (or,
on a briefing's pages, lead back to it). Briefings add 403 (no edit token), 503 with Retry-After
(the database stayed locked) and 400 for a form without its CSRF token (``FormExpired``).
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request, url_for
from werkzeug.exceptions import BadRequest, HTTPException

from search import settings
from search.briefings import INTRO_MAX, NOTE_MAX, TITLE_MAX, Busy, Forbidden
from search.errors import BadParameter, IndexDamaged, IndexUnavailable, NotFound, QueryError, UnknownFilter, UserError

from .briefing_store import get_store
from .comparison import CompareArgs
from .params import SearchArgs
from .templating import CONTROL_CHARS_RE, printable

QUOTE_CHARS = "\"“”「」"
BRIEFING_BLUEPRINTS = ("briefings", "briefing_api")


class FormExpired(BadRequest):
    """A form post without this session's CSRF token: from another site, or an old page."""

    description = "the form's CSRF token is missing or does not match this browser's session"
    explanation = ("表单已失效", "请回到上一页，刷新后再提交一次。表单须在本站页面上提交，且浏览器需要允许本站的 Cookie。")


def _explanations() -> dict[type, tuple[str, str]]:
    """Headline and advice per kind of user error (read when needed: settings may be overridden)."""
    return {
        QueryError: ("无法执行这个查询", f"请检查引号是否成对（\"…\" 或 “…”），查询不超过 {settings.get('max_query_chars')} "
                     f"个字符、{settings.get('max_query_terms')} 个词，且不含控制字符。"),
        UnknownFilter: ("没有这个筛选条件", "筛选值须是索引中已有的区县、年份或部分；请在结果页左侧勾选。"),
        BadParameter: ("页码或每页条数超出范围", f"页码须是 1 到 {settings.get('max_page')} 的整数，每页条数须是 1 到 "
                       f"{settings.get('max_per_page')} 的整数。"),
        NotFound: ("找不到这个段落或报告", "链接可能有误；如果索引重建过，原来的段落编号可能已经不存在。"),
        # Before IndexUnavailable, of which it is a kind: the first match wins.
        IndexDamaged: ("检索索引已损坏", "这不是您的问题。请管理员运行 policy-search check 查看损坏的文件，再运行 policy-search build 重建索引；重建完成后本页即可使用。"),
        IndexUnavailable: ("检索索引暂不可用", "请先运行 policy-search build 建立索引，然后刷新本页。"),
        Forbidden: ("没有编辑权限", "只有持有编辑链接的人才能修改这份简报；请向简报的创建者索取编辑链接，或打开只读链接阅读。"),
        Busy: ("简报暂时无法保存", "简报数据库正忙，这次没有保存任何改动；请稍等几秒再试一次。"),
    }


def _briefing_explanations() -> dict[type, tuple[str, str]]:
    """On briefing pages the same errors mean something else: a wrong id, a text too long."""
    return {
        NotFound: ("找不到这份简报或其中的段落", "请检查链接是否完整（简报编号区分大小写）；如果索引重建过，段落编号可能已经不存在。"),
        BadParameter: ("无法保存这些内容", f"简报标题最多 {TITLE_MAX} 字，导语最多 {INTRO_MAX} 字，每条批注最多 {NOTE_MAX} 字。"),
    }


def status_of(error: UserError) -> int:
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Forbidden):
        return 403
    if isinstance(error, (IndexUnavailable, Busy)):
        return 503  # the server's state, not the request, is at fault: worth retrying later
    return 400


def wants_json() -> bool:
    """Under /api/, or a briefing form sent by a script that asked for JSON (app.js, with fetch)."""
    return request.path.startswith("/api/") or (
        request.blueprint == "briefings"
        and request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json")


def handle_user_error(error: UserError):
    status, message = status_of(error), printable(str(error))
    headers = {"Retry-After": "2"} if isinstance(error, Busy) else {}
    if wants_json():
        return jsonify({"error": message}), status, headers
    explanations = _explanations()
    if request.blueprint in BRIEFING_BLUEPRINTS:
        explanations = {**explanations, **_briefing_explanations()}
    headline, advice = next((text for kind, text in explanations.items() if isinstance(error, kind)),
                            ("请求有误", ""))
    return render_template("error.html", status=status, headline=headline, advice=advice, detail=message,
                           repairs=repair_links(error), q=request.args.get("q", "")), status, headers


def repair_links(error: UserError) -> list[tuple[str, str]]:
    """(label, url) of the same search without the parameter the engine refused; on a briefing's
    pages, its read-only view."""
    if request.blueprint == "briefings":
        return briefing_links(error)
    if request.endpoint == "pages.compare":
        return compare_links(error)
    if request.endpoint != "pages.search":
        return []
    args = SearchArgs.from_args(request.args)
    if isinstance(error, UnknownFilter):
        return [("去掉全部筛选条件再搜索", args.without_filters())]
    if isinstance(error, BadParameter):
        return [("从第一页开始，每页显示默认条数", args.url(page=None, per_page=None, ctx=None))]
    if isinstance(error, QueryError) and (repaired := repaired_query(args.q)) and repaired != args.q:
        shown = repaired if len(repaired) <= 30 else repaired[:30] + "…"
        return [(f"改为检索“{shown}”", args.url(q=repaired, page=None, ctx=None))]
    return []


def compare_links(error: UserError) -> list[tuple[str, str]]:
    args = CompareArgs.from_args(request.args)
    if isinstance(error, UnknownFilter):
        return [("去掉年份和部分的筛选再对比", args.url(year=None, section=None))]
    if isinstance(error, QueryError) and (repaired := repaired_query(args.q)) and repaired != args.q:
        shown = repaired if len(repaired) <= 30 else repaired[:30] + "…"
        return [(f"改为对比“{shown}”", args.url(q=repaired))]
    return []


def repaired_query(q: str) -> str:
    """The query without what the engine refuses: control characters, quotes, excess length."""
    words = "".join(c for c in CONTROL_CHARS_RE.sub("", q) if c not in QUOTE_CHARS).split()
    return " ".join(words[:settings.get("max_query_terms")])[:settings.get("max_query_chars")].strip()


def briefing_links(error: UserError) -> list[tuple[str, str]]:
    links = [("我的简报", url_for("briefings.mine"))]
    briefing_id = (request.view_args or {}).get("briefing_id")
    # Not on the read-only page itself (it is what failed); on an edit link with a wrong token, yes.
    if briefing_id and (request.endpoint != "briefings.view" or "token" in request.args):
        try:
            get_store().get(briefing_id)
        except UserError:
            return links
        links.insert(0, ("回到这份简报（只读）", url_for("briefings.view", briefing_id=briefing_id)))
    return links


HTTP_EXPLANATIONS = {
    400: ("请求有误", "请回到上一页重试。"),
    404: ("没有这个页面", "请检查网址，或回到首页重新搜索。"),
    405: ("不支持这种请求方式", "本站的页面只需用浏览器打开（GET）。"),
    413: ("提交的内容太长", f"简报标题最多 {TITLE_MAX} 字，导语最多 {INTRO_MAX} 字，每条批注最多 {NOTE_MAX} 字。"),
    414: ("网址太长", "请缩短检索词或减少筛选条件后再试；检索词最多几百个字符。"),
    429: ("操作太频繁", "本站限制每个地址每分钟的接口请求和表单提交次数；请等几秒钟再试。阅读和检索页面不受影响。"),
    500: ("服务器出错了", "这不是您的问题；请稍后再试，或把网址告诉管理员。"),
}


def handle_http_error(error: HTTPException):
    # Keep the exception's own headers (405's Allow); replace only its body.
    response = error.get_response()
    if wants_json():
        response.data = jsonify({"error": error.description}).get_data()
        response.content_type = "application/json"
        return response
    headline, advice = getattr(error, "explanation", None) or HTTP_EXPLANATIONS.get(error.code, (error.name, ""))
    response.data = render_template("error.html", status=error.code, detail=error.description,
                                    headline=headline, advice=advice, repairs=[])
    response.content_type = "text/html; charset=utf-8"
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(UserError, handle_user_error)
    # Also catches unexpected exceptions, which Flask hands over as InternalServerError.
    app.register_error_handler(HTTPException, handle_http_error)
