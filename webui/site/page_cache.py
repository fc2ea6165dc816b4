"""Results pages rendered once per index generation and URL; each browser's own parts filled in
per request.

Rendering was most of a results page's cost, and the same URL renders the same page for everyone
except in three places: the "加入简报" form's token and list of this browser's briefings, and the
notices flashed to this browser. A page is rendered with a slot in each of those places (a marker
no text can forge: a NUL byte, a secret of the process, then its name), kept for its generation
and URL, and every request fills the slots for its own session. A build or add switches to a new
generation, whose pages are rendered afresh; old ones age out of the cache.
"""

from __future__ import annotations

import re
import secrets

from flask import current_app, g, request

from search import settings
from search.byte_lru import ByteLRU

_EXTENSION = "policy_search.pages"
# A NUL and a secret of this process: text from a query (which may hold a NUL, %00) cannot forge one.
_MARK = "\x00" + secrets.token_hex(8) + ":"
_SLOT = _MARK + "{}\x00"
_SLOT_RE = re.compile(re.escape(_MARK) + "([^\x00]*)\x00")


def slots_wanted() -> bool:
    """Whether the page being rendered is to be kept, so that its session parts become slots."""
    return g.get("_render_slots", False)


def slot(name: str) -> str:
    return _SLOT.format(name)


def _cache() -> ByteLRU:
    cache = current_app.extensions.get(_EXTENSION)
    if cache is None:
        cache = current_app.extensions[_EXTENSION] = ByteLRU(settings.get("page_cache_mb") * 2**20)
    return cache


def cached_page(generation: str, render, fill) -> str:
    """This request's URL rendered for ``generation`` (``render()``, a page whose session parts are
    slots, kept), with ``fill(name)`` written into each slot. ``render`` may return a response
    instead (a redirect, say): that is returned as it is, and not kept."""
    key = (generation, request.script_root, request.full_path)
    cache = _cache()
    page = cache.get(key)
    if page is None:
        g._render_slots = True
        try:
            page = render()
        finally:
            g._render_slots = False
        if not isinstance(page, str):
            return page
        cache.put(key, page)
    filled: dict[str, str] = {}

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in filled:
            filled[name] = str(fill(name))
        return filled[name]

    return _SLOT_RE.sub(value, page)
