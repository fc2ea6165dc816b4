"""The Whoosh index's postings, read with numpy: document numbers, term frequencies and
positions decoded on demand, for the evaluator (``search.scoring.evaluate``) to match and score.

Whoosh walks postings one document at a time in Python; here a term's postings are read a block at
a time into arrays. The block reading uses attributes of whoosh-reloaded 2.7.5's W3 codec
(``W3LeafMatcher``); the version is pinned in pyproject.toml, and ``tests/test_evaluate.py``
compares every result with Whoosh's own query execution. Scores follow Whoosh's BM25F exactly (same
idf, same field lengths: ``search.scoring.postings``). Every read is counted in a
``search.query.budget.Work``; a year's documents, a character's expansion and postings are kept
per generation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.ma  # noqa: F401 -- np.unique imports it on first use (23 ms): at open, not in a user's query
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.reading import TermNotFound

from ..query.budget import BLOCK, Work
from ..scoring.evaluate import Evaluator
from ..scoring.lengths import LENGTH_OF_BYTE
from ..scoring.postings import Postings
from .arrays import StoredFields, extent, numeric_column, read_leaf, read_leaf_at

TERM_INFOS_KEPT = 8192  # terms whose place in the term tables is kept


@dataclass
class _Expansion:
    """The documents where a single character starts a bigram, and what finding them read."""

    docs: np.ndarray
    lists: int  # postings lists read: a bigram in each segment that has it
    postings: int


class WhooshEvaluator(Evaluator):
    """A generation's plans evaluated over its postings, read once per term and kept (thread-safe)."""

    def __init__(self, reader, live: np.ndarray):
        super().__init__()
        self.reader = reader
        self.live = live
        self.leaves = reader.leaf_readers()
        self.doc_count_all = reader.doc_count_all()
        live_count = int(np.count_nonzero(live))
        self.lengths, self.avg = {}, {}
        for field in ("grams", "words", "joined"):
            codes = numeric_column(reader, _lenfield(field), LENGTHS_COLUMN, dtype=np.uint8)
            self.lengths[field] = LENGTH_OF_BYTE[codes].astype(np.float64)
            self.avg[field] = (reader.field_length(field) / (live_count or 1)) or 1
        self.passages = live_count
        self._years: dict[str, np.ndarray] = {}
        self._infos: dict = {}  # (field, token) -> where its postings are (``_term_infos``)
        self.stored = StoredFields(reader, self._lock)  # docnum -> stored fields

    # -- postings --------------------------------------------------------------------------------

    def length(self, field: str, token: str, work: Work | None) -> int:
        """How many postings a term has (deleted documents' included), from the term index: one
        lookup of work (none when ``work`` is None: the lookup was already spent)."""
        if work is not None:
            work.once(("lookup", field, token), lookups=1)
        with self._lock:
            if (field, token) in self._cache:
                cached = self._cache[(field, token)]
                return cached.df if cached else 0
            return sum(info.doc_frequency() for _, _, info in self._term_infos(field, token))

    def _term_infos(self, field: str, token: str) -> list:
        """(segment, its first docnum, term info) for each segment holding the term, under the lock.
        Looked up once and kept: a term's length, its postings and its postings at some documents
        each looked it up in every segment's term table before (three reads of a hash table)."""
        key = (field, token)
        infos = self._infos.get(key)
        if infos is None:
            infos = []
            for seg, offset in self.leaves:
                try:
                    infos.append((seg, offset, seg._terms.term_info(field, seg._text_to_bytes(field, token))))
                except TermNotFound:
                    continue
            if len(self._infos) >= TERM_INFOS_KEPT:
                self._infos.clear()  # a few thousand terms; the postings cache holds the ones in use
            self._infos[key] = infos
        return infos

    def _read(self, field: str, token: str, length: int, work: Work) -> Postings | None:
        work.once(("read", field, token), postings=length)
        return self._cached((field, token), lambda: self._read_postings(field, token))

    def _read_postings(self, field: str, token: str) -> Postings | None:
        ids, weights, values = [], [], []
        decode = None
        for seg, offset, info in self._term_infos(field, token):
            fmt = seg.schema[field].format
            decode = getattr(fmt, "decode_positions", None)  # ID fields keep no positions
            i, w, v = read_leaf(extent(seg, field, token, info))
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
        return Postings(docs, tf, values, decode, df)

    def prefix_tokens(self, field: str, prefix: str) -> list[str]:
        with self._lock:
            return [t.decode("utf-8") if isinstance(t, bytes) else t for t in self.reader.expand_prefix(field, prefix)]

    def has_word(self, token: str) -> bool:
        """Whether the words field holds the token (the vocabulary queries segment against)."""
        with self._lock:
            return ("words", token) in self.reader

    def _postings_at(self, field: str, token: str, docs: np.ndarray, work: Work) -> Postings:
        """A term's postings at some documents only (not cached): each block's header says which
        documents it holds, and only blocks that may hold one of ``docs`` are decoded."""
        work.reserve(postings=min(self.length(field, token, None), BLOCK * len(docs)))
        ids, weights, values, decode = [], [], [], None
        with self._lock:
            for seg, offset, info in self._term_infos(field, token):
                local = docs[(docs >= offset) & (docs < offset + seg.doc_count_all())] - offset
                if not len(local):
                    continue
                fmt = seg.schema[field].format
                decode = fmt.decode_positions
                i, w, v = read_leaf_at(extent(seg, field, token, info), local)
                ids += [a + offset for a in i]
                weights += w
                values += v
        found = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
        tf = np.concatenate(weights) if weights else np.zeros(0)
        return Postings(found, tf, values, decode, self.length(field, token, None))

    def year(self, year: str, work: Work) -> np.ndarray:
        """The documents of sections that speak about a year (scored with a constant boost, as
        Whoosh scores an ID field). A year holds a large share of the index, so its documents are
        read once per generation and kept, like a facet's: a query pays one lookup for them."""
        work.once(("year", year), lookups=1)
        with self._lock:
            if year not in self._years:
                postings = self._read_postings("year", year)
                self._years[year] = postings.docs if postings else np.zeros(0, dtype=np.int64)
            return self._years[year]

    def character(self, char: str, work: Work) -> np.ndarray:
        """The documents where a character starts a bigram (ascending), found once per generation.

        The character's whole expansion is spent before any of it is read: the term index says
        how many bigrams it starts (the most common characters start two hundred)."""
        key = ("grams*", char)
        with self._lock:
            expansion = self._cache.get(key)
        fresh = expansion is None
        if fresh:
            expansion = self._cached(key, lambda: self._read_expansion(char, work))
        work.once(key, expansions=expansion.lists, postings=expansion.postings, done=fresh)
        return expansion.docs

    def _read_expansion(self, char: str, work: Work) -> _Expansion:
        """One walk over each segment's sorted term index from the character on, then each bigram's
        document numbers (no frequencies or positions: a prefix match scores constantly)."""
        found = []
        for seg, offset in self.leaves:
            terms, prefix = seg._terms, seg._text_to_bytes("grams", char)
            for (fieldname, tbytes), info in terms.items_from("grams", prefix):
                if fieldname != "grams" or not tbytes.startswith(prefix):
                    break
                found.append((seg, offset, tbytes, info))
        postings = sum(info.doc_frequency() for _, _, _, info in found)
        work.check(expansions=len(found), postings=postings)  # counted by the caller, read or cached
        lists = []
        for seg, offset, tbytes, info in found:
            lists += [ids + offset for ids in read_leaf(extent(seg, "grams", tbytes, info), ids_only=True)[0]]
        docs = np.unique(np.concatenate(lists)) if lists else np.zeros(0, dtype=np.int64)
        return _Expansion(docs[self.live[docs]], len(found), postings)
