"""OpenSearch: the cluster backend for collections past one machine, behind ``search.backend``.

- ``backend``: the ``Backend`` and ``Snapshot`` over an index alias; ``dsl`` compiles a plan into
  OpenSearch queries, ``near`` checks near-match candidates in Python, ``mapping`` declares one
  field per token stream of ``search.text`` (pre-tokenized, whitespace-analyzed); ``suggest``
  counts the offers of ``search.query.suggest`` for a query that found nothing; ``candidates``
  scores a first page's candidates as the Whoosh index scores them (``search.scoring``);
- ``push``: loads an embedded index into a new cluster index and moves the alias; ``changes``:
  adds or removes reports on the index an alias names (on a clone, then the alias moved);
- ``client``: the connection (auth, TLS); ``node``: local nodes for trying it and for tests
  (``launcher/``: our Java Node subclass, built by Maven); ``export``: a mapping and bulk files.

May import: the OpenSearch client (``opensearch-py``, an optional extra), ``search.text``,
``search.query``, ``search.scoring``, ``search.facets``, ``search.backend``, ``search.byte_lru``, ``search.errors`` and
``search.settings``; ``push`` reads the index it loads through ``search.engine``, never
``search.whoosh_index``; ``changes`` reads report files through ``search.reading`` and writes
``search.stored_fields``, as a build does. Nothing above ``search.backend`` imports this package.
"""
