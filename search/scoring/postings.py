"""A term's postings as arrays, and what every source of postings shares: the BM25F formula, the
per-generation cache and the query budget.

Two sources evaluate plans (``search.scoring.evaluate``): the Whoosh index's postings, for every
match (``search.whoosh_index.postings``), and the few candidates a cluster returns, to score them as
the Whoosh index would (``search.opensearch.candidates``). A source provides the postings and the
statistics (each term's document frequency, the number of documents, each document's field
lengths and each field's average); the scores follow from them here.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from math import log

import numpy as np

from .. import settings
from ..query.budget import Work, query_budget

POSTINGS_CACHE = 4096  # terms per generation
MAX_CACHED_POSTINGS = 3_000_000  # postings kept decoded (about 60 bytes each with their positions)


class Postings:
    """One term's postings: docnums, frequencies, positions on demand."""

    def __init__(self, docs, tf, values, decode, df, held: bool | None = None):
        self.docs, self.tf, self._values, self._decode = docs, tf, values, decode
        self.df = df  # documents with the term in the whole index, deleted ones included, as Whoosh's idf counts them
        # Whether a live document of the whole index holds the term: ``docs`` says so when they
        # are the whole index's; a source of a few documents says it.
        self.held = bool(len(docs)) if held is None else held

    def positions(self, i: int) -> tuple[int, ...]:
        """The term's positions in posting ``i`` (shared: do not change them). Encoded values repeat
        across postings and terms (the same positions in other passages), so each distinct value
        is decoded once per process: decoding is a pickle load per value, and phrase and near
        checks of a common term decoded tens of thousands per query."""
        value = self._values[i]
        found = _POSITIONS.get(value)
        if found is None:
            found = tuple(self._decode(value))
            if len(_POSITIONS) >= POSITIONS_KEPT:
                _POSITIONS.clear()
            _POSITIONS[value] = found
        return found

    def first_positions(self, idx: np.ndarray) -> np.ndarray:
        """The first position of the term in each of the postings ``idx``. A value holding one
        position is one of a few thousand byte strings (one per position), so each is decoded
        once per process, not once per posting."""
        values, cache, decode = self._values, _ONE_POSITION, self._decode
        out = np.empty(len(idx), dtype=np.int64)
        for n, i in enumerate(idx.tolist()):
            value = values[i]
            first = cache.get(value)
            if first is None:
                first = decode(value)[0]
                if len(cache) < 100_000:
                    cache[value] = first
            out[n] = first
        return out


# Encoded one-position values -> their position (see Postings.first_positions).
_ONE_POSITION: dict = {}
# Encoded values -> their positions (see Postings.positions); bounded, about 10 MB at most.
_POSITIONS: dict = {}
POSITIONS_KEPT = 50_000


class PostingsSource:
    """What the evaluator reads, and the BM25F it scores with.

    A subclass sets ``doc_count_all`` (documents, deleted ones included), ``passages`` (live
    ones), ``lengths`` (field -> each document's quantized length, ``search.scoring.lengths``) and
    ``avg`` (field -> average length), calls ``__init__`` for the cache, and provides the reads
    below."""

    doc_count_all: int
    passages: int
    lengths: dict[str, np.ndarray]
    avg: dict[str, float]

    def __init__(self):
        self.B, self.K1 = settings.get("bm25_b"), settings.get("bm25_k1")
        self._cache: OrderedDict = OrderedDict()
        self._cached_postings = 0
        self.lock = self._lock = threading.RLock()

    def budget(self) -> Work:
        """The work one query may do here (``search.query.budget.query_budget``)."""
        return Work(limit=query_budget(self.passages))

    # -- what a source reads ---------------------------------------------------------------------

    def postings(self, field: str, token: str, work: Work) -> Postings | None:
        """A term's postings (None: no document has it), the whole list spent."""
        return self._read(field, token, self.length(field, token, work), work)

    def length(self, field: str, token: str, work: Work | None) -> int:
        """How many documents of the whole index have the term (its df)."""
        raise NotImplementedError

    def _read(self, field: str, token: str, length: int, work: Work) -> Postings | None:
        raise NotImplementedError

    def _postings_at(self, field: str, token: str, docs: np.ndarray, work: Work) -> Postings:
        """A term's postings at some documents only."""
        raise NotImplementedError

    def stored(self, docnum: int) -> dict:
        raise NotImplementedError

    def has_word(self, token: str) -> bool:
        """Whether the words field holds the token anywhere in the index."""
        raise NotImplementedError

    def year(self, year: str, work: Work) -> np.ndarray:
        """The documents of a year (ascending)."""
        raise NotImplementedError

    def character(self, char: str, work: Work) -> np.ndarray:
        """The documents where a character starts a bigram (ascending)."""
        raise NotImplementedError

    def prefix_tokens(self, field: str, prefix: str) -> list[str]:
        """The field's tokens that start with ``prefix``."""
        raise NotImplementedError

    # -- shared ----------------------------------------------------------------------------------

    def _cached(self, key, read):
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
            # Reading holds the lock too: segment files are shared file objects (seek, then read).
            result = read()
            self._cache[key] = result
            self._cached_postings += len(result.docs) if result else 0
            while len(self._cache) > 1 and (len(self._cache) > POSTINGS_CACHE
                                             or self._cached_postings > MAX_CACHED_POSTINGS):
                _, dropped = self._cache.popitem(last=False)
                self._cached_postings -= len(dropped.docs) if dropped else 0
            return result

    def _bm25(self, field: str, token: str, postings: Postings, idx=None, boost: float = 1.0) -> np.ndarray:
        docs = postings.docs if idx is None else postings.docs[idx]
        tf = postings.tf if idx is None else postings.tf[idx]
        return self._bm25_of(field, postings.df, docs, tf, boost)

    def _bm25_of(self, field: str, df: int, docs: np.ndarray, tf: np.ndarray, boost: float = 1.0) -> np.ndarray:
        """Whoosh's BM25F of a term with ``df`` postings, in ``docs`` where it occurs ``tf`` times."""
        idf = self.idf(df)
        if field not in self.lengths:  # an ID field (year) is not scored: Whoosh gives the boost
            return np.full(len(docs), boost)
        B, K1 = self.B, self.K1
        fl, avg = self.lengths[field][docs], self.avg[field]
        return boost * idf * (tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avg))

    def idf(self, df: int) -> float:
        """Whoosh's idf of a term in ``df`` documents."""
        return log(self.doc_count_all / (df + 1)) + 1
