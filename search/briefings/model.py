"""What a briefing is, apart from where it is kept: its limits, the errors a request can meet,
how text is cleaned and checked on the way in, and how an item compares with the index now."""

from __future__ import annotations

import re
from typing import NamedTuple

from .. import errors
from ..errors import BadParameter, NotFound, UserError

TITLE_MAX = 200
INTRO_MAX = 5000
NOTE_MAX = 2000
ITEMS_MAX = 500
UNTITLED = "未命名简报"

STATUS_OK = "ok"
STATUS_CHANGED = "changed"
STATUS_MISSING = "missing"

FIELD_NAMES = {"title": "标题", "intro": "导语", "note": "批注"}
# Tab and line feed stay; other C0 controls, DEL and the two non-characters go (XML 1.0, so Word,
# refuses them). Vertical tab and form feed are the line and page breaks of text copied from Word.
CONTROL_CHARS_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufffe\uffff]")
LINE_BREAKS_RE = re.compile("\r\n?|[\x0b\x0c]")
SURROGATES_RE = re.compile("[\ud800-\udfff]")  # in a Python str every surrogate is a lone one


class Forbidden(errors.Forbidden):
    """A missing or wrong edit token."""


class Busy(UserError):
    """The database stayed locked; nothing was changed. Try again."""


class StoreUnavailable(UserError):
    """The briefing database cannot be used now (the server's fault, not the request's); nothing was
    changed."""


class DiskFull(StoreUnavailable):
    """The disk (or the database's size limit) is full: the change was rolled back, nothing lost."""


class DatabaseGone(StoreUnavailable):
    """The database file was deleted or replaced while the site was running."""


class Added(NamedTuple):
    item_id: int
    added: bool  # False: the passage was already in the briefing, and this is its item
    number: int  # the item's place in the briefing, from 1


def clean_text(text: str) -> str:
    """Text without control characters or lone surrogates, line breaks as line feeds: what a Word
    document (XML) can hold, and what a page shows."""
    return SURROGATES_RE.sub("", CONTROL_CHARS_RE.sub("", LINE_BREAKS_RE.sub("\n", text)))


def check_text(name: str, value, limit: int) -> str:
    label = FIELD_NAMES[name]
    if not isinstance(value, str):
        raise BadParameter(f"{label}须是文字")
    if SURROGATES_RE.search(value):
        raise BadParameter(f"{label}含有无效字符（单独的 UTF-16 代理项，如 \\ud800），没有保存；请检查发送内容的编码")
    value = clean_text(value).strip()
    if len(value) > limit:
        raise BadParameter(f"{label}有 {len(value)} 个字，最多只能 {limit} 个字")
    return value


def with_status(briefing: dict, engine) -> dict:
    """Mark each item ok, changed (the passage's text differs now) or missing (no such passage)."""
    for item in briefing["items"]:
        try:
            current = engine.passage(item["passage_id"])
        except NotFound:
            item["status"] = STATUS_MISSING
            item["current_text"] = None
            continue
        # The snapshot was cleaned when it was taken: compare like with like.
        item["status"] = STATUS_OK if clean_text(current["text"]) == item["text"] else STATUS_CHANGED
        item["current_text"] = current["text"]
    return briefing
