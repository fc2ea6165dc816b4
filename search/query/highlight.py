"""Marking query terms and figures in a passage: escaped HTML and plain spans.

No re-analysis: the engine's matching is substring matching on folded text (see
``search.text.streams``), so the terms to mark are found with ``str.find`` on the folded passage, whose
offsets are the original's. Figures (557.7亿元, 4.7%, 1.4万户, 18.5：14.6：66.9, 326天, 3个百分点) are
found by ``search.figures.extraction``; years and dates (2022年, 1月31日) are not figures.
"""

from __future__ import annotations

from html import escape

from ..figures.extraction import figure_spans
from ..text.joined import LooseNeedle, loose_spans
from ..text.streams import fold
from .near import NearNeedle, near_spans

TERM, FIGURE = 1, 2


def term_spans(folded: str, needles: list[str]) -> list[tuple[int, int]]:
    spans = []
    for needle in needles:
        if not needle:
            continue
        if isinstance(needle, NearNeedle):  # a near match (search.query.near): the stretch that nearly says it
            spans += near_spans(folded, needle.grams)
            continue
        if isinstance(needle, LooseNeedle):  # an unquoted term: through marks inside a name too
            spans += loose_spans(folded, needle)
            continue
        latin = needle[0].isascii() and needle[0].isalnum()
        start = folded.find(needle)
        while start >= 0:
            end = start + len(needle)
            # Latin and numbers are whole tokens: gdp is not marked inside gdpr, 4.7 not inside 14.7.
            if not latin or _latin_bounded(folded, start, end):
                spans.append((start, end))
            start = folded.find(needle, start + 1)
    return spans


def _latin_bounded(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isascii() and (before.isalnum() or before == ".")) and not (
        after.isascii() and after.isalnum()
    )


def highlight(text: str, needles: list[str], kind: str = "sentence",
              figures: list[dict] | None = None) -> tuple[str, list[dict]]:
    """Return (escaped HTML with <mark class="term|figure">, spans [{start, end, kind}]).

    ``figures`` are the passage's figures as extracted at build time; without them they are found
    here."""
    terms = term_spans(fold(text), needles) if needles else []
    figures = figure_spans(text, kind) if figures is None else [(f["start"], f["end"]) for f in figures]
    spans = [{"start": s, "end": e, "kind": "term"} for s, e in _merge(terms)]
    spans += [{"start": s, "end": e, "kind": "figure"} for s, e in _merge(figures)]
    spans.sort(key=lambda s: (s["start"], s["kind"]))
    if not spans:
        return escape(text, quote=False), []
    marks = bytearray(len(text))
    for s, e in terms:
        for i in range(s, e):
            marks[i] |= TERM
    for s, e in figures:
        for i in range(s, e):
            marks[i] |= FIGURE
    out, i, n = [], 0, len(text)
    classes = {TERM: "term", FIGURE: "figure", TERM | FIGURE: "term figure"}
    while i < n:
        j = i
        while j < n and marks[j] == marks[i]:
            j += 1
        chunk = escape(text[i:j], quote=False)
        out.append(f'<mark class="{classes[marks[i]]}">{chunk}</mark>' if marks[i] else chunk)
        i = j
    return "".join(out), spans


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged
