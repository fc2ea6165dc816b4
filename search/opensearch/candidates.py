"""The cluster's candidates for a first page, scored as the Whoosh index scores them.

Lucene's BM25 is not Whoosh's BM25F: another idf (``log(1+(N-df+0.5)/(df+0.5))`` against
``log(N/(df+1))+1``), no ``(k1+1)``, another one-byte length encoding, and a synonym group is a sum
where Whoosh takes the best. Its order within a tier decides which passages the first page reranks
(``search.query.rank``), so on its own it gave another first page for about half the queries of the
shared corpus. Here a tier's first candidates as the cluster ordered them (the setting
``rescore_pool``, 500) are scored by the evaluator the Whoosh index uses
(``search.scoring.evaluate``), over an index of just those passages:

- their postings come from tokenizing their text again (bigrams, the joined stream), which gives
  the tokens and positions the cluster indexed (``search.opensearch.mapping``) and the Whoosh
  index indexes;
- what makes a score the whole index's comes from the cluster: each term's document frequency (a
  count, kept per snapshot), the number of passages and each field's total length (summed over the
  ``lengths`` each passage document carries, once per snapshot);
- a candidate's own lengths come with it (doc values), and its jieba words too (the ``words``
  field is stored): a query never loads a segmenter.

The scores are then Whoosh's own; a passage Whoosh would put in its first ``RERANK_DEPTH`` but the
cluster puts below the candidates it sends is the one way the two first pages can still differ
besides ties (``tests/test_opensearch_parity.py`` names both; on the shared corpus, none with 500).
"""

from __future__ import annotations

import numpy as np

from .. import settings
from ..query.budget import Work
from ..query.plan import QueryPlan
from ..query.rank import RERANK_DEPTH
from ..scoring.evaluate import Evaluator
from ..scoring.lengths import quantized
from ..scoring.match_sets import Scored
from ..scoring.postings import Postings
from ..text.joined import joined_stream
from ..text.streams import fold, gram_list
from .mapping import TOKEN_FIELDS

# What a candidate's search asks for besides its source (``CandidateEvaluator``).
CANDIDATE_FIELDS = {"_source": True, "stored_fields": ["words"],
                    "docvalue_fields": [f"lengths.{field}" for field in TOKEN_FIELDS]}


# The deepest result scored as Whoosh scores (page 20 at 50 a page): a deeper page, and a caller
# that wants every match in no order (a saved search's arrivals), keep the cluster's order.
RESCORED_DEPTH = 1000


def pool_size() -> int:
    """Candidates scored per tier for a first page (the setting ``rescore_pool``; 0: none), never
    fewer than the first page reranks."""
    pool = settings.get("rescore_pool")
    return max(pool, RERANK_DEPTH) if pool > 0 else 0


def _identity(value):
    return value


class Statistics:
    """The index-wide numbers BM25F needs, for one snapshot (``search.opensearch.backend``):
    the passages, each field's total length, and document frequencies, counted on demand and kept
    in the snapshot's cache."""

    def __init__(self, snap, passages: int, field_lengths: dict[str, int], words_stored: bool):
        self.snap, self.passages, self.field_lengths = snap, passages, field_lengths
        self.words_stored = words_stored

    @property
    def complete(self) -> bool:
        """Whether the index carries its passages' lengths and words (a load by an older push
        does not)."""
        return self.passages > 0 and self.words_stored and all(self.field_lengths.get(f) for f in ("grams", "words"))

    def key(self, field: str, token: str) -> tuple:
        return ("os-df", self.snap.name, field, token)

    def missing(self, terms) -> list[tuple[str, str]]:
        return [t for t in dict.fromkeys(terms) if self.snap.cache.get(self.key(*t)) is None]

    @staticmethod
    def count_body(field: str, token: str) -> dict:
        return {"size": 0, "track_total_hits": True, "query": {"term": {field: token}}}

    def learn(self, terms: list[tuple[str, str]], answers: list[dict]) -> dict[tuple[str, str], int]:
        """Keep the counts the cluster answered for ``terms``; return them."""
        counted = {}
        for term, answer in zip(terms, answers):
            counted[term] = answer["hits"]["total"]["value"]
            self.snap.cache.put(self.key(*term), counted[term])
        return counted

    def df(self, terms) -> dict[tuple[str, str], int]:
        """Document frequencies of (field, token) pairs: those not yet known counted in one round trip."""
        known = {t: self.snap.cache.get(self.key(*t)) for t in dict.fromkeys(terms)}
        missing = [t for t, n in known.items() if n is None]
        if missing:
            known.update(self.learn(missing, self.snap.msearch([self.count_body(f, t) for f, t in missing])))
        return known


def plan_terms(plan: QueryPlan) -> list[tuple[str, str]]:
    """The (field, token) pairs whose document frequencies scoring the plan will ask for, so they
    can be counted with the first page's searches. Tokens a prefix expands to are found later."""
    terms = []
    searched = [s for group in plan.groups for t in group for s in t.searched]
    searched += [s for t in plan.excluded for s in t.searched]
    if plan.adjacent is not None:
        searched.append(plan.adjacent)
    for s in searched:
        terms += [("grams", g) for g in (*s.grams, *(s.near or ()))]
        terms += [("joined", j) for j in s.joined or ()]
        if s.run is not None:
            terms.append(("words", s.run))
        if len(s.grams) == 1:
            terms.append(("words", s.grams[0]))
    for term in (t for group in plan.groups for t in group):
        if term.figure:
            terms += [("grams", g) for g in term.figure.before_grams]
            terms += [("grams", token) for form in term.figure.forms for item in form
                      if not item[0].startswith("*") for token in item]
    return list(dict.fromkeys(terms))


class CandidateEvaluator(Evaluator):
    """A few passages from the cluster as a tiny index for the evaluator: their own postings,
    the whole index's statistics. Document numbers are the passages' places in reading order.

    ``hits`` are the cluster's, asked with ``CANDIDATE_FIELDS``: the source, each stream's length
    (doc values) and the stored words, which are jieba's and which a query never segments again.
    A term's postings are found when the evaluator first asks for them, in the passages whose text
    can hold it, so a query pays for its own tokens only."""

    def __init__(self, hits: list[dict], stats: Statistics):
        super().__init__()
        hits = sorted(hits, key=lambda h: h["_source"]["order"])
        self.sources = [h["_source"] for h in hits]
        self.stats = stats
        self.doc_count_all = self.passages = stats.passages
        self.folded = [fold(s["text"]) for s in self.sources]
        self._words = [(h.get("fields", {}).get("words") or [""])[0] for h in hits]
        self._streams: dict[str, list] = {field: [None] * len(hits) for field in TOKEN_FIELDS}
        self.lengths = {field: quantized(np.array([h.get("fields", {}).get(f"lengths.{field}", [0])[0] for h in hits],
                                                  dtype=np.int64)).astype(np.float64)
                        for field in TOKEN_FIELDS}
        self.avg = {field: (stats.field_lengths.get(field, 0) / (stats.passages or 1)) or 1 for field in TOKEN_FIELDS}

    def _stream(self, field: str, doc: int) -> list:
        """A candidate's tokens in one field, in position order (None: an empty position)."""
        streams = self._streams[field]
        if streams[doc] is None:
            if field == "grams":
                streams[doc] = gram_list(self.folded[doc])
            elif field == "words":
                streams[doc] = self._words[doc].split(" ") if self._words[doc] else []
            else:
                streams[doc] = [None if item is None else item[0] for item in joined_stream(self.folded[doc])]
        return streams[doc]

    def _find(self, field: str, token: str) -> tuple[list[int], list[int], list[tuple[int, ...]]]:
        """The candidates holding a token, how often, and where. A bigram-stream token is a
        substring of the folded text, and a joined-stream token's characters are in it, which
        rules out most passages before they are tokenized."""
        docs, tf, values = [], [], []
        for doc, folded in enumerate(self.folded):
            if field == "grams" and token not in folded:
                continue
            if field == "joined" and not all(ch in folded for ch in token):
                continue
            stream, positions, at = self._stream(field, doc), [], -1
            try:
                while True:
                    at = stream.index(token, at + 1)
                    positions.append(at)
            except ValueError:
                pass
            if positions:
                docs.append(doc)
                tf.append(len(positions))
                values.append(tuple(positions))
        return docs, tf, values

    def budget(self) -> Work:
        return Work(limit=None)  # the cluster already answered the query: this is a few passages

    def scores(self, plan: QueryPlan) -> dict[str, float]:
        """Each candidate's score under ``plan`` by passage id (a candidate the plan does not
        match here is left out)."""
        scored: Scored | None = self.query(plan)
        if scored is None:
            return {}
        return {self.sources[d]["id"]: float(s) for d, s in zip(scored.docs.tolist(), scored.scores.tolist())}

    # -- the reads the evaluator makes (search.scoring.postings.PostingsSource) -----------------

    def length(self, field: str, token: str, work: Work | None) -> int:
        return self.stats.df([(field, token)])[(field, token)] or 0

    def _read(self, field: str, token: str, length: int, work: Work) -> Postings | None:
        if not length:
            return None

        def find() -> Postings:
            docs, tf, values = self._find(field, token)
            return Postings(np.array(docs, dtype=np.int64), np.array(tf, dtype=np.float64), values, _identity,
                            length, held=True)

        return self._cached((field, token), find)

    def _postings_at(self, field: str, token: str, docs: np.ndarray, work: Work) -> Postings:
        every = self._read(field, token, self.length(field, token, work), work)
        keep = np.isin(every.docs, docs)
        values = [v for v, k in zip(every._values, keep.tolist()) if k]
        return Postings(every.docs[keep], every.tf[keep], values, _identity, every.df, held=True)

    def stored(self, docnum: int) -> dict:
        return self.sources[docnum]

    def has_word(self, token: str) -> bool:
        return self.length("words", token, None) > 0

    def year(self, year: str, work: Work) -> np.ndarray:
        return np.array([d for d, s in enumerate(self.sources) if str(s.get("year")) == year], dtype=np.int64)

    def character(self, char: str, work: Work) -> np.ndarray:
        return np.array([d for d, folded in enumerate(self.folded)
                         if char in folded and any(t.startswith(char) for t in self._stream("grams", d))], dtype=np.int64)

    def prefix_tokens(self, field: str, prefix: str) -> list[str]:
        """The candidates' tokens with the prefix (the only ones that can match among them), their
        document frequencies counted together."""
        found = sorted({t for d in range(len(self.sources)) for t in self._stream(field, d)
                        if t is not None and t.startswith(prefix)})
        self.stats.df([(field, t) for t in found])
        return found
