"""Tokenization, owned in one place for indexing and for queries.

Two token streams are indexed for every passage:

``words``
    jieba's precise-mode words with *word-index* positions, so a phrase of words is a real phrase.
    Matching a whole word scores higher than matching inside one (a guarantee of the engine).
    rjieba (jieba-rs: the same dictionary and algorithm) cuts them at build time; jieba itself is
    the reference the tests hold it to. A query never segments: whether a term is one word is
    asked of the index's own vocabulary (``whole_word``).
``grams``
    Overlapping CJK character bigrams, Latin/number runs kept whole, and each punctuation mark as its
    own token, all with consecutive positions. Any string of two or more Chinese characters is a
    phrase of bigrams here, so a substring is always found whatever jieba made of the text
    (人民共和国 finds 中华人民共和国), and a quoted phrase with punctuation in it (群众说事、干部答题) only
    matches that punctuation.

Both streams are folded the same way: NFKC per character (full-width letters, digits and brackets
become their ASCII forms) and lower case, without changing the length of the text, so character
offsets found on folded text are offsets in the original.

These are plain functions of text: the Whoosh index wraps them in analyzers
(``search.whoosh_index.analyzers``), and any other backend indexes the same tokens. Bump
``ANALYZER_VERSION`` whenever their output changes, which makes opening an older index say
"rebuild" instead of silently missing matches.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import unicodedata
from functools import lru_cache
from itertools import chain
from typing import Callable

from .. import settings

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


class _FoldTable(dict):
    """Code point -> its folded character, filled as characters are met (for ``str.translate``)."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLD_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Normalize text for matching without changing its length (offsets stay valid)."""
    if text.isascii():
        return text.lower()
    return text.translate(_FOLD_TABLE)


def is_cjk(text: str) -> bool:
    return bool(text) and all(CJK_RE.match(c) for c in text)


# -- word segmenters ------------------------------------------------------------------------------

# A line of the user dictionary, parsed the way jieba's load_userdict parses it: word [freq] [tag].
_USERDICT_LINE_RE = re.compile(r"^(.+?)(?: ([0-9]+))?(?: ([a-z]+))?$")

_segmenter_lock = threading.Lock()
_jieba_tokenizer = None
_word_segmenter = None


def user_words() -> list[tuple[str, int | None, str | None]]:
    """(word, frequency, tag) of the domain dictionary, ``data/userdict.txt``."""
    entries = []
    text = (settings.DATA_DIR / "userdict.txt").read_text(encoding="utf-8").lstrip("\ufeff")
    for line in text.splitlines():
        m = _USERDICT_LINE_RE.match(line.strip())
        if m:
            word, freq, tag = m.groups()
            entries.append((word, int(freq) if freq else None, tag))
    return entries


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
    """The process-wide jieba tokenizer with our user dictionary: the reference that the indexing
    segmenter (``word_segmenter``) is held to. Loading its dictionary takes 1-3 s."""
    global _jieba_tokenizer
    if _jieba_tokenizer is None:
        with _segmenter_lock:
            if _jieba_tokenizer is None:
                jieba = _import_jieba()
                jieba.setLogLevel(logging.WARNING)
                cache_dir = settings.get("cache_dir")
                cache_dir.mkdir(parents=True, exist_ok=True)
                tok = jieba.Tokenizer()
                tok.tmp_dir = str(cache_dir)
                tok.initialize()
                for word, freq, tag in user_words():
                    tok.add_word(word, freq, tag)
                _jieba_tokenizer = tok
    return _jieba_tokenizer


def word_segmenter():
    """The process-wide segmenter that cuts the ``words`` field at build time: rjieba (jieba-rs),
    jieba's dictionary and algorithm in Rust, about ten times faster than jieba here, with our user
    dictionary added word by word with its frequencies, as jieba's ``load_userdict`` does.

    Only indexing loads it (about 0.4 s); queries never segment (see ``whole_word``)."""
    global _word_segmenter
    if _word_segmenter is None:
        with _segmenter_lock:
            if _word_segmenter is None:
                import rjieba

                segmenter = rjieba.Jieba()
                for word, freq, tag in user_words():
                    segmenter.add_word(word, freq, tag)
                _word_segmenter = segmenter
    return _word_segmenter


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


def _words(cuts):
    """Our word tokens from a segmenter's (word, start, end) cuts of folded text."""
    for word, start, end in cuts:
        if CJK_RE.match(word[0]) and is_cjk(word):
            yield word, start, end
            continue
        # jieba glues a unit sign to numbers (4.7%), keeps ranges (2021-2035) whole or not depending
        # on the implementation, and splits X波段 oddly; re-split its non-Chinese tokens with the
        # rules of the bigram stream so numbers and acronyms match in both.
        for m in _STREAM_RE.finditer(word):
            if m.lastgroup in ("cjk", "latin"):
                yield m.group(), start + m.start(), start + m.end()


def word_stream(text: str):
    """Yield (token, start, end) for the word stream of already-folded text (rjieba's cut)."""
    return _words(word_segmenter().tokenize(text, "default", True))


def reference_word_stream(text: str):
    """``word_stream`` as jieba itself cuts it: the reference for tests, never used to index."""
    return _words(jieba_tokenizer().tokenize(text, HMM=True))


def gram_tokens(text: str) -> list[str]:
    return gram_list(fold(text))


def gram_list(text: str) -> list[str]:
    """The tokens of ``gram_stream`` (already-folded text) without their offsets, built a run at a
    time: what indexing needs, several times faster than walking the stream."""
    tokens: list[str] = []
    for m in _STREAM_RE.finditer(text):
        kind = m.lastgroup
        if kind == "cjk":
            run = m.group()
            if len(run) > 1:
                tokens += map(str.__add__, run[:-1], run[1:])
            else:
                tokens.append(run)
        elif kind != "space":
            tokens.append(m.group())
    return tokens


_CJK_RUN_RE = re.compile(f"[{_CJK}]+")


class _WordTokens(dict):
    """A segmenter's word -> our tokens of it (``_words``'s rule), filled as words are met: a
    corpus has far fewer distinct words than words."""

    def __missing__(self, word: str) -> tuple[str, ...]:
        if _CJK_RUN_RE.fullmatch(word):
            tokens: tuple[str, ...] = (word,)
        else:
            tokens = tuple(m.group() for m in _STREAM_RE.finditer(word) if m.lastgroup in ("cjk", "latin"))
        if len(self) < 500_000:
            self[word] = tokens
        return tokens


_WORD_TOKENS = _WordTokens()


def word_list(text: str) -> list[str]:
    """The tokens of ``word_stream`` (already-folded text) without their offsets."""
    return list(chain.from_iterable(map(_WORD_TOKENS.__getitem__, word_segmenter().cut(text, True))))


def whole_word(text: str, is_word: Callable[[str], bool]) -> str | None:
    """The one token of the ``words`` field that a query term is, or None.

    A whole-word match earns a bonus, so a query must know whether its term is a single word as the
    index cut it; loading a segmenter's 300,000-word dictionary to cut a five-character query took
    1-3 s. The index's own vocabulary answers instead: ``is_word`` says whether the words field
    holds a token. Forward maximal matching against that vocabulary gives one word exactly when
    the longest match covers the whole term, so that is all this checks: the folded term,
    punctuation aside, must be one Latin/number run, or one Chinese run the index holds as a word.

    The answer is jieba's wherever jieba's would change a score: a term jieba keeps as one word
    earns a bonus only where the index holds that word. It differs for a word the index holds but
    jieba splits when it stands alone (19 of the seeds' 7,239 words, such as 干龙坝村, joined by
    jieba's HMM in their sentence): those now earn the bonus, as the whole word they are.
    """
    word = single_run(fold(text))
    return word if word is not None and is_word(word) else None


def single_run(folded: str) -> str | None:
    """The one Latin/number or Chinese run of folded text, punctuation aside, or None: what
    ``whole_word`` asks the vocabulary about."""
    runs = [m for m in _STREAM_RE.finditer(folded) if m.lastgroup in ("cjk", "latin")]
    return runs[0].group() if len(runs) == 1 else None
