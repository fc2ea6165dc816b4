"""What a scraper leaves in a report's text: escapes written out, a teaser, links to other reports.

Text scraped from a portal into one line keeps the page's line ends and spaces as the letters of
their escapes (``\\r\\n``, ``&nbsp;``); the page's summary (a teaser) repeats the report's opening
before the report itself; and the page ends with links to other places' reports, one title a line.
None of these is a passage of the report: the escapes become what they stand for, the teaser and
the links are dropped.
"""

from __future__ import annotations

import html
import re

from .blocks import BLOCK_PARA, Block

# \r\n, \n, \r and \t written out as two letters each, the way a scraper dumps a string.
_ESCAPED_BREAK_RE = re.compile(r"\\r\\n|\\n|\\r")
_ESCAPED_TAB_RE = re.compile(r"\\t")
_ENTITY_RE = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{2,6}|#x[0-9a-fA-F]{2,5});")
# A teaser's label: 摘要：, 导读：, 内容提要：.
_TEASER_LABEL_RE = re.compile(r"^(?:摘要|导读|内容提要|提要|简介)[：:]")
_ELLIPSIS = "…. 。"
TEASER_MIN = 15  # characters a teaser must share with the opening to count as its repeat
TEASER_REACH = 12  # blocks from the top a teaser may stand in
# A line that is another report's title, as a portal lists related reports: short, no sentence,
# ending in 报告 or 公报 (maybe with its date), or labelled 上一篇/下一篇.
_LINK_LABEL_RE = re.compile(r"^(?:上一篇|下一篇|相关链接|相关阅读)")
_LINK_TITLE_RE = re.compile(r"^[^。；！？]{4,60}(?:报告|公报)$")
_LINK_DATE_RE = re.compile(r"[\[【(（]?\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?[\]】)）]?$")


def _is_link(text: str) -> bool:
    text = re.sub(r"\s+", "", text)
    return bool(_LINK_LABEL_RE.match(text) or _LINK_TITLE_RE.match(_LINK_DATE_RE.sub("", text)))


def unescape(text: str) -> str:
    """Escapes a scraper wrote out as letters back to what they stand for: ``\\r\\n`` to a line
    break, ``&nbsp;`` to a space. Text without them is returned as it is."""
    if "\\" in text:
        text = _ESCAPED_TAB_RE.sub(" ", _ESCAPED_BREAK_RE.sub("\n", text))
    if "&" in text and _ENTITY_RE.search(text):
        text = html.unescape(text).replace("\u00a0", " ").replace("\u3000", " ")
    return text


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def drop_teaser(blocks: list[Block]) -> list[Block]:
    """Blocks without a teaser near the top that repeats, word for word, the text that follows it
    (a summary cut off with …, or the opening paragraph printed twice)."""
    for i, block in enumerate(blocks[:TEASER_REACH]):
        if block.kind != BLOCK_PARA:
            continue
        labelled = _TEASER_LABEL_RE.match(block.text.strip())
        teaser = _squeezed(_TEASER_LABEL_RE.sub("", block.text.strip())).rstrip(_ELLIPSIS)
        # A teaser is prose (the opening's sentences); a title or a contents line met again is not.
        if len(teaser) < TEASER_MIN or not (labelled or re.search(r"[，。；]", teaser)):
            continue
        following = _squeezed("".join(b.text for b in blocks[i + 1:i + 1 + TEASER_REACH] if b.kind == BLOCK_PARA))
        # The repeat starts within the next few lines (after the title and date line).
        where = following.find(teaser)
        if 0 <= where <= 400:
            return blocks[:i] + blocks[i + 1:]
    return blocks


def drop_trailing_links(blocks: list[Block]) -> list[Block]:
    """Blocks without the links to other reports a page ends with: from the end, every short line
    that is a report's title or a 上一篇/下一篇 link."""
    end = len(blocks)
    while end > 1 and blocks[end - 1].kind == BLOCK_PARA and _is_link(blocks[end - 1].text):
        end -= 1
    # A report is never all links: a text that would lose everything but one line keeps them.
    return blocks[:end] if end > 1 else blocks
