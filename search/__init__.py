"""policy-search: full-text search over Chinese government policy reports.

The library, one package per concern, each ``__init__`` saying what it holds and may import:

- ``engine``: the one public face (plain dicts in, plain dicts out), over ``backend``: the seam
  behind which an index is kept (``whoosh_index``, the embedded default; ``opensearch``);
- ``reading``: report files of every format into ``documents.Report``;
- ``text``: folding and the token streams, shared by indexing, queries and every backend;
- ``query``: the query compiled once into a plan, the work budget, reranking and highlighting;
- ``facets``: the facets and their rules; ``figures``: figures, indicators, compare and the
  targets ledger; ``coverage``: which places and years the index holds;
- ``briefings``: collected passages, their store and exports;
- ``cli``: the command line, which only calls the library (as the site, ``webui``, does).
"""
