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

Every evaluation counts its ``search.query.budget.Work``. A query may do ``Evaluator.budget()`` of it (the
settings ``max_query_work`` and ``query_work_per_passage``); one that would do more is refused with
``QueryTooBroad`` before the expensive part (sixteen common single characters expand to thousands
of bigrams). To keep the work small, phrases read their rarest token first and the rest only
where needed, a single character's expansion reads document numbers only, and a year's
documents, typed terms and postings are kept per generation.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass
from functools import reduce
from math import log

import numpy as np
import numpy.ma  # noqa: F401 -- np.unique imports it on first use (23 ms): at open, not in a user's query
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

from .. import settings
from ..text.streams import gram_tokens, is_cjk
from ..errors import QueryTooBroad
from .arrays import StoredFields, extent, numeric_column, read_leaf, read_leaf_at
from .figure_matches import evaluate as evaluate_figure
from .near_matches import near_matches
from ..query.plan import QueryPlan, Searched, Term
from .match_sets import Scored, both, either, plus_where, without
from ..query.budget import BLOCK, STORED_COST, Exhausted, Work, query_budget

_LENGTH_TABLE = np.array([byte_to_length(i) for i in range(256)], dtype=np.float64)
POSTINGS_CACHE = 4096  # terms per generation
TERM_INFOS_KEPT = 8192  # terms whose place in the term tables is kept
MAX_CACHED_POSTINGS = 3_000_000  # postings kept decoded (about 60 bytes each with their positions)
PARTIAL_READ = 2 * BLOCK  # a phrase token this many times longer than the candidates is read in part
VERIFIED = 64  # phrase candidates few enough to check on their stored text


@dataclass
class _Typed:
    """A typed term's matches, what evaluating them spent (``Work.counts``) and paid for."""

    scored: Scored
    spent: tuple[int, ...]
    paid: frozenset

    @property
    def docs(self):
        return self.scored.docs


@dataclass
class _Expansion:
    """The documents where a single character starts a bigram, and what finding them read."""

    docs: np.ndarray
    lists: int  # postings lists read: a bigram in each segment that has it
    postings: int


class _Postings:
    """One term's postings over the whole index: docnums, frequencies, positions on demand."""

    def __init__(self, docs, tf, values, decode, df):
        self.docs, self.tf, self._values, self._decode = docs, tf, values, decode
        self.df = df  # documents with the term, deleted ones included, as Whoosh's idf counts them

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


# Encoded one-position values -> their position (see _Postings.first_positions).
_ONE_POSITION: dict[bytes, int] = {}
# Encoded values -> their positions (see _Postings.positions); bounded, about 10 MB at most.
_POSITIONS: dict[bytes, tuple[int, ...]] = {}
POSITIONS_KEPT = 50_000


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
        for field in ("grams", "words", "joined"):
            codes = numeric_column(reader, _lenfield(field), LENGTHS_COLUMN, dtype=np.uint8)
            self.lengths[field] = _LENGTH_TABLE[codes]
            self.avg[field] = (reader.field_length(field) / (live_count or 1)) or 1
        self.passages = live_count
        self._years: dict[str, np.ndarray] = {}
        self._cache: OrderedDict = OrderedDict()
        self._cached_postings = 0
        self._infos: dict = {}  # (field, token) -> where its postings are (``_term_infos``)
        self.lock = self._lock = threading.RLock()
        self.stored = StoredFields(reader, self._lock)  # docnum -> stored fields

    def budget(self) -> Work:
        """The work one query may do on this generation (``search.query.budget.query_budget``)."""
        return Work(limit=query_budget(self.passages))

    # -- postings --------------------------------------------------------------------------------

    def postings(self, field: str, token: str, work: Work) -> _Postings | None:
        """A term's postings, read once and cached; the whole list is spent, cached or not."""
        return self._read(field, token, self.length(field, token, work), work)

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

    def _read(self, field: str, token: str, length: int, work: Work) -> _Postings | None:
        work.once(("read", field, token), postings=length)
        return self._cached((field, token), lambda: self._read_postings(field, token))

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

    def _read_postings(self, field: str, token: str) -> _Postings | None:
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
        return _Postings(docs, tf, values, decode, df)

    def _bm25(self, field: str, token: str, postings: _Postings, idx=None, boost: float = 1.0) -> np.ndarray:
        docs = postings.docs if idx is None else postings.docs[idx]
        tf = postings.tf if idx is None else postings.tf[idx]
        return self._bm25_of(field, postings.df, docs, tf, boost)

    def _bm25_of(self, field: str, df: int, docs: np.ndarray, tf: np.ndarray, boost: float = 1.0) -> np.ndarray:
        """Whoosh's BM25F of a term with ``df`` postings, in ``docs`` where it occurs ``tf`` times."""
        idf = log(self.doc_count_all / (df + 1)) + 1
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

    def term(self, field: str, token: str, work: Work, boost: float = 1.0) -> Scored:
        p = self.postings(field, token, work)
        if p is None:
            return Scored.empty()
        return Scored(p.docs, self._bm25(field, token, p, boost=boost))

    def phrase(self, field: str, tokens: list[str], work: Work, boost: float = 1.0) -> Scored:
        """Documents where the tokens stand at consecutive positions; score as Whoosh: the sum of
        the tokens' BM25.

        Tokens are read rarest first, and a phrase that cannot match stops at the first token that
        leaves no candidate. Once the candidates are few, a common token's long list (a punctuation
        mark's holds nearly every passage) is read only in the blocks that can hold them, and once
        they are very few, the rest is checked on their stored text (``_verified``)."""
        lengths = {token: self.length(field, token, work) for token in dict.fromkeys(tokens)}
        if not all(lengths.values()):
            return Scored.empty()
        read: dict[str, _Postings] = {}
        candidates = None
        by_length = sorted(lengths, key=lengths.get)
        for n, token in enumerate(by_length):
            if candidates is not None and field == "grams" and len(candidates) <= VERIFIED:
                rest = sum(min(lengths[t], BLOCK * len(candidates)) for t in by_length[n:])
                if len(candidates) * STORED_COST < rest:  # cheaper than reading the rest
                    return self._verified(tokens, lengths, candidates, work, boost)
            if candidates is not None and lengths[token] > PARTIAL_READ * len(candidates):
                read[token] = self._postings_at(field, token, candidates, work)
            else:
                read[token] = self._read(field, token, lengths[token], work)
            docs = read[token].docs
            candidates = docs if candidates is None else np.intersect1d(candidates, docs, assume_unique=True)
            if not len(candidates):
                return Scored.empty()
        postings = [read[token] for token in tokens]
        work.reserve(positions=len(candidates) * len(postings))
        where = [np.searchsorted(p.docs, candidates) for p in postings]
        keep = np.zeros(len(candidates), dtype=bool)
        # Most passages hold each bigram of a phrase once: there the phrase stands exactly where
        # every token sits its offset after the first, which is one comparison per token over all
        # such candidates. Only the rest need their position sets.
        once = np.logical_and.reduce([p.tf[idx] == 1 for p, idx in zip(postings, where)])
        if once.any():
            first = postings[0].first_positions(where[0][once])
            found = np.ones(len(first), dtype=bool)
            for j in range(1, len(postings)):
                found &= postings[j].first_positions(where[j][once]) - j == first
            keep[once] = found
        for n in np.flatnonzero(~once).tolist():
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

    def _verified(self, tokens: list[str], lengths: dict[str, int], candidates: np.ndarray, work: Work,
                  boost: float) -> Scored:
        """The candidates whose stored text holds the bigram phrase, scored from that text.

        The bigram field is indexed from the stored text, so tokenizing it again gives the same
        tokens and counts (the term frequencies BM25 needs) as the postings would, for the price
        of reading a few stored passages instead of the remaining tokens' lists."""
        work.reserve(stored=len(candidates))
        texts = [self.stored(int(d))["text"] for d in candidates]
        k, docs, counts = len(tokens), [], []
        for docnum, text in zip(candidates, texts):
            stream = gram_tokens(text)
            if any(stream[i:i + k] == tokens for i in range(len(stream) - k + 1)):
                docs.append(docnum)
                frequency = Counter(stream)
                counts.append([frequency[t] for t in tokens])
        docs = np.array(docs, dtype=np.int64)
        tf = np.array(counts, dtype=np.float64).reshape(len(docs), k)
        scores = np.zeros(len(docs))
        for j, token in enumerate(tokens):
            scores += self._bm25_of("grams", lengths[token], docs, tf[:, j], boost)
        return Scored(docs, scores)

    def _postings_at(self, field: str, token: str, docs: np.ndarray, work: Work) -> _Postings:
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
        return _Postings(found, tf, values, decode, self.length(field, token, None))

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

    def text(self, searched: Searched, work: Work, boost: float = 1.0) -> Scored:
        """A typed term: its substring on the bigram stream, plus the whole-word bonus."""
        grams = list(searched.grams)
        if not grams:
            return Scored.empty()
        if len(grams) == 1 and is_cjk(grams[0]) and len(grams[0]) == 1:
            # One character: bigrams that start with it (a prefix scores constantly, as in
            # Whoosh), or jieba's one-character word.
            docs = self.character(grams[0], work)
            return either([Scored(docs, np.full(len(docs), boost)), self.term("words", grams[0], work, boost)])
        matched = (self.term("grams", grams[0], work, boost) if len(grams) == 1
                   else self.phrase("grams", grams, work, boost))
        word = searched.run if searched.run is not None and self.has_word(searched.run) else None
        if word is None or not len(matched):
            return matched
        return plus_where(matched, self.term("words", word, work, settings.get("word_boost") * boost))

    def weight(self, searched: Searched, work: Work) -> float:
        """How much a term can score: the idf of its bigrams summed (a phrase scores their sum)."""
        total = 0.0
        for token in searched.grams:
            p = self.postings("grams", token, work)
            total += log(self.doc_count_all / ((p.df if p else 0) + 1)) + 1
        return total

    def unquoted(self, searched: Searched, work: Work, boost: float = 1.0) -> Scored:
        """A typed term outside quotes: its exact matches, and matches through the marks inside a
        name (search.text.joined), which are scored on the joined stream."""
        exact = self.text(searched, work, boost)
        if searched.joined is None:
            return exact
        joined = self.phrase("joined", list(searched.joined), work, boost)
        return either([exact, without(joined, exact)])

    def typed(self, term: Term, work: Work) -> Scored:
        """A term as typed, cached per generation: a query's suggestions and the next queries
        evaluate the same terms again. A cached term spends what evaluating it spent."""
        key = ("typed", term.text, term.phrase, tuple(term.synonyms))
        with self._lock:
            cached = self._cache.get(key)
        if cached is None:
            # On its own, so that what it spends does not depend on the terms before it; within
            # what is left of the budget, so that an expensive term is refused before it is done.
            alone = Work(limit=None if work.limit is None else work.limit - work.cost)
            result = self._typed(term, alone)
            cached = self._cached(key, lambda: _Typed(result, alone.counts(), frozenset(alone.paid)))
        work.replay(cached.spent)
        work.paid |= cached.paid
        return cached.scored

    def _typed(self, term: Term, work: Work) -> Scored:
        result = self.text(term.own, work) if term.phrase else self.unquoted(term.own, work)
        figure = term.figure
        if figure:  # 2万亿元 also as 20000亿元, 200亿 as 200亿大关: search.query.figure_terms
            result = either([result, evaluate_figure(self, figure, work)], combine="max")
        if term.synonyms:
            # A synonym stands for the typed term: GDP (one token) must be able to score what
            # 地区生产总值 (five bigrams) scores, so each is scaled to the typed term's weight.
            boost, own = settings.get("synonym_boost"), self.weight(term.own, work)
            alternatives = [self.unquoted(s, work, boost * own / (self.weight(s, work) or own or 1))
                            for s in term.alternatives]
            result = either([result, *alternatives], combine="max")
        if term.year:
            docs = self.year(term.year, work)
            result = either([result, Scored(docs, np.full(len(docs), settings.get("year_boost")))])
        return result

    def group(self, group: list[Term], work: Work) -> Scored:
        """An OR group of terms."""
        return either([self.typed(t, work) for t in group])

    # -- the whole query ---------------------------------------------------------------------------

    def query(self, parsed: QueryPlan, work: Work | None = None) -> Scored | None:
        """All matching live documents with scores, or None when the query has no positive term.

        Raises ``QueryTooBroad`` when evaluating it would cost more than ``work`` allows (by
        default one query's budget)."""
        if parsed.is_empty:
            return None
        work = self.budget() if work is None else work
        try:
            return self._query(parsed, work)
        except Exhausted:
            raise QueryTooBroad(too_broad_message(parsed)) from None

    def _query(self, parsed: QueryPlan, work: Work) -> Scored:
        groups = [self.group(group, work) for group in parsed.groups]
        result = reduce(both, groups)
        if parsed.adjacent is not None and len(result):
            result = plus_where(result, self.text(parsed.adjacent, work, settings.get("adjacent_boost")))
        excluded = [self.typed(term, work) for term in parsed.excluded]
        for matches in excluded:
            result = without(result, matches)
        return self._with_near(parsed, groups, excluded, result, work)

    def _with_near(self, parsed: QueryPlan, groups: list[Scored], excluded: list[Scored],
                   exact: Scored, work: Work) -> Scored:
        """exact, plus the passages where each group matches exactly or nearly and one only nearly
        (search.query.near); those are listed in ``near`` and score only among themselves."""
        nearly = [either([near_matches(self, s, g.docs, work)
                          for t in group if not t.phrase for s in t.searched])
                  for group, g in zip(parsed.groups, groups)]
        if not any(len(n) for n in nearly):
            return exact
        widened = reduce(both, [either([g, n]) for g, n in zip(groups, nearly)])
        for matches in excluded:
            widened = without(widened, matches)
        near = without(widened, exact)
        if not len(near):
            return exact
        merged = either([exact, near])
        return Scored(merged.docs, merged.scores, near.docs)


def too_broad_message(parsed: QueryPlan) -> str:
    """What to tell a user whose query would read too much: which single characters cost most."""
    terms = [*(t for g in parsed.groups for t in g), *parsed.excluded]
    chars = list(dict.fromkeys(t.text for t in terms if len(t.text) == 1 and is_cjk(t.text)))
    if chars:
        named = "".join(f"“{c}”" for c in chars[:5]) + ("等" if len(chars) > 5 else "")
        return (f"查询太宽泛：单字{named}要展开成所有以它开头的词，超出了一次检索的工作量上限。"
                f"请改用两个字以上的词，或减少单字的数量。")
    return "查询太宽泛：这些词太常见，超出了一次检索的工作量上限。请减少关键词，或改用更具体的词。"
