"""policy-search: full-text search over Chinese local-government policy reports.

The library: ``search.reading`` reads reports of every format, ``search.analysis`` owns tokenization,
``search.indexing`` builds the index, ``search.engine`` searches it and returns plain data. The CLI
(``search.cli``) and the web site (``webui``) only call it.
"""
