"""Options and helpers shared by the commands."""

from __future__ import annotations

from pathlib import Path

import click

from .. import settings


def index_option(f):
    return click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path),
                        default=None, help="Index folder (default: index/ of the project).")(f)


def index_path(index_dir: Path | None) -> Path:
    return index_dir or settings.get("index_dir")


def cluster_options(f):
    """--opensearch and --alias: make the command act on the index an alias names in a cluster
    (loaded with ``push``) instead of the embedded index."""
    f = click.option("--alias", default=None, help="The cluster's alias (default: the opensearch_alias setting).")(f)
    f = click.option("--opensearch", "opensearch_url", default=None,
                     help="Act on the index an alias names in this OpenSearch cluster, not on --index.")(f)
    return f


def on_cluster(url: str, alias: str | None, act):
    """``act(client, alias)`` against the cluster at ``url``; a cluster that is down or failing
    ends the command with one Chinese line, as ``push`` does."""
    from ..opensearch.client import connect, unavailable

    alias = alias or settings.get("opensearch_alias")
    try:
        return act(connect(url, timeout=120), alias)
    except Exception as exc:
        failure = unavailable(exc, url)
        if failure is None:
            raise
        raise click.ClickException(str(failure)) from None
