"""Which query parameters each page and API endpoint reads: anything else is refused, never ignored.

An ignored parameter silently widens the answer (``/api/search?Place=北京`` would list every place),
so every GET view declares the names it reads, once, where it reads them, and a check that runs
before any view refuses the others with 400, code ``unknown_parameter``, a message in Chinese that
names them, and the list of known ones (``"known"`` in the JSON; the error page for HTML).

Adopting it, for a new endpoint::

    @bp.get("/search.csv")
    @accepts(*SearchArgs.PARAMETERS)        # the tuple next to the code that reads the parameters
    def download(): ...

``accepts()`` with no names: the endpoint takes no query parameters. A GET view that declares
nothing takes none either, so an endpoint that forgets to declare its parameters fails its own
tests at once instead of ignoring a misspelt filter in production. Only GET (and HEAD) requests are
checked: forms post their fields in the body. Static files are not checked (``?v=`` busts caches).
"""

from __future__ import annotations

import difflib
from typing import Callable

from flask import Flask, current_app, request

from search.errors import UnknownParameter

_ATTRIBUTE = "accepted_parameters"
UNCHECKED_ENDPOINTS = {"static"}


def accepts(*names: str) -> Callable:
    """Declare the query parameters a view reads (see the module's docstring). Put it under the
    route decorator; it works above or below others that wrap with ``functools.wraps``."""
    def declare(view: Callable) -> Callable:
        setattr(view, _ATTRIBUTE, tuple(dict.fromkeys(names)))
        return view
    return declare


def accepted(view: Callable) -> tuple[str, ...]:
    """The query parameters ``view`` declared (none when it declared nothing)."""
    return getattr(view, _ATTRIBUTE, ())


def unknown_parameter_error(unknown: list[str], known: tuple[str, ...]) -> UnknownParameter:
    """The refusal of ``unknown`` parameters, naming them and what the endpoint does read, with a
    guess at the one meant (``Place`` → ``place``)."""
    named = "、".join(f"“{name}”" for name in unknown)
    guesses = []
    for name in unknown:
        lowered = {k.lower(): k for k in known}
        guess = lowered.get(name.strip().lower()) or next(iter(difflib.get_close_matches(name, known, n=1)), None)
        if guess and guess not in guesses:
            guesses.append(guess)
    hint = f"（您是不是要用 {'、'.join(guesses)}？）" if guesses else ""
    offered = f"这里可用的参数：{'、'.join(known)}" if known else "这里不接受任何查询参数"
    return UnknownParameter(f"不认识的参数 {named}{hint}；{offered}。", names=unknown, known=list(known))


def check_parameters() -> None:
    """Refuse a GET whose query string names a parameter its view did not declare."""
    if request.method not in ("GET", "HEAD") or request.endpoint in UNCHECKED_ENDPOINTS or request.endpoint is None:
        return
    known = accepted(current_app.view_functions[request.endpoint])
    unknown = [name for name in request.args if name not in known]
    if unknown:
        raise unknown_parameter_error(unknown, known)


def init_app(app: Flask) -> None:
    app.before_request(check_parameters)
