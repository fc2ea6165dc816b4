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
