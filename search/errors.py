"""Errors that are the user's to fix. Each message says what went wrong and what to do.

The CLI prints them as one line (exit 1); the web app turns them into a page or a JSON error
(400, or 404 for ``NotFound``). Anything else is a bug and may show a traceback.
"""


class UserError(Exception):
    """Base of every error caused by input, with a message for the user."""


class QueryError(UserError):
    """A query that cannot be run."""


class UnknownFilter(UserError):
    """A filter value that names nothing in the index."""


class BadParameter(UserError):
    """A page number, page size or similar parameter out of range."""


class NotFound(UserError):
    """No passage or report with that id."""


class IndexUnavailable(UserError):
    """No usable index: missing, or built by another version."""


class ReportError(UserError):
    """A report file that cannot be read."""


class BuildError(UserError):
    """A build or add that switched nothing: the served index, if any, is untouched."""


class IndexDamaged(IndexUnavailable):
    """A generation whose files no longer match what was written (cut short, changed, missing):
    ``policy-search check`` lists the problems, ``policy-search build`` writes a fresh one."""
