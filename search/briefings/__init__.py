"""Briefings (简报): what a briefing is (``model``: limits, errors, text checks, each item's status
against the index), where it is kept (``store``: SQLite), and how it is exported (``exports``:
Markdown and Word, with citations).

May import: ``search.errors`` and ``search.settings``, sqlite3, python-docx. Not the engine: the
site hands ``model.with_status`` the engine to compare items with.
"""
