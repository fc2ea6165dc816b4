"""Errors as pages that explain, or as ``{"error": "...", "code": "..."}`` under ``/api/``; never a
traceback.

The engine's ``UserError`` messages say, in Chinese, what was wrong with the input; this module
adds, for the HTML page, a headline, what to try, and links that repair the search (or, on a
briefing's pages, lead back to it): a feature declares its own with ``add_help``, so this module
imports none. The JSON error carries the same message and a stable ``code``
for programs (``bad_query``, ``too_broad``, ``unknown_place``, ``not_found``, ``rate_limited``, …:
``UserError.code``, or ``HTTP_CODES`` for the server's own refusals). Briefings add 403 (no edit
token), 503 with Retry-After (the database stayed locked) and 400 for a form without its CSRF
token (``webui.site.sessions.FormExpired``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlencode

from flask import Blueprint, Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from search import errors, settings
from search.briefings.model import INTRO_MAX, NOTE_MAX, TITLE_MAX, Busy, Forbidden
from search.text.streams import CJK_RE, is_cjk
from search.errors import (BadParameter, ClusterUnavailable, IndexDamaged, IndexUnavailable, NotFound, PageOutOfRange,
                           QueryError, QueryTooBroad, UnknownFilter, UnknownParameter, UnknownReport, UnknownSort,
                           UserError)

from .templating import CONTROL_CHARS_RE, printable

QUOTE_CHARS = "\"“”「」"
_EXTENSION = "policy_search.error_help"


def _explanations() -> dict[type, tuple[str, str]]:
    """Headline and advice per kind of user error (read when needed: settings may be overridden)."""
    return {
        QueryTooBroad: ("查询太宽泛", "单个汉字要展开成所有以它开头的词，常用字（如“的”“业”“发”）一个就有上百个。"
                        "请改用两个字以上的词，并减少单字和关键词的数量。"),
        QueryError: ("无法执行这个查询", f"请检查引号是否成对（\"…\" 或 “…”），查询不超过 {settings.get('max_query_chars')} "
                     f"个字符、{settings.get('max_query_terms')} 个词，且不含控制字符。"),
        # Before the kinds they belong to: the first match wins.
        UnknownReport: ("没有这份报告", "报告编号见报告页的网址（/reports/编号）；索引重建后编号可能改变。可以改在全部报告中检索。"),
        UnknownSort: ("没有这种排序", "结果可以按相关度、年份（最新的在前）或地区排序；请在结果页上方选择。"),
        UnknownFilter: ("没有这个筛选条件", "筛选值须是索引中已有的地区、省份、层级、年份或部分；请在结果页左侧勾选。"),
        # Before BadParameter, of which it is a kind.
        UnknownParameter: ("网址里有不认识的参数", "参数名区分大小写；请检查拼写，或去掉这个参数再试。"),
        BadParameter: ("页码或每页条数超出范围", f"页码须是 1 到 {settings.get('max_page')} 的整数，每页条数须是 1 到 "
                       f"{settings.get('max_per_page')} 的整数。"),
        NotFound: ("找不到这个段落或报告", "链接可能有误；如果索引重建过，原来的段落编号可能已经不存在。"),
        # Before IndexUnavailable, of which it is a kind: the first match wins.
        IndexDamaged: ("检索索引已损坏", "这不是您的问题。请管理员运行 policy-search check 查看损坏的文件，再运行 policy-search build 重建索引；重建完成后本页即可使用。"),
        ClusterUnavailable: ("检索集群暂不可用", "这不是您的问题：检索服务连不上 OpenSearch 集群，或集群状态异常。请稍后刷新本页；管理员请检查集群状态。"),
        IndexUnavailable: ("检索索引暂不可用", "请先运行 policy-search build 建立索引，然后刷新本页。"),
        Forbidden: ("没有编辑权限", "只有持有编辑链接的人才能修改这份简报；请向简报的创建者索取编辑链接，或打开只读链接阅读。"),
        Busy: ("简报暂时无法保存", "简报数据库正忙，这次没有保存任何改动；请稍等几秒再试一次。"),
    }


# Errors of the briefing store that predate ``UserError.code``.
BRIEFING_CODES = {Forbidden: "forbidden", Busy: "busy"}


def error_code(error: UserError) -> str:
    if error.code == UserError.code:  # a class that names no code of its own
        return next((code for kind, code in BRIEFING_CODES.items() if isinstance(error, kind)), error.code)
    return error.code


def status_of(error: UserError) -> int:
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, errors.Forbidden):  # a briefing's or a saved search's private link
        return 403
    if isinstance(error, (IndexUnavailable, Busy)):
        return 503  # the server's state, not the request, is at fault: worth retrying later
    return 400


@dataclass(frozen=True)
class ErrorHelp:
    """What a blueprint's error pages add to the site's own (``add_help``)."""

    # Headline and advice per kind of error, instead of the site's own (read when needed).
    explanations: Callable[[], dict[type, tuple[str, str]]] | None = None
    # (label, url) links that repair the request, or lead back to where it came from.
    repairs: Callable[[UserError], list[tuple[str, str]]] | None = None
    # A form post sent by a script that asked for JSON (app.js, with fetch) gets its errors as JSON.
    forms_answer_json: bool = False


_NO_HELP = ErrorHelp()


def add_help(bp: Blueprint, **help) -> None:
    """Declare what the error pages of ``bp``'s views add (the fields of ``ErrorHelp``)."""
    def record(state) -> None:
        name = f"{state.name_prefix}.{state.name}".lstrip(".")
        state.app.extensions.setdefault(_EXTENSION, {})[name] = ErrorHelp(**help)

    bp.record_once(record)


def help_here() -> ErrorHelp:
    """The help the blueprint of this request's view declared (none for a URL no view matched)."""
    return current_app.extensions.get(_EXTENSION, {}).get(request.blueprint) or _NO_HELP


def wants_json() -> bool:
    """Under /api/, or a form post to a blueprint whose forms answer JSON, sent by a script that
    asked for JSON (app.js, with fetch)."""
    return request.path.startswith("/api/") or (
        help_here().forms_answer_json
        and request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json")


def handle_user_error(error: UserError):
    status, message = status_of(error), printable(str(error))
    headers = {"Retry-After": "2"} if isinstance(error, Busy) else {}
    if wants_json():
        extra = {"last_page": error.last_page} if isinstance(error, PageOutOfRange) else \
            {"known": error.known} if isinstance(error, UnknownParameter) else {}
        return jsonify({"error": message, "code": error_code(error), **extra}), status, headers
    explanations, declared = _explanations(), help_here()
    if declared.explanations:
        explanations = {**explanations, **declared.explanations()}
    if isinstance(error, UnknownParameter):
        repairs = [("去掉不认识的参数再试", url_without(error.names))]
    else:
        repairs = declared.repairs(error) if declared.repairs else []
    headline, advice = next((text for kind, text in explanations.items() if isinstance(error, kind)),
                            ("请求有误", ""))
    return render_template("error.html", status=status, headline=headline, advice=advice, detail=message,
                           repairs=repairs, q=request.args.get("q", "")), status, headers


def url_without(names: list[str]) -> str:
    """This request's URL without the query parameters ``names``."""
    kept = [(k, v) for k, v in request.args.items(multi=True) if k not in names]
    return request.path + ("?" + urlencode(kept) if kept else "")


def repaired_query(q: str) -> str:
    """The query without what the engine refuses: control characters, quotes, excess length."""
    words = "".join(c for c in CONTROL_CHARS_RE.sub("", q) if c not in QUOTE_CHARS).split()
    return " ".join(words[:settings.get("max_query_terms")])[:settings.get("max_query_chars")].strip()


def without_single_characters(q: str) -> str:
    """The query without its single-character words (a too broad query's usual cause), and
    without the OR that joined them."""
    words = [w for w in q.split() if not (len(w.lstrip("-")) == 1 and is_cjk(w.lstrip("-")))]
    kept: list[str] = []
    for word in words:
        if word in ("OR", "|") and (not kept or kept[-1] in ("OR", "|")):
            continue
        kept.append(word)
    while kept and kept[-1] in ("OR", "|"):
        kept.pop()
    return " ".join(kept)


HTTP_EXPLANATIONS = {
    400: ("请求有误", "请回到上一页重试。"),
    404: ("没有这个页面", "请检查网址，或回到首页重新搜索。"),
    405: ("不支持这种请求方式", "本站的页面只需用浏览器打开（GET）。"),
    413: ("提交的内容太长", f"简报标题最多 {TITLE_MAX} 字，导语最多 {INTRO_MAX} 字，每条批注最多 {NOTE_MAX} 字。"),
    414: ("网址太长", "请缩短检索词或减少筛选条件后再试；检索词最多几百个字符。"),
    415: ("请求的格式不对", "请以 JSON 发送请求体，并带上 Content-Type: application/json。"),
    429: ("操作太频繁", "本站限制每个地址每分钟的请求（打开页面、检索、对比、导出、接口请求和表单提交）；范围很宽的检索、"
                   "地区对比和导出 Word 算作多次。请等几秒钟再试。"),
    500: ("服务器出错了", "这不是您的问题；请稍后再试，或把网址告诉管理员。"),
}
# The JSON ``code`` of the server's own refusals.
HTTP_CODES = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 413: "too_large",
              414: "url_too_long", 415: "unsupported_media_type", 429: "rate_limited", 500: "server_error",
              503: "unavailable"}


def handle_http_error(error: HTTPException):
    # Keep the exception's own headers (405's Allow); replace only its body.
    response = error.get_response()
    headline, advice = getattr(error, "explanation", None) or HTTP_EXPLANATIONS.get(error.code, ("请求有误", ""))
    # Werkzeug's own descriptions are English: the site says it in Chinese instead.
    detail = error.description if CJK_RE.search(error.description or "") else ""
    if wants_json():
        code = getattr(error, "error_code", None) or HTTP_CODES.get(error.code, "http_error")
        response.data = jsonify({"error": detail or f"{headline}：{advice}".rstrip("："), "code": code}).get_data()
        response.content_type = "application/json"
        return response
    response.data = render_template("error.html", status=error.code, detail=detail,
                                    headline=headline, advice=advice, repairs=[])
    response.content_type = "text/html; charset=utf-8"
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(UserError, handle_user_error)
    # Also catches unexpected exceptions, which Flask hands over as InternalServerError.
    app.register_error_handler(HTTPException, handle_http_error)
