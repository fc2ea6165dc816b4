"""A compiled query (``search.query.plan``) as OpenSearch query DSL, matching what the Whoosh
evaluator (``search.scoring.evaluate``) matches.

Every token comes from the plan, which the same tokenizers produced as the indexed ones
(``search.opensearch.mapping``), and is sent pre-split with the ``pretok`` analyzer:

- a term is a ``match_phrase`` of its bigrams on ``grams`` (one bigram: a ``term``); one Chinese
  character is a ``prefix`` on ``grams`` or the one-character word on ``words``;
- the whole-word bonus is a ``term`` on ``words`` in ``should`` (it scores, it does not match);
- an unquoted term that widens through marks (search.text.joined) also matches its phrase on
  ``joined``;
- a figure term (search.query.figure_terms) is span queries: each written form a ``span_near``
  (slop 0) of tokens, a scale's prefix a ``span_multi``, and words in front a ``span_near`` with
  slop ``NEAR_TOKENS`` in order, which is the Whoosh rule "the figure starts at most NEAR_TOKENS
  tokens after the words end";
- synonyms and the year are further ways to match; AND groups are ``must``, exclusions
  ``must_not``, and the adjacency bonus a ``should``.
"""

from __future__ import annotations

from .. import settings
from ..query.figure_terms import NEAR_TOKENS, FigureTerm
from ..query.plan import QueryPlan, Searched, Term
from ..text.streams import is_cjk

PASSAGES = {"term": {"doc_type": "passage"}}


def phrase(field: str, tokens, boost: float = 1.0) -> dict:
    tokens = list(tokens)
    if len(tokens) == 1:
        return {"term": {field: {"value": tokens[0], "boost": boost}}}
    return {"match_phrase": {field: {"query": " ".join(tokens), "analyzer": "pretok", "boost": boost}}}


def any_of(queries: list[dict]) -> dict:
    queries = [q for q in queries if q is not None]
    if len(queries) == 1:
        return queries[0]
    return {"bool": {"should": queries, "minimum_should_match": 1}}


def text(searched: Searched, boost: float = 1.0) -> dict | None:
    """A typed string: its substring on the bigram stream, plus the whole-word bonus."""
    grams = searched.grams
    if not grams:
        return None
    if len(grams) == 1 and is_cjk(grams[0]) and len(grams[0]) == 1:
        return any_of([{"constant_score": {"filter": {"prefix": {"grams": grams[0]}}, "boost": boost}},
                       {"term": {"words": {"value": grams[0], "boost": boost}}}])
    matched = phrase("grams", grams, boost)
    if searched.run is None:
        return matched
    word = {"term": {"words": {"value": searched.run, "boost": settings.get("word_boost") * boost}}}
    return {"bool": {"must": [matched], "should": [word]}}


def unquoted(searched: Searched, boost: float = 1.0) -> dict | None:
    exact = text(searched, boost)
    if searched.joined is None:
        return exact
    return any_of([exact, phrase("joined", searched.joined, boost)])


def _position(item: tuple[str, ...]) -> dict:
    """One position of a figure's form: a token, any of several, or a prefix minus some tokens."""
    if item[0].startswith("*"):
        span = {"span_multi": {"match": {"prefix": {"grams": {"value": item[0][1:]}}}}}
        excluded = [x[1:] for x in item[1:]]
        if excluded:
            span = {"span_not": {"include": span, "exclude": _any_span([{"span_term": {"grams": t}} for t in excluded])}}
        return span
    return _any_span([{"span_term": {"grams": t}} for t in item])


def _any_span(spans: list[dict]) -> dict:
    return spans[0] if len(spans) == 1 else {"span_or": {"clauses": spans}}


def _sequence(spans: list[dict], slop: int = 0) -> dict:
    return spans[0] if len(spans) == 1 else {"span_near": {"clauses": spans, "slop": slop, "in_order": True}}


def figure(term: FigureTerm) -> dict | None:
    forms = [_sequence([_position(item) for item in form]) for form in term.forms]
    if not forms:
        return None
    span = _any_span(forms)
    if term.before:
        if not term.before_grams:
            return None
        span = _sequence([_sequence([{"span_term": {"grams": t}} for t in term.before_grams]), span], NEAR_TOKENS)
    return span


def typed(term: Term) -> dict | None:
    ways = [text(term.own) if term.phrase else unquoted(term.own)]
    if term.figure:
        ways.append(figure(term.figure))
    boost = settings.get("synonym_boost")
    ways += [unquoted(s, boost) for s in term.alternatives]
    if term.year:
        ways.append({"constant_score": {"filter": {"term": {"year": term.year}}, "boost": settings.get("year_boost")}})
    ways = [w for w in ways if w is not None]
    return any_of(ways) if ways else None


def group(terms: list[Term]) -> dict:
    ways = [q for q in (typed(t) for t in terms) if q is not None]
    return any_of(ways) if ways else {"match_none": {}}


def query(plan: QueryPlan, extra: list[list[dict]] | None = None) -> dict:
    """What the plan matches (every passage for an empty plan). ``extra``: per group, more ways
    to satisfy it (the passages that nearly match it, by id)."""
    if plan.is_empty:
        return {"bool": {"filter": [PASSAGES]}}
    groups = [group(g) for g in plan.groups]
    if extra:
        groups = [any_of([q, *more]) for q, more in zip(groups, extra)]
    out = {"must": groups, "filter": [PASSAGES]}
    excluded = [q for q in (typed(t) for t in plan.excluded) if q is not None]
    if excluded:
        out["must_not"] = excluded
    if plan.adjacent is not None:
        bonus = text(plan.adjacent, settings.get("adjacent_boost"))
        if bonus is not None:
            out["should"] = [bonus]
    return {"bool": out}


REPORT_FILTER = "report_id"  # a search within one report (``Engine.search(report=…)``): not a facet


def filters(resolved: dict[str, list[str]], skip: str | None = None) -> list[dict]:
    """The facet filters (resolved values) as ``terms`` clauses, without facet ``skip``'s own, and
    the report a search is within as a ``term`` on its stored report field."""
    return [{"term": {name: values[0]}} if name == REPORT_FILTER else {"terms": {name: values}}
            for name, values in resolved.items() if values and name != skip]


def query_all() -> dict:
    return {"bool": {"filter": [PASSAGES]}}
