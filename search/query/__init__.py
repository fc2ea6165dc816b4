"""A query's life above the index: the syntax (``parse``), compiled once into a plan (``plan``)
that every later stage reads; what a figure or a near match means (``figure_terms``, ``near``);
the work budget a query may spend (``budget``); and, once a backend has found the candidates,
reranking (``rank``) and marking terms and figures (``highlight``); what to offer when nothing is
found (``suggest``: the offers, which each backend counts).

May import: ``search.text``, ``search.figures.extraction`` and ``search.figures.indicators`` (what
a figure and an indicator are), ``search.errors`` and ``search.settings``. Never a backend: the
backends import this package, not the reverse.
"""
