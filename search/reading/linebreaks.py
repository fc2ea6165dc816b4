"""Line breaks inside a sentence or a figure, joined back.

Text copied from a wiki, a PDF page break or an editor's stray Enter cuts a sentence in two
(国内生产总值达到74.4 / 万亿元，增长6.7%; 全员劳动生 / 产率增长; 根据《 / 中共中央关于… / 》，
国务院编制了《), and each half would become a passage of its own, the figure parted from its unit.
A line continues the one before it when:

- the one before ends inside a figure and this one starts with the figure's unit (74.4 / 万亿元，);
- the one before ends on an opener or a comma (《, “, （, ，, 、), or this one starts with a closer or
  punctuation (》, ”, ）, ，, 。, %): a sentence never ends or starts there;
- the one before is prose that stopped short: it holds a finished sentence and ends without one,
  and neither line looks like a heading, a list item or an address.

Only the body is joined: the header's lines (title, date line, signature) end without punctuation
by design. Lines that hold nothing but zero-width characters are gone before this runs, so they
never keep two halves apart.
"""

from __future__ import annotations

import re

from .blocks import BLOCK_PARA, Block
from .structure import BOX_RE, ORDINAL_PARA_RE, PART_RE, SUB_RE, TOP_RE, is_content_chapter

_ENDS_WITH_NUMBER = re.compile(r"\d$")
_STARTS_WITH_UNIT = re.compile(r"^(?:[万亿千百]*(?:元|美元|人|吨|斤|户|亩)|[%％‰]|个百分点)[，、。；,]")
_OPEN_END = tuple("“‘《（(「『【，、")
_CLOSED_START = tuple("”’》）)」』】，、。；：！？%％‰")
_SENTENCE_END = re.compile(r"[。！？；!?;：:…—”’」』）)】》]$")
_FINISHED_SENTENCE = re.compile(r"[。！？；]")
# A line that starts something of its own: a list item (——, 1., ①), an ordinal paragraph (一是),
# a bullet (●), an address (各位代表), a note (注：).
_STARTS_OWN = re.compile(r"^(?:——|[●•■◆▪]|[-—]{1,2}\s|\d{1,2}[.．、]|[①-⑳]|[（(]\d{1,2}[）)]|各?位代表|注[：:])")


def _looks_like_heading(text: str) -> bool:
    return bool(TOP_RE.match(text) or SUB_RE.match(text) or PART_RE.match(text) or BOX_RE.match(text)
                or ORDINAL_PARA_RE.match(text) or _STARTS_OWN.match(text) or is_content_chapter(text))


def continues(previous: str, line: str) -> bool:
    """Whether ``line`` is the rest of the sentence ``previous`` stopped in."""
    if not previous or not line:
        return False
    if _ENDS_WITH_NUMBER.search(previous) and _STARTS_WITH_UNIT.match(line):
        return True
    if _looks_like_heading(line):
        return False
    finished = _FINISHED_SENTENCE.search(previous) is not None
    # A heading ends where its line does, unless the line ran on into a sentence ((1)收入执行情况。2025年…).
    if _looks_like_heading(previous) and not finished and not previous.endswith(_OPEN_END):
        return False
    if previous.endswith(_OPEN_END) or line.startswith(_CLOSED_START):
        return True
    return finished and not _SENTENCE_END.search(previous)


# A bare number after a line that ends in a Latin letter is that letter's subscript (M / 2, PM / 2.5:
# a wiki's <sub>), not a page number.
_SUBSCRIPT = re.compile(r"^\d{1,2}(?:\.\d)?$")


def is_subscript(previous: str, line: str) -> bool:
    return bool(_SUBSCRIPT.match(line)) and previous[-1:].isascii() and previous[-1:].isalpha()


def join_broken_lines(blocks: list[Block]) -> list[Block]:
    """Each paragraph that continues the one before it, appended to it."""
    out: list[Block] = []
    for block in blocks:
        previous = out[-1] if out else None
        if (previous is not None and previous.kind == block.kind == BLOCK_PARA
                and continues(previous.text, block.text)):
            out[-1] = Block(BLOCK_PARA, text=previous.text + block.text, level=previous.level,
                            ocr=previous.ocr or block.ocr)
        else:
            out.append(block)
    return out
