"""Saved searches (保存的检索): a query and its filters kept without an account behind a private link
with a token, what is new on them since a visit, and their Atom feeds.

``model`` says what a saved search may hold and checks a request for one; ``store`` keeps them
(SQLite, a token's hash only, the last visit); ``feed`` writes a saved search's Atom 1.0 feed from
the engine's ``Engine.arrivals``.

May import: ``search.errors``, sqlite3 and the standard library's XML writer. Not the engine: the
site runs the search and hands the passages to ``feed``.
"""
