"""Links built without ``url_for``'s route matching, for the links a page writes many times.

A results page has a couple of dozen links: the page itself with one filter, page or passage
changed, and the stylesheet and navigation of every page. ``url_for`` matched the route and encoded
the query for each, a tenth of the page's rendering. Here a route's path is looked up once per
script root (where the site is mounted) and the query string is encoded as Werkzeug encodes it, so
the links are the ones ``url_for`` writes.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import request, url_for

# Werkzeug's safe characters for a query string and for an anchor, so that links do not change.
_QUERY_SAFE = "!$'()*,/:;?@"
_ANCHOR_SAFE = "%!#$&'()*+,/:;=?@"
_paths: dict[tuple, str] = {}


def fixed_url(endpoint: str, **values) -> str:
    """``url_for(endpoint, **values)`` for a link that is the same on every page (a stylesheet, the
    navigation), built once per script root; ``values`` must be constants, not a user's input."""
    key = (request.script_root, endpoint, *sorted(values.items()))
    path = _paths.get(key)
    if path is None:
        path = _paths[key] = url_for(endpoint, **values)
    return path


def with_query(endpoint: str, params: dict, anchor: str | None = None) -> str:
    """``url_for(endpoint, **params, _anchor=anchor)`` for a route without path variables: ``params``
    whose value is None are left out, and a list or tuple repeats its parameter."""
    items = [(name, v) for name, value in params.items() if value is not None
             for v in (value if isinstance(value, (list, tuple)) else (value,)) if v is not None]
    url = fixed_url(endpoint)
    if items:
        url += "?" + urlencode(items, safe=_QUERY_SAFE)
    if anchor is not None:
        url += "#" + quote(anchor, safe=_ANCHOR_SAFE)
    return url
