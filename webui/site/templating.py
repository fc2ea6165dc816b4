"""What every template may use besides the view's own variables, and the notices shown on every page."""

from __future__ import annotations

import re

from flask import Flask
from markupsafe import Markup, escape

from search import settings
from search.briefings.model import INTRO_MAX, NOTE_MAX, TITLE_MAX
from search.briefings.exports import numbered_citation

from .page_cache import slot, slots_wanted
from .sessions import notices_for
from .urls import fixed_url

CONTROL_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def printable(text) -> str:
    """Text with control characters (a NUL from %00, say) shown as �, as browsers would anyway:
    autoescaping makes them harmless, this makes them visible and keeps the HTML valid."""
    return CONTROL_CHARS_RE.sub("\N{REPLACEMENT CHARACTER}", str(text or ""))


# -- notices ----------------------------------------------------------------------------------------

_NOTICE = '<p class="notice">{}</p>'
_NOTICE_LINK = '<p class="notice">{} <a href="{}">{}</a></p>'


def notices(target: str = "") -> Markup:
    """The notices flashed for ``target`` (a passage's "passage-…", or "" for the page), in the box
    app.js also writes its confirmations into; for a target, the box is there even when empty."""
    if slots_wanted():
        return Markup(slot("notices:" + target))
    shown = notices_for(target)
    if not target and not shown:
        return Markup("")
    items = "".join(_NOTICE_LINK.format(escape(n["text"]), escape(n["link"]), escape(n.get("link_text") or ""))
                    if n.get("link") else _NOTICE.format(escape(n["text"])) for n in shown)
    data_for = f' data-for="{escape(target)}"' if target else ""
    return Markup(f'<div class="notices"{data_for} role="status">\n  {items}\n</div>')


def init_app(app: Flask) -> None:
    """The filter and globals of every page; a feature adds its own (``webui.searching.init_app``)."""
    app.jinja_env.filters["printable"] = printable
    app.jinja_env.globals.update(
        fixed_url=fixed_url,
        render_notices=notices,
        max_page=settings.get("max_page"),
        numbered_citation=numbered_citation,
        TITLE_MAX=TITLE_MAX,
        INTRO_MAX=INTRO_MAX,
        NOTE_MAX=NOTE_MAX,
    )
