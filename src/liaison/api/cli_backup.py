"""``liaison backup`` and ``liaison restore``: a whole database, with its audit chain."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click

from liaison.api.cli import _settings, data_dir_option, database_option
from liaison.db.backup import BackupError, backup, manifest_path, restore


@click.command("backup")
@database_option
@data_dir_option
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The backup file (SQLite: a database file; PostgreSQL: a pg_dump custom-format "
    "archive); its manifest is written beside it as <file>.manifest.json.",
)
def backup_command(database_url: str | None, data_dir: Path | None, output: Path) -> None:
    """Back the database up while it serves: one consistent snapshot, audit chain included."""
    settings = _settings(database_url, data_dir)
    try:
        manifest = asyncio.run(backup(settings.database_url, output))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"backed up to {output} ({manifest.dialect}, revision {manifest.revision}, audit chain "
        f"of {manifest.audit_events} event(s) ending {manifest.audit_head_hash}); manifest "
        f"{manifest_path(output)}"
    )


@click.command("restore")
@database_option
@data_dir_option
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(database_url: str | None, data_dir: Path | None, backup_file: Path) -> None:
    """Restore a backup into the database (stop its servers first). Refused onto a database
    whose audit chain is ahead of the backup's; the restored chain is verified. Exit 1 if
    the restored chain does not verify."""
    settings = _settings(database_url, data_dir)
    try:
        restored = asyncio.run(restore(settings.database_url, backup_file))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    manifest = restored.manifest
    click.echo(
        f"restored {backup_file} into {settings.database_url} (revision {manifest.revision}, "
        f"audit chain of {manifest.audit_events} event(s))"
    )
    if restored.broken is not None:
        click.echo(f"audit chain BROKEN at event {restored.broken.seq}: {restored.broken.reason}")
        sys.exit(1)
    click.echo(
        f"audit chain intact: {manifest.audit_events} event(s), head {manifest.audit_head_hash}"
    )
