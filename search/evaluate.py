"""Evaluating a parsed query over Whoosh's postings with numpy: every match and its BM25 score.

Whoosh walks postings one document at a time in Python, and for our bigram phrases that walk (and
its position checks) was the whole cost of a search: 200-500 ms at 110,000 passages. Here a term's
postings are read a block at a time into arrays (document numbers and term frequencies), AND, OR,
NOT and synonym groups are array operations, and positions are decoded only for the documents that
contain every bigram of a phrase. Scores follow Whoosh's BM25F exactly (same idf, same field
lengths), so ranking is what it was; the index format is untouched.

The block reading uses attributes of whoosh-reloaded 2.7.5's W3 codec (``W3LeafMatcher``); the
version is pinned in pyproject.toml, and ``tests/test_evaluate.py`` compares every result with
Whoosh's own query execution.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import reduce
from math import log

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

from . import settings
from .analysis import gram_tokens, is_cjk, whole_word
from .query import YEAR_TERM_RE, ParsedQuery, Term

_LENGTH_TABLE = np.array([byte_to_length(i) for i in range(256)], dtype=np.float64)
POSTINGS_CACHE = 4096  # terms per generation
MAX_CACHED_POSTINGS = 3_000_000  # postings kept decoded (about 60 bytes each with their positions)


@dataclass
class Scored:
    """A sparse score vector: ascending docnums and their scores."""

    docs: np.ndarray
    scores: np.ndarray

    @staticmethod
    def empty() -> "Scored":
        return Scored(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))

    def __len__(self):
        return len(self.docs)


def both(a: Scored, b: Scored) -> Scored:
    docs, ia, ib = np.intersect1d(a.docs, b.docs, assume_unique=True, return_indices=True)
    return Scored(docs, a.scores[ia] + b.scores[ib])


def either(parts: list[Scored], combine: str = "sum") -> Scored:
    parts = [p for p in parts if len(p)]
    if not parts:
        return Scored.empty()
    if len(parts) == 1:
        return parts[0]
    docs, inverse = np.unique(np.concatenate([p.docs for p in parts]), return_inverse=True)
    scores = np.concatenate([p.scores for p in parts])
    if combine == "sum":
        return Scored(docs, np.bincount(inverse, weights=scores, minlength=len(docs)))
    best = np.full(len(docs), -np.inf)
    np.maximum.at(best, inverse, scores)
    return Scored(docs, best)


def plus_where(required: Scored, optional: Scored) -> Scored:
    """required's documents, with optional's score added where it matches too (AndMaybe)."""
    _, ia, ib = np.intersect1d(required.docs, optional.docs, assume_unique=True, return_indices=True)
    scores = required.scores.copy()
    scores[ia] += optional.scores[ib]
    return Scored(required.docs, scores)


def without(a: Scored, b: Scored) -> Scored:
    keep = ~np.isin(a.docs, b.docs, assume_unique=True)
    return Scored(a.docs[keep], a.scores[keep])


class _Postings:
    """One term's postings over the whole index: docnums, frequencies, positions on demand."""

    def __init__(self, docs, tf, values, decode, df):
        self.docs, self.tf, self._values, self._decode = docs, tf, values, decode
        self.df = df  # documents with the term, deleted ones included, as Whoosh's idf counts them

    def positions(self, i: int) -> list[int]:
        return self._decode(self._values[i])


def _read_leaf(matcher):
    """A W3 leaf matcher's postings, a block at a time: (ids, weights, values)."""
    ids, weights, values = [], [], []
    m = matcher
    while not m._atend and m._blocklength:
        m._read_ids()
        m._read_weights()
        m._read_values()
        ids.append(np.asarray(m._ids, dtype=np.int64))
        weights.append(np.asarray(m._weights, dtype=np.float64))
        values.extend(m._values)
        if m._lastblock:
            break
        m._goto(m._nextoffset)
    return ids, weights, values


class Evaluator:
    """Query evaluation for one index generation (thread-safe; postings cached per term)."""

    def __init__(self, reader, live: np.ndarray):
        self.reader = reader
        self.live = live
        self.leaves = reader.leaf_readers()
        self.doc_count_all = reader.doc_count_all()
        live_count = int(np.count_nonzero(live))
        self.B, self.K1 = settings.get("bm25_b"), settings.get("bm25_k1")
        self.lengths, self.avg = {}, {}
        for field in ("grams", "words"):
            lengths = np.zeros(self.doc_count_all, dtype=np.float64)
            for seg, offset in self.leaves:
                column = seg._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
                if column is not None:
                    codes = np.fromiter(column, dtype=np.uint8, count=seg.doc_count_all())
                    lengths[offset:offset + len(codes)] = _LENGTH_TABLE[codes]
            self.lengths[field] = lengths
            self.avg[field] = (reader.field_length(field) / (live_count or 1)) or 1
        self._cache: OrderedDict = OrderedDict()
        self._cached_postings = 0
        self.lock = self._lock = threading.RLock()

    # -- postings --------------------------------------------------------------------------------

    def postings(self, field: str, token: str) -> _Postings | None:
        key = (field, token)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
            # Reading holds the lock too: segment files are shared file objects (seek, then read).
            result = self._read_postings(field, token)
            self._cache[key] = result
            self._cached_postings += len(result.docs) if result else 0
            while len(self._cache) > 1 and (len(self._cache) > POSTINGS_CACHE
                                             or self._cached_postings > MAX_CACHED_POSTINGS):
                _, dropped = self._cache.popitem(last=False)
                self._cached_postings -= len(dropped.docs) if dropped else 0
            return result

    def _read_postings(self, field: str, token: str) -> _Postings | None:
        ids, weights, values = [], [], []
        decode = None
        for seg, offset in self.leaves:
            if (field, token) not in seg:
                continue
            fmt = seg.schema[field].format
            decode = getattr(fmt, "decode_positions", None)  # ID fields keep no positions
            matcher = seg._terms.matcher(field, seg._text_to_bytes(field, token), fmt)
            i, w, v = _read_leaf(matcher)
            ids += [a + offset for a in i]
            weights += w
            values += v
        if not ids:
            return None
        docs = np.concatenate(ids)
        df = len(docs)
        live = self.live[docs]
        tf = np.concatenate(weights)
        if not live.all():
            values = [v for v, keep in zip(values, live) if keep]
            docs, tf = docs[live], tf[live]
        return _Postings(docs, tf, values, decode, df)

    def _bm25(self, field: str, token: str, postings: _Postings, idx=None, boost: float = 1.0) -> np.ndarray:
        idf = log(self.doc_count_all / (postings.df + 1)) + 1
        docs = postings.docs if idx is None else postings.docs[idx]
        tf = postings.tf if idx is None else postings.tf[idx]
        if field not in self.lengths:  # an ID field (year) is not scored: Whoosh gives the boost
            return np.full(len(docs), boost)
        B, K1 = self.B, self.K1
        fl, avg = self.lengths[field][docs], self.avg[field]
        return boost * idf * (tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avg))

    def has_word(self, token: str) -> bool:
        """Whether the words field holds the token (the vocabulary queries segment against)."""
        with self._lock:
            return ("words", token) in self.reader

    # -- terms -----------------------------------------------------------------------------------

    def term(self, field: str, token: str, boost: float = 1.0) -> Scored:
        p = self.postings(field, token)
        if p is None:
            return Scored.empty()
        return Scored(p.docs, self._bm25(field, token, p, boost=boost))

    def phrase(self, field: str, tokens: list[str], boost: float = 1.0) -> Scored:
        """Documents where the tokens stand at consecutive positions; score as Whoosh: the sum of
        the tokens' BM25."""
        postings = [self.postings(field, t) for t in tokens]
        if any(p is None for p in postings):
            return Scored.empty()
        candidates = reduce(lambda a, b: np.intersect1d(a, b, assume_unique=True), [p.docs for p in postings])
        if not len(candidates):
            return Scored.empty()
        where = [np.searchsorted(p.docs, candidates) for p in postings]
        keep = np.zeros(len(candidates), dtype=bool)
        for n in range(len(candidates)):
            starts = set(postings[0].positions(where[0][n]))
            for j in range(1, len(postings)):
                starts &= {pos - j for pos in postings[j].positions(where[j][n])}
                if not starts:
                    break
            keep[n] = bool(starts)
        docs = candidates[keep]
        scores = np.zeros(len(docs))
        for token, p, idx in zip(tokens, postings, where):
            scores += self._bm25(field, token, p, idx[keep], boost)
        return Scored(docs, scores)

    def text(self, text: str, boost: float = 1.0) -> Scored:
        """A typed term: its substring on the bigram stream, plus the whole-word bonus."""
        grams = gram_tokens(text)
        if not grams:
            return Scored.empty()
        if len(grams) == 1 and is_cjk(grams[0]) and len(grams[0]) == 1:
            # One character: bigrams that start with it, or jieba's one-character word.
            with self._lock:
                prefixed = [t.decode("utf-8") if isinstance(t, bytes) else t
                            for t in self.reader.expand_prefix("grams", grams[0])]
            starts = either([self.term("grams", t) for t in prefixed])
            starts = Scored(starts.docs, np.full(len(starts), boost))  # a prefix scores constantly, as in Whoosh
            return either([starts, self.term("words", grams[0], boost)])
        matched = self.term("grams", grams[0], boost) if len(grams) == 1 else self.phrase("grams", grams, boost)
        word = whole_word(text, self.has_word)
        if word is None or not len(matched):
            return matched
        return plus_where(matched, self.term("words", word, settings.get("word_boost") * boost))

    def weight(self, text: str) -> float:
        """How much a term can score: the idf of its bigrams summed (a phrase scores their sum)."""
        total = 0.0
        for token in gram_tokens(text):
            p = self.postings("grams", token)
            total += log(self.doc_count_all / ((p.df if p else 0) + 1)) + 1
        return total

    def typed(self, term: Term) -> Scored:
        result = self.text(term.text)
        if term.synonyms:
            # A synonym stands for the typed term: GDP (one token) must be able to score what
            # 地区生产总值 (five bigrams) scores, so each is scaled to the typed term's weight.
            boost, own = settings.get("synonym_boost"), self.weight(term.text)
            alternatives = [self.text(s, boost * own / (self.weight(s) or own or 1)) for s in term.synonyms]
            result = either([result, *alternatives], combine="max")
        year = YEAR_TERM_RE.match(term.text) if not term.phrase else None
        if year:
            result = either([result, self.term("year", year.group(1), settings.get("year_boost"))])
        return result

    # -- the whole query ---------------------------------------------------------------------------

    def query(self, parsed: ParsedQuery) -> Scored | None:
        """All matching live documents with scores, or None when the query has no positive term."""
        if parsed.is_empty:
            return None
        groups = [either([self.typed(t) for t in group]) for group in parsed.groups]
        result = reduce(both, groups)
        if len(parsed.groups) > 1 and all(len(g) == 1 for g in parsed.groups) and len(result):
            adjacent = self.text("".join(g[0].text for g in parsed.groups), settings.get("adjacent_boost"))
            result = plus_where(result, adjacent)
        for term in parsed.excluded:
            result = without(result, self.typed(term))
        return result


def top(scored: Scored, allowed: np.ndarray | None, keep: int) -> list[tuple[int, float]]:
    """The ``keep`` best (docnum, score) among allowed documents; ties go to the earlier docnum."""
    docs, scores = scored.docs, scored.scores
    if allowed is not None:
        mask = allowed[docs]
        docs, scores = docs[mask], scores[mask]
    if keep <= 0 or not len(docs):
        return []
    if len(docs) > keep:
        # Keep everything tied with the keep-th score, so the cut is decided by docnum, not chance.
        kth = -np.partition(-scores, keep - 1)[keep - 1]
        tied = scores >= kth
        docs, scores = docs[tied], scores[tied]
    order = np.lexsort((docs, -scores))[:keep]
    return [(int(docs[i]), float(scores[i])) for i in order]
