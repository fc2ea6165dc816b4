"""Limits on what one client may ask of the site: a budget of work per minute, and the length of a URL.

Rate: a token bucket per client. A client may spend ``RATE_LIMIT_BURST`` tokens at once, then
``RATE_LIMIT`` a minute. A request costs what it makes the server do: one token for an ordinary
request, what its view declares with ``@costs(n)`` for the pages known to be expensive (a
comparison runs four searches, a Word export builds a document), and after it has run,
``TOKENS_PER_BUDGET`` more for every query budget of search work it did (``search.query.budget``: postings
read, phrase checks), so a broad search costs more than a narrow one, and a cached one nothing
extra. A client that overspent waits until its bucket has refilled. Over it: 429 with
``Retry-After`` (whole seconds until the next request would pass), as ``{"error", "code":
"rate_limited"}`` under /api/ and as a page otherwise.

What is limited: every request but static files (which a page loads a few of, and which cost a
file read): the API, forms, every page, and a URL no page answers (a scanner's). Reading a passage
or a report costs one token, like any ordinary request; the expensive pages declare more with
``@costs`` (``/compare``, the briefing exports), and a search is charged for its work
(``/search``, ``/targets`` and their JSON twins). Reading pages used to cost nothing, so a client
could rebuild a 500-item briefing's 2 MB page as often as it liked.

Who is limited: every client except this machine's own (loopback addresses), unless
``RATE_LIMIT_LOOPBACK`` is set (the app config, else the setting ``rate_limit_loopback``): a local
user's scripts are never throttled. A request that a proxy forwarded (it carries
``X-Forwarded-For`` or ``Forwarded``) is never exempt, whatever address it names: the exemption
applies only when no forwarding header is present. Apply werkzeug's ``ProxyFix`` so that each
client's own address gets its bucket; without it, all forwarded requests share the proxy's one.

``RATE_LIMIT``: the config wins; else the environment variable ``POLICY_SEARCH_RATE_LIMIT``; else
off under ``TESTING`` (the test client sends everything from one address, hundreds a second);
else ``DEFAULT_PER_MINUTE``. 0 or None turns it off.

A client is its remote address; IPv6 clients by their /64, which one subscriber usually holds
whole. Memory stays bounded: a bucket that has filled up again is the same as no bucket and is
dropped, and past ``MAX_CLIENTS`` the longest idle go first (they only regain their burst).

URL: a query string longer than ``MAX_QUERY_STRING`` bytes gets 414 before any view reads it, the
same cap as a body's. Below it, what is too long is the engine's to explain (a query is at most 200
characters, so 5000 get a 400 page that keeps them in the box to correct). The servers refuse
bigger requests themselves (``webui.server``): waitress past 128 KiB of headers (431), gunicorn
a request line past 1 MiB or a header past 8 KiB (400).
"""

from __future__ import annotations

import ipaddress
import math
import os
import threading
import time
from collections import OrderedDict

from flask import Flask, current_app, g, request
from werkzeug.exceptions import RequestURITooLarge, TooManyRequests

from search import settings
from search.query.budget import metered, query_budget

from .searcher import get_engine

DEFAULT_PER_MINUTE = 120
ENV_VAR = "POLICY_SEARCH_RATE_LIMIT"
MAX_CLIENTS = 10_000
MAX_QUERY_STRING = 64 * 1024
COST_ATTRIBUTE = "rate_limit_cost"  # set on a view function by ``costs``
TOKENS_PER_BUDGET = 4  # a search that did a whole query's budget of work costs four more tokens
MAX_WORK_TOKENS = 10  # what one request's search work can cost at most, on top of its base cost
_EXTENSION = "policy_search.rate_limiter"


def costs(tokens: int = 1):
    """Mark a view as expensive: it is limited even as a page read with GET, and a request costs
    ``tokens`` (several ordinary requests) before any search work is counted. Declared on the view
    itself, so renaming its endpoint or blueprint keeps it."""
    def mark(view):
        setattr(view, COST_ATTRIBUTE, tokens)
        return view

    return mark


def declared_cost() -> int | None:
    """The cost the view of this request declared with ``costs``; None for an ordinary view (or no view)."""
    return getattr(current_app.view_functions.get(request.endpoint), COST_ATTRIBUTE, None)


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
        self.exempt_local = True  # clients on this machine are not limited (see is_local)

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, client: str, cost: float = 1.0) -> float:
        """Spend ``cost`` of the client's tokens: 0.0 if the request may go ahead, else the seconds
        until it could (nothing is spent then, so a client that keeps retrying is not punished more)."""
        cost = min(cost, self.burst)  # a request dearer than a whole burst still passes on a full bucket
        with self._lock:
            tokens, now = self._refill(client)
            wait = 0.0 if tokens >= cost else (cost - tokens) / self.rate
            self._buckets[client] = (tokens - cost if not wait else tokens, now)
            self._evict(now)
        return wait

    def charge(self, client: str, cost: float) -> None:
        """Spend ``cost`` tokens for work a request has already done; the client may go into debt
        (at most one burst), which its next requests wait out."""
        if cost <= 0:
            return
        with self._lock:
            tokens, now = self._refill(client)
            self._buckets[client] = (max(-self.burst, tokens - cost), now)
            self._evict(now)

    def _refill(self, client: str) -> tuple[float, float]:
        now = self.clock()
        tokens, when = self._buckets.pop(client, (self.burst, now))
        return min(self.burst, tokens + (now - when) * self.rate), now

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


def is_local(environ: dict) -> bool:
    """A client on this machine: a loopback address, and no forwarding header (a proxy on this
    machine forwards other people's requests; one that says its client is local is still a proxy)."""
    try:
        ip = ipaddress.ip_address(environ.get("REMOTE_ADDR") or "")
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    forwarded = "HTTP_X_FORWARDED_FOR" in environ or "HTTP_FORWARDED" in environ
    return ip.is_loopback and not forwarded


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


def limits_loopback(app: Flask) -> bool:
    """Whether clients on this machine are limited too: the config wins, else the setting."""
    value = app.config.get("RATE_LIMIT_LOOPBACK")
    return bool(int(settings.get("rate_limit_loopback") if value is None else value))


def is_limited(limiter: RateLimiter) -> bool:
    if limiter.exempt_local and is_local(request.environ):
        return False
    return request.endpoint != "static"


def work_tokens(cost: int, budget: int) -> int:
    """The tokens a request's search work costs on top of its base cost."""
    return min(MAX_WORK_TOKENS, cost * TOKENS_PER_BUDGET // budget)


def check_request() -> None:
    if len(request.query_string) > MAX_QUERY_STRING:
        raise RequestURITooLarge(f"网址的查询部分有 {len(request.query_string)} 字节，最多 {MAX_QUERY_STRING} 字节"
                                 f"（检索词最多几百个字符）")
    limiter = current_app.extensions.get(_EXTENSION)
    if limiter is None or not is_limited(limiter):
        return
    client = client_key(request.remote_addr)
    cost = declared_cost()
    if wait := limiter.take(client, 1 if cost is None else cost):
        raise TooManyRequests(f"这个地址的请求太频繁：每分钟最多约 {round(limiter.rate * 60)} 次普通请求（一次最多 "
                              f"{int(limiter.burst)} 次），范围很宽的检索、地区对比和导出 Word 算作多次；"
                              f"请 {math.ceil(wait)} 秒后再试",
                              retry_after=max(1, math.ceil(wait)))
    meter = metered()
    g.rate_limit = (limiter, client, meter, meter.__enter__())


def charge_work(response):
    """After a limited request (an error page included): charge its client for the search work
    it did."""
    if (state := g.get("rate_limit")) is not None:
        limiter, client, _, work = state
        if work.cost:
            limiter.charge(client, work_tokens(work.cost, query_budget(get_engine().info()["passages"])))
    return response


def stop_metering(_error=None) -> None:
    # Always, even after an unexpected error: the meter belongs to this request only.
    if (state := g.pop("rate_limit", None)) is not None:
        state[2].__exit__(None, None, None)


def init_app(app: Flask) -> None:
    per_minute = configured_rate(app)
    if per_minute:
        burst = int(app.config.get("RATE_LIMIT_BURST") or max(10, per_minute // 4))
        limiter = app.extensions[_EXTENSION] = RateLimiter(per_minute, burst)
        limiter.exempt_local = not limits_loopback(app)
    app.before_request(check_request)
    app.after_request(charge_work)
    app.teardown_request(stop_metering)
