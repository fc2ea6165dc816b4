"""The site's plumbing, shared by every feature."""
