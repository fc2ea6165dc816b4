"""A results page's hit cards, and the pieces they share with other pages (a passage's text, the
"加入简报" form), written in Python.

As Jinja macros a card was about half of a results page's rendering: each card called the form's
macro, which asked the session for this browser's briefings and its CSRF token and built the form's
URL again, and every value went through a dozen attribute lookups. Here what is the same for every
card of a page (the links' shape, the form's URL, token and list of briefings) is written once per
request, and a card is a few format strings. Every value still goes through ``escape``. The
templates' macros ``passage_text`` and ``add_to_briefing`` call these functions, so each piece of
markup is written in one place; the notices next to a passage are ``webui.site.templating.notices``.
"""

from __future__ import annotations

from flask import g, url_for
from markupsafe import Markup, escape

from search.briefings.model import TITLE_MAX

from ..site.page_cache import slot, slots_wanted
from ..site.sessions import csrf_token, my_briefings
from ..site.templating import notices
from .fragments import HitLinks


def passage_text(p: dict) -> Markup:
    """A passage's highlighted text (``html``, already escaped by the engine); a heading in bold."""
    html = Markup(p.get("html", ""))
    return Markup('<strong class="passage-heading">{}</strong>').format(html) if p.get("kind") == "heading" else html


# -- the "加入简报" form ------------------------------------------------------------------------------

_FORM = """<details class="add-briefing">
  <summary>加入简报</summary>
  <form class="add-briefing-form" method="post" action="{action}">
    <input type="hidden" name="csrf_token" value="{token}">
    <input type="hidden" name="passage_id" value="{passage_id}">
    <input type="hidden" name="next" value="{next_url}">
    <label class="field">加入到
      <select name="briefing">
        {options}<option value="new">新建简报…</option>
      </select>
    </label>
    <label class="field new-title">新简报的标题{hint}
      <input type="text" name="title" maxlength="{title_max}" placeholder="如：各地森林覆盖率" autocomplete="off">
    </label>
    <button type="submit" class="button">加入</button>
  </form>
</details>"""


def add_to_briefing(passage_id: str, next_url: str) -> Markup:
    """The form that adds a passage to one of this browser's briefings (most recently used first)
    or to a new one; it works without JavaScript (app.js sends it with fetch instead). What is the
    same for every passage of a page is worked out once per request; in a page rendered to be kept
    (``webui.site.page_cache``), this browser's parts are slots that ``session_part`` fills."""
    fixed = g.get("_briefing_form")
    if fixed is None:
        fixed = g._briefing_form = {"action": escape(url_for("briefings.add")), "title_max": TITLE_MAX}
    parts = {name: slot(name) for name in _FORM_PARTS} if slots_wanted() else {n: session_part(n) for n in _FORM_PARTS}
    return Markup(_FORM.format(passage_id=escape(passage_id), next_url=escape(next_url), **fixed, **parts))


_FORM_PARTS = ("token", "options", "hint")


def session_part(name: str) -> str:
    """This browser's part of a page: the form's token, its list of briefings, the hint shown when
    there are some, or ("notices:" and a target) the notices flashed for that target."""
    if name.startswith("notices:"):
        return notices(name.removeprefix("notices:"))
    mine = g.get("_my_briefings")
    if mine is None:
        mine = g._my_briefings = my_briefings()
    if name == "token":
        return escape(csrf_token())
    if name == "options":
        return "".join(f'<option value="{escape(b["id"])}">{escape(b["title"])}</option>' for b in mine)
    if name == "hint":
        return '<span class="muted">（选“新建简报”时填写）</span>' if mine else ""
    raise KeyError(name)


# -- hit cards ----------------------------------------------------------------------------------------

_CARD = """<li class="hit" id="hit-{id}">
  <p class="cite"><span class="cite-county">{county}</span>
    <span class="sep" aria-hidden="true">·</span> 《{title}》
    {heading}<span class="sep" aria-hidden="true">·</span> {year}年{near}{ocr}</p>
  {body}
  <ul class="hit-actions">
    <li><a href="{report_url}">在报告中查看</a></li>
    <li><a href="{context_url}">{context_label}</a></li>
    <li><a href="{passage_url}">永久链接</a></li>
    <li class="hit-briefing">{briefing}</li>
    <li class="hit-section">{section}</li>
  </ul>
  {notices}
</li>"""
_HEADING = '<span class="sep" aria-hidden="true">·</span> {}\n    '
_NEAR = (' <span class="match-near" title="这段话与检索词用语相近但不完全相同，排在所有完全匹配之后">'
         '近似匹配</span>')
# A passage read from a scanned page: its characters may be misread, a reader should check the file.
OCR_TAG = (' <span class="tag-ocr" title="这段文字是从扫描页用文字识别（OCR）读出的，可能有认错的字，引用前请核对原件">'
           '文字识别</span>')
_PASSAGE = '<p class="passage kind-{}">{}</p>'
_CONTEXT = """<div class="context" aria-label="上下文">
    {before}
    <p class="passage passage-current kind-{kind}">{text}</p>
    {after}
  </div>"""
_AROUND = '<p class="context-passage">{}</p>'


class HitCards:
    """The hit cards of one results page (``args``: its ``webui.searching.params.SearchArgs``)."""

    def __init__(self, args):
        self.args = args
        self.links = HitLinks(args)

    def __call__(self, hit: dict, context: dict | None = None) -> Markup:
        """One hit's card; ``context``: the passages around it (``Engine.context``), shown open."""
        links, kind = self.links, escape(hit.get("kind", ""))
        if context:
            body = _CONTEXT.format(
                before="".join(_AROUND.format(passage_text(p)) for p in context["before"]),
                kind=kind, text=passage_text(hit),
                after="".join(_AROUND.format(passage_text(p)) for p in context["after"]))
            context_url, context_label = escape(self.args.with_context(None)), "收起上下文"
        else:
            body = _PASSAGE.format(kind, passage_text(hit))
            context_url, context_label = escape(links.context(hit)), "上下文"
        heading = hit.get("heading")
        return Markup(_CARD.format(
            id=escape(hit["id"]), county=escape(hit.get("county_full", "")), title=escape(hit.get("report_title", "")),
            heading=_HEADING.format(escape(heading)) if heading else "", year=escape(hit.get("year", "")),
            near=_NEAR if hit.get("match") == "near" else "", ocr=OCR_TAG if hit.get("ocr") else "", body=body,
            report_url=escape(links.report(hit)), context_url=context_url, context_label=context_label,
            passage_url=escape(links.passage(hit)), briefing=add_to_briefing(hit["id"], links.back(hit)),
            section=escape(hit.get("section", "")), notices=notices("passage-" + hit["id"])))
