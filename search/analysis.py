"""Tokenization, owned in one place for indexing and for queries.

Two token streams are indexed for every passage:

``words``
    jieba's precise-mode words with *word-index* positions, so a phrase of words is a real phrase.
    Matching a whole word scores higher than matching inside one (a guarantee of the engine).
``grams``
    Overlapping CJK character bigrams, Latin/number runs kept whole, and each punctuation mark as its
    own token, all with consecutive positions. Any string of two or more Chinese characters is a
    phrase of bigrams here, so a substring is always found whatever jieba made of the text
    (人民共和国 finds 中华人民共和国), and a quoted phrase with punctuation in it (群众说事、干部答题) only
    matches that punctuation.

Both streams are folded the same way: NFKC per character (full-width letters, digits and brackets
become their ASCII forms) and lower case, without changing the length of the text, so character
offsets found on folded text are offsets in the original.

Whoosh pickles the analyzers into the index, so the classes below are part of the on-disk format:
keep their import path (``search.analysis``) and bump ``ANALYZER_VERSION`` whenever their output
changes, which makes opening an older index say "rebuild" instead of silently missing matches.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import unicodedata
from functools import lru_cache

from whoosh.analysis import Analyzer, Token

from . import settings

ANALYZER_VERSION = "1"

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RE = re.compile(f"[{_CJK}]")
# Latin letters and digits stay whole, with decimal points inside: 5g, pm2.5, 557.7, reits.
LATIN_RE = re.compile(r"[0-9a-z]+(?:\.[0-9a-z]+)*")
_STREAM_RE = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<latin>[0-9a-z]+(?:\.[0-9a-z]+)*)|(?P<space>\s+)|(?P<mark>.)", re.S)


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    folded = unicodedata.normalize("NFKC", ch).lower()
    # Only one-to-one replacements keep offsets valid; ㎡ -> m2 and the like stay as they are.
    return folded if len(folded) == 1 else ch


def fold(text: str) -> str:
    """Normalize text for matching without changing its length (offsets stay valid)."""
    if text.isascii():
        return text.lower()
    return "".join(map(_fold_char, text))


def is_cjk(text: str) -> bool:
    return bool(text) and all(CJK_RE.match(c) for c in text)


# -- jieba ---------------------------------------------------------------------------------------

_jieba_lock = threading.Lock()
_jieba_tokenizer = None


def _import_jieba():
    """Import jieba without letting it import pkg_resources.

    jieba 0.42.1 reads its dictionary through pkg_resources when that imports, and falls back to
    plain files when it does not. Importing pkg_resources is deprecated and, in an editable install,
    warns that our package "was already imported": noise on every command and an error under
    pytest's warnings-as-errors. Blocking it only while jieba imports changes nothing else.
    """
    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # makes "import pkg_resources" raise ImportError
    try:
        import jieba
    finally:
        if blocked and sys.modules.get("pkg_resources") is None:
            del sys.modules["pkg_resources"]
    return jieba


def jieba_tokenizer():
    """The process-wide jieba tokenizer, with our user dictionary and our cache folder."""
    global _jieba_tokenizer
    if _jieba_tokenizer is None:
        with _jieba_lock:
            if _jieba_tokenizer is None:
                jieba = _import_jieba()
                jieba.setLogLevel(logging.WARNING)
                cache_dir = settings.get("cache_dir")
                cache_dir.mkdir(parents=True, exist_ok=True)
                tok = jieba.Tokenizer()
                tok.tmp_dir = str(cache_dir)
                tok.initialize()
                # jieba leaves a path it opens unclosed; hand it a file we close.
                with open(settings.DATA_DIR / "userdict.txt", "rb") as userdict:
                    tok.load_userdict(userdict)
                _jieba_tokenizer = tok
    return _jieba_tokenizer


# -- token streams -------------------------------------------------------------------------------


def gram_stream(text: str):
    """Yield (token, start, end) for the bigram stream of already-folded text."""
    for m in _STREAM_RE.finditer(text):
        kind = m.lastgroup
        if kind == "space":
            continue
        start, end = m.span()
        if kind == "cjk" and end - start > 1:
            for i in range(start, end - 1):
                yield text[i : i + 2], i, i + 2
        else:
            yield m.group(), start, end


def word_stream(text: str):
    """Yield (token, start, end) for the word stream of already-folded text."""
    tok = jieba_tokenizer()
    for word, start, end in tok.tokenize(text, HMM=True):
        if CJK_RE.match(word[0]) and is_cjk(word):
            yield word, start, end
            continue
        # jieba glues a unit sign to numbers (4.7%) and splits X波段 oddly; re-split its non-Chinese
        # tokens with the same rules as the bigram stream so numbers and acronyms match in both.
        for m in _STREAM_RE.finditer(word):
            if m.lastgroup == "cjk":
                yield m.group(), start + m.start(), start + m.end()
            elif m.lastgroup == "latin":
                yield m.group(), start + m.start(), start + m.end()


def gram_tokens(text: str) -> list[str]:
    return [t for t, _, _ in gram_stream(fold(text))]


def word_tokens(text: str) -> list[str]:
    return [t for t, _, _ in word_stream(fold(text))]


# -- Whoosh analyzers (pickled into the index: keep names and module stable) ----------------------


class _StreamAnalyzer(Analyzer):
    stream = staticmethod(gram_stream)

    def __eq__(self, other):
        return type(self) is type(other)

    def __hash__(self):
        return hash(type(self).__name__)

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
        for pos, (text, start, end) in enumerate(self.stream(fold(value)), start_pos):
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


class WordAnalyzer(_StreamAnalyzer):
    """jieba precise-mode words, word-index positions, punctuation dropped."""

    stream = staticmethod(word_stream)
