"""policy-search: full-text search over Chinese local-government policy reports.

The library: ``search.reading`` reads reports of every format, ``search.text.streams`` owns tokenization,
``search.whoosh_index.indexing`` builds the index, ``search.engine`` searches it and returns plain data. The CLI
(``search.cli``) and the web site (``webui``) only call it.
"""
