"""``liaison console assets``: fetch the console's locked third-party files (ECharts)."""

from __future__ import annotations

from pathlib import Path

import click

from liaison.api.console_assets import ASSETS_DIR_VARIABLE, AssetError, assets_dir, fetch_assets


@click.group()
def console() -> None:
    """The web console served at /console."""


@console.command()
@click.option(
    "--directory",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=ASSETS_DIR_VARIABLE,
    help="Where to keep them (default: <environment prefix>/share/liaison-console).",
)
def assets(directory: Path | None) -> None:
    """Download the console's third-party files from the npm registry, check them against
    the lock (sha512 of the tarball, sha256 of each file) and keep them for the server.
    Does nothing when they are already in place."""
    target = directory or assets_dir()
    try:
        written = fetch_assets(target)
    except AssetError as exc:
        raise click.ClickException(f"{exc}; nothing was written") from None
    if written:
        for path in written:
            click.echo(f"fetched and verified: {path}")
    else:
        click.echo(f"console assets in place: {target}")
