"""Searching and reading: the search and report pages and their JSON twins."""
