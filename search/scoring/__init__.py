"""A query plan evaluated with numpy over postings: every match and its BM25F score, as the Whoosh
index has always scored (its idf, its one-byte field lengths).

- ``evaluate``: the evaluator (terms, phrases, OR, AND, NOT, synonyms, years, near matches);
- ``postings``: a term's postings as arrays, and what every source of them shares (BM25F, the
  cache, the query budget);
- ``match_sets``: sparse score vectors and how the query's operators combine them;
- ``near_matches``, ``figure_matches``: near matches and figure terms over bigram positions;
- ``lengths``: field lengths as one byte, the way BM25F reads them.

Two sources subclass the evaluator: the Whoosh index (``search.whoosh_index.postings``) and a
cluster's candidates (``search.opensearch.candidates``), so that both backends rank alike.

May import: numpy, ``search.query``, ``search.text``, ``search.errors`` and ``search.settings``.
Never Whoosh, an OpenSearch client, ``search.engine``, the CLI or the site.
"""
