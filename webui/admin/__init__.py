"""Adding reports through the site, for a maintainer (``pages``, blueprint ``admin``): sign in with
the admin token (``auth``), upload files (kept in ``staging`` until added), see what would be
indexed, correct it, add.

The pages exist only when an admin token is configured (``ADMIN_TOKEN``; default: the setting
``admin_token``, i.e. ``POLICY_SEARCH_ADMIN_TOKEN``); without one every /admin URL is the site's
404 and no page links to them. ``ADMIN_UPLOAD_MAX`` (default: the setting ``max_upload_mb``) caps
an upload; ``ADMIN_UPLOADS`` is where uploads wait (default: ``admin-uploads`` in the instance
folder).

May import: ``search.*`` (reading and adding through ``search.adding``) and ``webui.site``. Never
another feature package.
"""

from __future__ import annotations

from flask import Flask

from search import settings


def init_app(app: Flask) -> None:
    app.config.setdefault("ADMIN_TOKEN", settings.get("admin_token"))
    if not app.config["ADMIN_TOKEN"]:
        return
    app.config.setdefault("ADMIN_UPLOAD_MAX", settings.get("max_upload_mb") * 2**20)
    from . import pages

    app.register_blueprint(pages.bp)


def enabled(app: Flask) -> bool:
    """Whether the admin pages exist in this app."""
    return "admin" in app.blueprints


def body_limit(app: Flask) -> int:
    """The largest request body a server in front of the app should pass on: the site's cap, or
    with the admin pages twice their upload cap, so that an upload somewhat too large is refused by
    the app, in Chinese and with the cap named, rather than by the server's English line. (waitress
    reads a body whole before the app sees it; gunicorn passes every body on and the app refuses a
    too-large one unread.)"""
    if not enabled(app):
        return app.config["MAX_CONTENT_LENGTH"]
    return max(app.config["MAX_CONTENT_LENGTH"], 2 * app.config["ADMIN_UPLOAD_MAX"])
