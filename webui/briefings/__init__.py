"""Briefings (简报): pages, JSON API, exports and the store."""
