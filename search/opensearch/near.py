"""Near matches (``search.query.near``) found with OpenSearch: the cluster finds the candidates
that hold enough of a term's bigrams (its head, and its measure tail, among them), then each
candidate's chain is checked in Python on its text, tokenized again by the function that made its
indexed tokens, which gives the positions the Whoosh index reads from its postings.

A query asks for every term's candidates at once (``near_requests`` each, sent together in one
``_msearch`` by ``search.opensearch.backend``), then checks each answer (``near_kept``). The
cluster also drops the candidates that lack a pair of bigrams every near chain holds (span
queries), so that their texts are not sent."""

from __future__ import annotations

from math import ceil

from ..query.near import MAX_SHIFT, MIN_SHARE, best_chain, chain_is_near, measure_tails, near_spans
from ..text.streams import fold, gram_list
from .dsl import PASSAGES

MAX_CANDIDATES = 2000  # as search.scoring.near_matches: those sharing the most bigrams first


def near_requests(searched, exact: dict) -> list[dict]:
    """The two searches that find the passages that may nearly say ``searched`` (a ``Searched``)
    and are not matched by ``exact`` (none when nothing can nearly say it): the candidates worth
    reading, and where the Whoosh index's cut at ``MAX_CANDIDATES`` falls (``near_kept``).

    The candidates are those the Whoosh index checks (enough of the term's bigrams, its head, and
    its measure tail) that also hold a pair no near chain can lack: the head, then another of the
    term's bigrams close enough behind it, and the tail close enough behind the head when it is
    required. Every chain ``chain_is_near`` accepts starts with the head at some position p and
    has a second link, bigram i at most i + MAX_SHIFT positions later, and ends, when the tail is
    required, with the tail at most len - 1 + MAX_SHIFT later: so the cluster drops only passages
    the check in Python would drop, and their texts are never sent."""
    grams = searched.near
    if grams is None:
        return []
    need = max(2, ceil(MIN_SHARE * len(grams)))
    tail_required = grams[-1] in measure_tails()
    required = {grams[0]} | ({grams[-1]} if tail_required else set())
    shares = {"bool": {
        "filter": [PASSAGES, *({"term": {"grams": g}} for g in sorted(required))],
        # Each bigram held counts one: the score is how many of the term's bigrams a passage holds.
        "should": [{"constant_score": {"filter": {"term": {"grams": g}}, "boost": 1.0}} for g in dict.fromkeys(grams)],
        "minimum_should_match": need,
        "must_not": [exact],
    }}
    # Lucene's slop between two single tokens at p < q is q - p - 1.
    reach = len(grams) - 2 + MAX_SHIFT
    head = {"span_term": {"grams": grams[0]}}
    pairs = [{"span_near": {"clauses": [head, {"span_or": {"clauses": [
        {"span_term": {"grams": g}} for g in dict.fromkeys(grams[1:])]}}], "slop": reach, "in_order": True}}]
    if tail_required:
        pairs.append({"span_near": {"clauses": [head, {"span_term": {"grams": grams[-1]}}],
                                    "slop": reach, "in_order": True}})
    sort = [{"_score": "desc"}, {"order": "asc"}]
    return [
        {"size": MAX_CANDIDATES, "_source": ["id", "text"], "track_total_hits": False, "sort": sort,
         "query": {"bool": {"must": [shares], "filter": pairs}}},
        # The last passage the Whoosh index would check, if it has to cut: nothing past it counts.
        {"from": MAX_CANDIDATES - 1, "size": 1, "_source": False, "track_total_hits": False, "sort": sort,
         "query": shares},
    ]


def near_kept(searched, candidates: dict, cut: dict) -> list[str]:
    """Ids of the passages that nearly say ``searched``, from the answers to ``near_requests``:
    each candidate up to the cut is checked on its text."""
    grams = searched.near
    at = {}
    for i, g in enumerate(grams):
        at.setdefault(g, []).append(i)
    last = cut["hits"]["hits"][0]["sort"] if cut["hits"]["hits"] else None
    kept = []
    for hit in candidates["hits"]["hits"]:
        if last is not None and (-hit["sort"][0], hit["sort"][1]) > (-last[0], last[1]):
            break  # past the Whoosh index's cut; the candidates come in the cut's order
        source = hit["_source"]
        folded = fold(source["text"])
        tokens = gram_list(folded)
        hits = [(i, pos) for pos, token in enumerate(tokens) for i in at.get(token, ())]
        # Positions count marks as tokens; the text says whether the stretch is unbroken.
        if chain_is_near(grams, best_chain(hits)[0]) and near_spans(folded, grams):
            kept.append(source["id"])
    return kept
