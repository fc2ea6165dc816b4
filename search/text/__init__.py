"""Text as the index and the queries see it, in plain functions any backend reuses: folding
(NFKC and lower case, offsets kept), the bigram stream, jieba's words (``streams``), and the joined
stream that sees through the marks inside a name (``joined``).

May import: ``search.settings`` (the user dictionary), jieba and rjieba. Nothing else of ``search``:
this is the bottom layer. The Whoosh analyzers that wrap these streams live in
``search.whoosh_index.analyzers``.
"""
