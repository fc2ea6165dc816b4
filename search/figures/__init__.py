"""Figures and indicators: what figure a sentence states, for which indicator, as a target or a
result (``extraction``, ``indicators``), and the analyses built on them: one indicator across
places (``compare``) and the targets ledger, every place's targets against its results (``ledger``,
built by ``ledger_build``, judged by ``ledger_rules``, its columns in ``ledger_columns``).

``extraction`` and ``indicators`` are read by the query stages (highlighting, figure terms, near
matches) and by indexing, and import only ``search.documents`` and ``search.settings``. ``compare``
runs searches through an engine it is handed, and may import ``search.query`` (to compile the query
once) and ``search.text``; the ledger reads every passage through the engine's export. Never a backend.
"""
