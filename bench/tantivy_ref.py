"""The reference engine for the benchmark: the same passages and tokens, indexed by tantivy.

tantivy (Rust, through its Python bindings) is a benchmark-only dependency (``pip install
'.[bench]'``), never used by the product. It gets our own analyzer's output pre-split (bigram stream
and jieba words), so both engines match the same tokens; only the engine differs. Each query is
translated from our parsed query (phrases of bigrams, OR, NOT, synonyms, year terms, filters) and
answered with the top 10, the total and a terms aggregation per facet, like our result page.
"""

from __future__ import annotations

import tempfile
import time

from search.text.streams import fold, gram_stream, word_stream
from search.query.parse import parse
from search.query.plan import YEAR_TERM_RE


def build(passages) -> tuple[object, float, int]:
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("grams", stored=False, tokenizer_name="whitespace", index_option="position")
    sb.add_text_field("words", stored=False, tokenizer_name="whitespace", index_option="position")
    for name in ("county", "year", "section"):
        sb.add_text_field(name, stored=False, tokenizer_name="raw", fast=True)
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    index = tantivy.Index(sb.build(), path=tempfile.mkdtemp(prefix="tantivy-ref-"))
    started = time.perf_counter()
    writer = index.writer(heap_size=256 * 2**20, num_threads=2)
    count = 0
    for p in passages:
        folded = fold(p["text"])
        writer.add_document(tantivy.Document(
            grams=" ".join(t for t, _, _ in gram_stream(folded)),
            words=" ".join(t for t, _, _ in word_stream(folded)),
            county=p["county"], year=str(p["year"]), section=p["section"], id=p["id"]))
        count += 1
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return index, time.perf_counter() - started, count


def _text_query(index, text: str):
    import tantivy

    tokens = [t for t, _, _ in gram_stream(fold(text))]
    schema = index.schema
    if len(tokens) == 1:
        return tantivy.Query.term_query(schema, "grams", tokens[0])
    return tantivy.Query.phrase_query(schema, "grams", tokens)


def to_tantivy(index, q: str, filters: dict):
    import tantivy

    Occur = tantivy.Occur
    parsed = parse(q)
    clauses = []
    for group in parsed.groups:
        alternatives = []
        for term in group:
            parts = [_text_query(index, t) for t in (term.text, *term.synonyms)]
            query = parts[0] if len(parts) == 1 else tantivy.Query.disjunction_max_query(parts)
            year = YEAR_TERM_RE.match(term.text)
            if year:
                query = tantivy.Query.boolean_query([
                    (Occur.Should, query),
                    (Occur.Should, tantivy.Query.term_query(index.schema, "year", year.group(1)))])
            alternatives.append(query)
        clauses.append((Occur.Must, alternatives[0] if len(alternatives) == 1 else
                        tantivy.Query.boolean_query([(Occur.Should, a) for a in alternatives])))
    for term in parsed.excluded:
        clauses.append((Occur.MustNot, _text_query(index, term.text)))
    for name, values in filters.items():
        clauses.append((Occur.Must, tantivy.Query.term_set_query(index.schema, name, list(values))))
    if not parsed.groups:
        clauses.append((Occur.Must, tantivy.Query.all_query()))
    return tantivy.Query.boolean_query(clauses)


AGGREGATIONS = {name: {"terms": {"field": name, "size": 2000}} for name in ("county", "year", "section")}


def search(index, spec: dict) -> None:
    filters = {k: v for k, v in spec.items() if k != "q"}
    query = to_tantivy(index, spec["q"], filters)
    searcher = index.searcher()
    result = searcher.search(query, 10, count=True)
    for _, address in result.hits:
        searcher.doc(address)
    searcher.aggregate(query, AGGREGATIONS)
