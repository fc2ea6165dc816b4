"""Limits on what one client may ask of the site: a request rate, and the length of a URL.

Rate: a token bucket per client on ``/api/`` and on every form post (the pages a person reads are
not limited: clicking through results is fast and cheap). A client may send ``RATE_LIMIT_BURST``
requests at once, then ``RATE_LIMIT`` a minute. Over it: 429 with ``Retry-After`` (whole seconds
until the next request would pass), as ``{"error": ...}`` under /api/ and as a page otherwise.

``RATE_LIMIT``: the config wins; else the environment variable ``POLICY_SEARCH_RATE_LIMIT``; else
off under ``TESTING`` (the test client sends everything from one address, hundreds a second);
else ``DEFAULT_PER_MINUTE``. 0 or None turns it off.

A client is its remote address; IPv6 clients by their /64, which one subscriber usually holds
whole. Behind a reverse proxy every request comes from the proxy: apply werkzeug's ``ProxyFix``
first. Memory stays bounded: a bucket that has filled up again is the same as no bucket and is
dropped, and past ``MAX_CLIENTS`` the longest idle go first (they only regain their burst).

URL: a query string longer than ``MAX_QUERY_STRING`` bytes gets 414 before any view reads it, the
same cap as a body's. Below it, what is too long is the engine's to explain (a query is at most 200
characters, so 5000 get a 400 page that keeps them in the box to correct). The servers refuse
bigger requests themselves (``webui.server``): waitress past 128 KiB of headers (431), gunicorn
a request line past 8 KiB (400), about 900 Chinese characters percent-encoded.
"""

from __future__ import annotations

import ipaddress
import math
import os
import threading
import time
from collections import OrderedDict

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestURITooLarge, TooManyRequests

DEFAULT_PER_MINUTE = 120
ENV_VAR = "POLICY_SEARCH_RATE_LIMIT"
MAX_CLIENTS = 10_000
MAX_QUERY_STRING = 64 * 1024
_EXTENSION = "policy_search.rate_limiter"


class RateLimiter:
    """Token buckets, one per client; thread-safe. ``clock`` is for tests."""

    def __init__(self, per_minute: float, burst: int, max_clients: int = MAX_CLIENTS, clock=time.monotonic):
        if per_minute <= 0 or burst < 1:
            raise ValueError("a rate limit needs a positive rate and a burst of at least 1")
        self.rate = per_minute / 60.0  # tokens a second
        self.burst = float(burst)
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # client → (tokens, when); idlest first
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, client: str) -> float:
        """Spend one of the client's tokens: 0.0 if the request may go ahead, else the seconds until
        it could (nothing is spent then, so a client that keeps retrying is not punished more)."""
        now = self.clock()
        with self._lock:
            tokens, when = self._buckets.pop(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - when) * self.rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
            self._buckets[client] = (tokens - 1 if not wait else tokens, now)
            self._evict(now)
        return wait

    def _evict(self, now: float) -> None:
        while self._buckets:
            tokens, when = next(iter(self._buckets.values()))
            if len(self._buckets) <= self.max_clients and tokens + (now - when) * self.rate < self.burst:
                return  # the idlest still counts; the others go when they reach the front
            self._buckets.popitem(last=False)


def client_key(address: str | None) -> str:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or "-"
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:  # ::ffff:10.0.0.2 is 10.0.0.2
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))


def configured_rate(app: Flask) -> int:
    if "RATE_LIMIT" in app.config:
        value, source = app.config["RATE_LIMIT"], "RATE_LIMIT"
    elif os.environ.get(ENV_VAR, "").strip():
        value, source = os.environ[ENV_VAR].strip(), ENV_VAR
    else:
        return 0 if app.config.get("TESTING") else DEFAULT_PER_MINUTE
    try:
        rate = int(value or 0)
    except (TypeError, ValueError):
        rate = -1
    if rate < 0:
        raise ValueError(f"{source} is requests per minute per client, a whole number (0 turns the limit off), "
                         f"not {value!r}")
    return rate


def is_limited() -> bool:
    return request.path.startswith("/api/") or request.method not in ("GET", "HEAD", "OPTIONS")


def check_request() -> None:
    if len(request.query_string) > MAX_QUERY_STRING:
        raise RequestURITooLarge(f"the query string is {len(request.query_string)} bytes long; the limit is "
                                 f"{MAX_QUERY_STRING} bytes (a query is at most a few hundred characters)")
    limiter = current_app.extensions.get(_EXTENSION)
    if limiter is not None and is_limited() and (wait := limiter.take(client_key(request.remote_addr))):
        raise TooManyRequests(f"too many requests from this address: at most {round(limiter.rate * 60)} a minute "
                              f"(bursts of {int(limiter.burst)}); try again in {math.ceil(wait)} s",
                              retry_after=max(1, math.ceil(wait)))


def init_app(app: Flask) -> None:
    per_minute = configured_rate(app)
    if per_minute:
        burst = int(app.config.get("RATE_LIMIT_BURST") or max(10, per_minute // 4))
        app.extensions[_EXTENSION] = RateLimiter(per_minute, burst)
    app.before_request(check_request)
