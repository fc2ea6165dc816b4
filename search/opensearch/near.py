"""Near matches (``search.query.near``) found with OpenSearch: the cluster finds the candidates
that hold enough of a term's bigrams (its head, and its measure tail, among them), then each
candidate's chain is checked in Python on its text, tokenized again by the function that made its
indexed tokens, which gives the positions the Whoosh index reads from its postings.

A query asks for every term's candidates at once (``near_request`` each, sent together in one
``_msearch`` by ``search.opensearch.backend``), then checks each answer (``near_kept``)."""

from __future__ import annotations

from math import ceil

from ..query.near import MIN_SHARE, best_chain, chain_is_near, measure_tails, near_spans
from ..text.streams import fold, gram_list
from .dsl import PASSAGES

MAX_CANDIDATES = 2000  # as search.whoosh_index.near_matches: those sharing the most bigrams first


def near_request(searched, exact: dict) -> dict | None:
    """The search for passages that may nearly say ``searched`` (a ``Searched``) and are not
    matched by ``exact``; None when nothing can nearly say it."""
    grams = searched.near
    if grams is None:
        return None
    need = max(2, ceil(MIN_SHARE * len(grams)))
    required = {grams[0]} | ({grams[-1]} if grams[-1] in measure_tails() else set())
    return {
        "size": MAX_CANDIDATES, "_source": ["id", "text"], "track_total_hits": False,
        "sort": [{"_score": "desc"}, {"order": "asc"}],
        "query": {"bool": {
            "filter": [PASSAGES, *({"term": {"grams": g}} for g in sorted(required))],
            # Each bigram held counts one: the score is how many of the term's bigrams a passage holds.
            "should": [{"constant_score": {"filter": {"term": {"grams": g}}, "boost": 1.0}} for g in dict.fromkeys(grams)],
            "minimum_should_match": need,
            "must_not": [exact],
        }},
    }


def near_kept(searched, answer: dict) -> list[str]:
    """Ids of the candidates in ``answer`` (to ``near_request``) that nearly say ``searched``."""
    grams = searched.near
    at = {}
    for i, g in enumerate(grams):
        at.setdefault(g, []).append(i)
    kept = []
    for hit in answer["hits"]["hits"]:
        source = hit["_source"]
        folded = fold(source["text"])
        tokens = gram_list(folded)
        hits = [(i, pos) for pos, token in enumerate(tokens) for i in at.get(token, ())]
        # Positions count marks as tokens; the text says whether the stretch is unbroken.
        if chain_is_near(grams, best_chain(hits)[0]) and near_spans(folded, grams):
            kept.append(source["id"])
    return kept
