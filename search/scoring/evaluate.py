"""Evaluating a parsed query over postings with numpy: every match and its BM25F score.

Whoosh walks postings one document at a time in Python, and for our bigram phrases that walk (and
its position checks) was the whole cost of a search: 200-500 ms at 110,000 passages. Here a term's
postings are read a block at a time into arrays (document numbers and term frequencies), AND, OR,
NOT and synonym groups are array operations, and positions are decoded only for the documents that
contain every bigram of a phrase. Scores follow Whoosh's BM25F exactly (same idf, same field
lengths), so ranking is what it was; the index format is untouched.

Postings come from a ``search.scoring.postings.PostingsSource``: the Whoosh index's
(``search.whoosh_index.postings``; ``tests/test_evaluate.py`` compares every result with Whoosh's
own query execution, ``search.whoosh_index.whoosh_query``), or a cluster's candidates, scored as
the Whoosh index would score them (``search.opensearch.candidates``).

Every evaluation counts its ``search.query.budget.Work``. A query may do ``Evaluator.budget()`` of it (the
settings ``max_query_work`` and ``query_work_per_passage``); one that would do more is refused with
``QueryTooBroad`` before the expensive part (sixteen common single characters expand to thousands
of bigrams). To keep the work small, phrases read their rarest token first and the rest only
where needed, a single character's expansion reads document numbers only, and a year's
documents, typed terms and postings are kept per generation.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import reduce

import numpy as np

from .. import settings
from ..errors import QueryTooBroad
from ..query.budget import BLOCK, STORED_COST, Exhausted, Work
from ..query.plan import QueryPlan, Searched, Term
from ..text.streams import gram_tokens, is_cjk
from .figure_matches import evaluate as evaluate_figure
from .match_sets import Scored, both, either, plus_where, without
from .near_matches import near_matches
from .postings import Postings, PostingsSource

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


class Evaluator(PostingsSource):
    """Query evaluation over a source of postings (thread-safe; terms cached per source)."""

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
        read: dict[str, Postings] = {}
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
            total += self.idf(p.df if p else 0)
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
