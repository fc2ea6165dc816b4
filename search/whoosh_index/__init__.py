"""The embedded index: Whoosh, the default backend on one machine. The only package that imports
Whoosh.

- ``backend``: the ``search.backend`` implementation (the served generation, what a plan matches);
- ``postings``: a plan evaluated (``search.scoring``)
  with numpy over Whoosh's postings; ``whoosh_query`` states the same semantics in Whoosh's own
  queries, for the tests that hold the evaluator to them;
- ``facets``: facet counts and filters as value codes per document;
- ``suggest``: counting the offers ``search.query.suggest`` makes when a query finds nothing;
- ``schema``, ``analyzers``, ``indexing``, ``writers``, ``segment_writer``, ``arrays``, ``store``: the fields,
  building and adding, the bulk segment writer, reading columns and postings as arrays, and the
  generations on disk.

May import: Whoosh, numpy, and ``search.scoring``, ``search.text``, ``search.query``, ``search.facets``,
``search.documents``, ``search.reading`` (to build), ``search.figures.extraction`` (figures are
stored with each passage), ``search.byte_lru``, ``search.errors`` and ``search.settings``. Never
``search.engine``, the CLI or the site.
"""
