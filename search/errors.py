"""Errors that are the user's to fix. Each message says, in Chinese, what went wrong and what to do.

The CLI prints them as one line (exit 1); the web app turns them into a page or a JSON error
(400, or 404 for ``NotFound``) carrying the same message and the error's ``code``: a stable name
that programs can test, whatever the wording of the message. Anything else is a bug and may show a
traceback.
"""

from __future__ import annotations

import re


class UserError(Exception):
    """Base of every error caused by input, with a message for the user."""

    code = "bad_request"


class QueryError(UserError):
    """A query that cannot be run: unbalanced quotes, too long, only exclusions."""

    code = "bad_query"


class NothingToSearch(QueryError):
    """A query of punctuation or operators alone: there is no term to search for."""


class QueryTooBroad(QueryError):
    """A query whose evaluation would read more of the index than one query may (see
    ``search.scoring.evaluate``): too many very common single characters, or too many common terms."""

    code = "too_broad"


class UnknownFilter(UserError):
    """A filter value that names nothing in the index; ``code`` says which filter."""

    code = "unknown_filter"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code


class UnknownReport(UnknownFilter):
    """A search within a report the index does not hold (an id from before a rebuild, a typo)."""

    code = "unknown_report"

    def __init__(self, message: str):
        super().__init__(message)


class BadParameter(UserError):
    """A page number, page size or similar parameter out of range."""

    code = "bad_parameter"


class UnknownSort(BadParameter):
    """An order of results that ``search`` does not offer."""

    code = "unknown_sort"


class PageOutOfRange(BadParameter):
    """A page past the last one of the results; ``last_page`` says which that is."""

    code = "page_out_of_range"

    def __init__(self, message: str, last_page: int):
        super().__init__(message)
        self.last_page = last_page


class UnknownParameter(BadParameter):
    """A query parameter the endpoint does not read (a misspelt ``Place=``, a filter it has not got):
    refused rather than ignored, since an ignored filter silently widens the answer. ``known`` lists
    the parameters the endpoint does read."""

    code = "unknown_parameter"

    def __init__(self, message: str, names: list[str], known: list[str]):
        super().__init__(message)
        self.names, self.known = names, known


class BadJson(BadParameter):
    """A request body that is not JSON one can read: malformed, or nested past the parser's depth."""

    code = "bad_json"


class Forbidden(UserError):
    """A private link's token missing or wrong (a briefing's edit link, a saved search's link)."""

    code = "forbidden"


class NotFound(UserError):
    """No passage or report with that id."""

    code = "not_found"


class IndexUnavailable(UserError):
    """No usable index: missing, or built by another version."""

    code = "index_unavailable"


class ReportError(UserError):
    """A report file that cannot be read. The message names the file, so its control characters and
    undecodable bytes are escaped (``escape_unprintable``): a file name may hold a newline or a
    terminal's escape sequences."""

    code = "bad_report"

    def __init__(self, message: str):
        super().__init__(escape_unprintable(message))


class BuildError(UserError):
    """A build or add that switched nothing: the served index, if any, is untouched."""

    code = "build_failed"

class IndexDamaged(IndexUnavailable):
    """A generation whose files no longer match what was written (cut short, changed, missing):
    ``policy-search check`` lists the problems, ``policy-search build`` writes a fresh one."""


class ClusterUnavailable(IndexUnavailable):
    """The OpenSearch cluster does not answer, is red, or holds no loaded index under the alias."""

    code = "cluster_unavailable"


_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def escape_unprintable(text: str) -> str:
    """``text`` with control characters and undecodable bytes written as escapes (\\x1b, \\xff):
    a file name with a newline or an escape sequence forges lines, clears the screen or sets the
    window title when printed raw, and one that is not UTF-8 (its bytes kept as lone surrogates)
    cannot be written to a JSON file or a page at all."""
    def escape(m: re.Match) -> str:
        code = ord(m.group())
        return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\x{code:02x}" if code < 0x100 \
            else f"\\u{code:04x}"
    return _UNPRINTABLE.sub(escape, text)
