"""Figures and indicators: what figure a sentence states, for which indicator, as a target or a
result (``extraction``, ``indicators``), and the analyses built on them: one indicator across
places (``compare``) and targets against results (``targets``).

``extraction`` and ``indicators`` are read by the query stages (highlighting, figure terms, near
matches) and by indexing, and import only ``search.documents`` and ``search.settings``. ``compare``
and ``targets`` run searches through an engine they are handed, and may import ``search.query``
(to compile the query once) and ``search.text``; never a backend.
"""
