"""What the browser remembers without accounts: the briefings it may edit, a CSRF token, notices.

Flask's session is a cookie signed with ``SECRET_KEY`` (readable by its owner, not forgeable). When
the config gives no key, one is made at random the first time and kept in the instance folder (mode
0600), so a restart does not forget everyone's briefings. The cookie is HttpOnly and SameSite=Lax
(unless the config sets another value), and Secure when the request came over HTTPS (behind a proxy
that ends TLS, apply werkzeug's ``ProxyFix`` so the site knows) or when ``SESSION_COOKIE_SECURE`` is
set.

- "My briefings": ``[id, edit token, short title]`` triples, most recently used first. A cookie
  holds about 4 KB, so only the last ``MY_BRIEFINGS_MAX`` are kept (the edit link still works).
  A briefing joins the list when this browser creates it, or when its user asks for it on the edit
  page (a form post with the CSRF token): never by opening a link, which anyone could send.
- CSRF: one random token per session; every HTML form that changes something sends it back, and it
  is compared in constant time. The JSON API does not use it: it needs the ``X-Edit-Token`` header,
  which another site's page cannot send without CORS.
- Notices: a line shown once after a form post ("已加入简报…"), placed next to what it is about.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

from flask import Flask, flash, get_flashed_messages, request, session
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import BadRequest

MY_BRIEFINGS_MAX = 15
SESSION_TITLE_MAX = 24  # characters of a title kept in the cookie; the pages read the full one
CSRF_FIELD = "csrf_token"
_NOTICE = "notice"


class FormExpired(BadRequest):
    """A form post without this session's CSRF token: from another site, or an old page. Its
    ``explanation`` and ``error_code`` are what ``webui.site.errors`` shows for it."""

    description = "表单缺少本浏览器会话的校验码（CSRF token），或校验码不符"
    explanation = ("表单已失效", "请回到上一页，刷新后再提交一次。表单须在本站页面上提交，且浏览器需要允许本站的 Cookie。")
    error_code = "form_expired"


def _secret_key(instance_path: str) -> str:
    """The instance folder's key, made at random the first time (mode 0600). The file appears
    whole or not at all (written aside, then linked), so two processes starting at once agree."""
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        draft = path.with_name(f"secret_key.{secrets.token_hex(4)}.tmp")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as file:
            file.write(secrets.token_hex(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process was first: use its key
        finally:
            draft.unlink()
    return path.read_text(encoding="ascii").strip()


class SessionCookie(SecureCookieSessionInterface):
    """Flask's signed cookie, Secure whenever the page itself came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def init_app(app: Flask) -> None:
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app.instance_path)
    # Flask's defaults hold the key with None, so setdefault would change nothing.
    if app.config.get("SESSION_COOKIE_SAMESITE") is None:
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.session_interface = SessionCookie()
    app.jinja_env.globals.update(csrf_token=csrf_token)


# -- my briefings -----------------------------------------------------------------------------------


def my_briefings() -> list[dict]:
    return [{"id": b, "token": t, "title": title} for b, t, title in session.get("briefings", [])]


def token_for(briefing_id: str) -> str | None:
    return next((b["token"] for b in my_briefings() if b["id"] == briefing_id), None)


def remember(briefing_id: str, token: str, title: str) -> None:
    """Put a briefing first in this browser's list (most recently used first)."""
    if len(title) > SESSION_TITLE_MAX:
        title = title[:SESSION_TITLE_MAX - 1] + "…"
    kept = [entry for entry in session.get("briefings", []) if entry[0] != briefing_id]
    session["briefings"] = [[briefing_id, token, title], *kept][:MY_BRIEFINGS_MAX]


def forget(briefing_id: str) -> None:
    session["briefings"] = [entry for entry in session.get("briefings", []) if entry[0] != briefing_id]


# -- CSRF -------------------------------------------------------------------------------------------


def csrf_token() -> str:
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def check_csrf(form) -> None:
    expected, sent = session.get(CSRF_FIELD), form.get(CSRF_FIELD)
    if not expected or not sent or not hmac.compare_digest(expected.encode(), sent.encode()):
        raise FormExpired()


# -- notices ----------------------------------------------------------------------------------------


def notify(text: str, target: str = "", link: str | None = None, link_text: str | None = None) -> None:
    """Show ``text`` once, on the next page, next to the element ``target`` (or at the top)."""
    flash({"text": text, "target": target, "link": link, "link_text": link_text}, _NOTICE)


def notices_for(target: str = "") -> list[dict]:
    # Flask keeps the flashed messages for the whole request, so every caller sees them all.
    return [n for n in get_flashed_messages(category_filter=[_NOTICE]) if n.get("target", "") == target]
