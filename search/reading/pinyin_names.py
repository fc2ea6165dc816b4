"""Places named in pinyin, as files often are: yichang.docx, 2024_yichang_gzbg.pdf, Lvliang-2018.html.

A file name's latin words are compared with the pinyin of every place's short and official names
(宜昌 → yichang, 宜昌市 → yichangshi), without tones. Pinyin loses what the characters tell apart
(taizhou is 台州 and 泰州), so a word is evidence only when it spells exactly one place of the
kind the report speaks for; ``search.reading.evidence`` decides that. ü is written v or u
(lvliang, luliang).
"""

from __future__ import annotations

import re
from functools import lru_cache

from .. import settings
from .places import NATIONAL, Place, all_places

_WORD_RE = re.compile(r"[a-z]+")
MIN_WORD = 4  # shorter latin words (gz, bg, xian?) are abbreviations more often than places


def latin_words(name: str) -> list[str]:
    """The latin words of a file name long enough to be a place: 2024_yichang_gzbg → [yichang, gzbg]."""
    return [w for w in _WORD_RE.findall(name.lower()) if len(w) >= MIN_WORD]


def spelled(word: str) -> list[Place]:
    """The places whose name is spelled ``word`` in pinyin."""
    return list(_index(str(settings.get("places_file"))).get(word.lower(), ()))


@lru_cache(maxsize=4)
def _index(_places_file: str) -> dict[str, tuple[Place, ...]]:
    """Spellings of every place of the list and of the places file (the key: a changed places file
    is spelled anew)."""
    from pypinyin import lazy_pinyin  # a fifth of a second to spell every place: only when needed

    index: dict[str, list[Place]] = {}
    for place in all_places():
        if place == NATIONAL:
            continue
        for form in {place.short, place.name}:
            spelling = "".join(lazy_pinyin(form))
            if not spelling.isascii() or not spelling.isalpha():
                continue
            for variant in {spelling, spelling.replace("v", "u")}:
                index.setdefault(variant, [])
                if place not in index[variant]:
                    index[variant].append(place)
    return {word: tuple(places) for word, places in index.items()}
