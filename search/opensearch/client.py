"""Connecting to the cluster (settings ``opensearch_*``), and what its failures mean to a user.

The only module that builds an ``opensearchpy.OpenSearch``: basic auth or an API key, TLS
verification on by default, a short timeout so that a page says 503 instead of hanging.
"""

from __future__ import annotations

from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionError as TransportConnectionError
from opensearchpy.exceptions import HTTP_EXCEPTIONS, ConnectionTimeout, TransportError

from .. import settings
from ..errors import ClusterUnavailable


def connect(url: str | None = None, timeout: float | None = None) -> OpenSearch:
    urls = [u.strip() for u in (url or settings.get("opensearch_url")).split(",") if u.strip()]
    options: dict = {"timeout": timeout or settings.get("opensearch_timeout"), "max_retries": 1,
                     "retry_on_timeout": False}
    if settings.get("opensearch_api_key"):
        options["headers"] = {"Authorization": f"ApiKey {settings.get('opensearch_api_key')}"}
    elif settings.get("opensearch_username"):
        options["http_auth"] = (settings.get("opensearch_username"), settings.get("opensearch_password"))
    if any(u.startswith("https:") for u in urls):
        options["verify_certs"] = bool(settings.get("opensearch_verify_tls"))
        options["ssl_show_warn"] = bool(settings.get("opensearch_verify_tls"))
        if settings.get("opensearch_ca_file"):
            options["ca_certs"] = settings.get("opensearch_ca_file")
    return OpenSearch(urls, **options)


def unavailable(exc: Exception, url: str) -> ClusterUnavailable | None:
    """The user's error for a failure of the cluster (not of our query), or None."""
    if isinstance(exc, (TransportConnectionError, ConnectionTimeout)):
        return ClusterUnavailable(f"连不上 OpenSearch 集群 {url}：{type(exc).__name__}")
    if isinstance(exc, TransportError) and isinstance(exc.status_code, int) and exc.status_code >= 500:
        return ClusterUnavailable(f"OpenSearch 集群 {url} 暂时无法回答（{exc.status_code}）")
    return None


def refused(answer: dict) -> TransportError:
    """What a search of its own would have raised, for a search an ``_msearch`` answered with an
    error (so that a refused or failed search in a batch is told apart as it is alone)."""
    status, error = answer.get("status", 500), answer["error"]
    kind = error.get("type", "error") if isinstance(error, dict) else str(error)
    return HTTP_EXCEPTIONS.get(status, TransportError)(status, kind, answer)
