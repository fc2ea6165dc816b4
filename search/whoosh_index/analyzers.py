"""Whoosh analyzers over our token streams (``search.text``): the adapters, not the tokenizers.

Whoosh pickles the analyzers into the index's schema, so these classes are part of the on-disk
format: keep their names and this module's path, and bump ``SCHEMA_VERSION``
(``search.whoosh_index.schema``) if either moves, so that opening an older index says "rebuild"
instead of failing to unpickle. What the tokens are is ``search.text``'s business
(``ANALYZER_VERSION``).
"""

from __future__ import annotations

from whoosh.analysis import Analyzer, Token

from ..text.joined import joined_stream
from ..text.streams import fold, gram_list, gram_stream, word_list, word_stream

class _StreamAnalyzer(Analyzer):
    """A Whoosh analyzer over one of our token streams: (text, start, end) items at consecutive
    positions, or None for a position left empty."""

    stream = staticmethod(gram_stream)
    gaps = True  # whether the stream may leave a position empty

    def __eq__(self, other):
        return type(self) is type(other)

    def __hash__(self):
        return hash(type(self).__name__)

    def folded_tokens(self, folded: str) -> list:
        """The token texts of already-folded text in position order, None where a position is
        left empty (what the segment writer indexes)."""
        return [item and item[0] for item in self.stream(folded)]

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = fold(value)
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        pos = start_pos - 1
        for item in self.stream(fold(value)):
            pos += 1
            if item is None:  # a stream may skip a position (search.joined's gaps)
                continue
            text, start, end = item
            t.text = text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = text
            if positions:
                t.pos = pos
            if chars:
                t.startchar, t.endchar = start_char + start, start_char + end
            yield t


class GramAnalyzer(_StreamAnalyzer):
    """CJK bigrams + whole Latin/number runs + punctuation marks, consecutive positions."""

    stream = staticmethod(gram_stream)

    gaps = False

    def folded_tokens(self, folded: str) -> list:
        return gram_list(folded)


class WordAnalyzer(_StreamAnalyzer):
    """jieba precise-mode words (cut by rjieba), word-index positions, punctuation dropped."""

    stream = staticmethod(word_stream)

    gaps = False

    def folded_tokens(self, folded: str) -> list:
        return word_list(folded)


class JoinedAnalyzer(_StreamAnalyzer):
    """The joined stream (pickled into the index: keep the name and module stable)."""

    stream = staticmethod(joined_stream)
