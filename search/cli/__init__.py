"""The ``policy-search`` command: parses arguments, calls the library, prints.

User errors (no index yet, a bad query, an unknown place, an unreadable report) end with one line
and a hint, exit status 1, never a traceback. Each module holds commands; this one gathers them
into the group, so no command module imports another.

May import: ``search.engine`` and the library's packages, and ``webui.server`` (for ``serve``).
``build``, ``add``, ``remove`` and ``check`` manage the embedded index, so they call
``search.whoosh_index`` directly (``add`` and ``remove`` with ``--opensearch`` call
``search.opensearch.changes`` instead); searching goes through the engine.
"""

from __future__ import annotations

import click

from ..errors import UserError
from . import commands, opensearch, reports, targets


class _Cli(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except UserError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=_Cli)
@click.version_option(package_name="policy-search")
def cli():
    """Full-text search over Chinese local-government policy reports."""


for command in (commands.build, commands.add, commands.search, commands.export, commands.eval_command,
                commands.serve, commands.check, reports.inspect, reports.reports, reports.remove,
                opensearch.opensearch, opensearch.push, targets.targets):
    cli.add_command(command)


def main():  # pragma: no cover - console entry point
    cli()
