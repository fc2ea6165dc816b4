"""Whether this browser is signed in as the maintainer.

Signing in is a form post of the admin token (``ADMIN_TOKEN``), compared in constant time. The
session (Flask's signed cookie, see ``webui.site.sessions``) then keeps a keyed digest of the token,
not the token: changing the token signs every browser out, and the cookie, readable by its owner,
tells nothing a stranger could use.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, session

_SESSION_KEY = "admin"


def _digest(token: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, b"admin:" + token.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def token_matches(typed: str) -> bool:
    expected = current_app.config["ADMIN_TOKEN"].encode("utf-8", "surrogatepass")
    return hmac.compare_digest(expected, (typed or "").encode("utf-8", "surrogatepass"))


def sign_in() -> None:
    session[_SESSION_KEY] = _digest(current_app.config["ADMIN_TOKEN"])


def sign_out() -> None:
    session.pop(_SESSION_KEY, None)


def signed_in() -> bool:
    held = session.get(_SESSION_KEY)
    return isinstance(held, str) and hmac.compare_digest(held, _digest(current_app.config["ADMIN_TOKEN"]))
