"""``policy-search opensearch start|stop``: local OpenSearch nodes for trying the backend, and
``policy-search push``: loading an index into a cluster (``search.opensearch``)."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def opensearch():
    """Local OpenSearch nodes on loopback, for trying the OpenSearch backend and for tests."""


@opensearch.command()
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the nodes' data and logs (one subfolder per node).")
@click.option("--port", default=9200, show_default=True, type=int,
              help="HTTP port of the first node; node k listens on PORT+k-1, its transport on PORT+100+k-1.")
@click.option("--transport-port", default=None, type=int,
              help="Transport port of the first node (default: PORT+100); node k's is this +k-1.")
@click.option("--nodes", default=1, show_default=True, type=click.IntRange(1, 9))
@click.option("--heap-mb", default=512, show_default=True, type=click.IntRange(256))
def start(home, port, transport_port, nodes, heap_mb):
    """Build the launcher on first use, start the nodes, wait for a green cluster, print its URL."""
    from ..opensearch import node

    state = node.start(home, port=port, nodes=nodes, heap_mb=heap_mb, transport_port=transport_port)
    click.echo(f"OpenSearch 已就绪（{nodes} 个节点，进程 {', '.join(map(str, state['pids']))}）", err=True)
    click.echo(state["url"])


@opensearch.command()
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), required=True)
def stop(home):
    """Stop the nodes started under HOME."""
    from ..opensearch import node

    pids = node.stop(home)
    click.echo(f"已停止 {len(pids)} 个节点" if pids else f"{home} 下没有在运行的节点")


@click.command()
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The built index to load (default: index/ of the project).")
@click.option("--opensearch", "url", default=None, help="The cluster's URL (default: the opensearch_url setting).")
@click.option("--alias", default=None, help="The alias to move (default: the opensearch_alias setting).")
@click.option("--shards", default=1, show_default=True, type=click.IntRange(1))
@click.option("--replicas", default=0, show_default=True, type=click.IntRange(0))
def push(index_dir, url, alias, shards, replicas):
    """Load a built index into an OpenSearch cluster: a new index, then the alias moved to it."""
    import sys

    from .. import settings
    from ..opensearch.client import connect, unavailable
    from ..opensearch.push import push as push_index

    url, alias = url or settings.get("opensearch_url"), alias or settings.get("opensearch_alias")
    tty = sys.stderr.isatty()

    def progress(done, total):
        if tty or done == total:
            click.echo(f"\rloading passages {done}/{total}", nl=done == total, err=True)

    try:
        result = push_index(index_dir or settings.get("index_dir"), connect(url, timeout=120), alias, progress,
                            shards=shards, replicas=replicas)
    except Exception as exc:
        failure = unavailable(exc, url)
        if failure is None:
            raise
        raise click.ClickException(str(failure)) from None
    rate = result["passages"] / max(result["seconds"], 1e-9)
    click.echo(f"pushed {result['reports']} reports, {result['passages']} passages in {result['seconds']:.1f} s "
               f"({rate:.0f} passages/s) → {result['index']}, alias {alias}"
               + (f" (was {', '.join(result['previous'])}, now deleted)" if result["previous"] else ""))
