"""``liaison maintenance``: the jobs an operator schedules (cron, a systemd timer)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.api.cli import _settings, data_dir_option, database_option
from liaison.api.cli_run import run_in_transaction
from liaison.db.recognition import lapse_and_audit
from liaison.db.retention import Pruned, prune


@click.group()
def maintenance() -> None:
    """Jobs to run on a schedule."""


@maintenance.command("prune")
@database_option
@data_dir_option
@click.option(
    "--record-changes-older-than",
    "older_than",
    type=click.IntRange(60),
    default=None,
    help="Seconds (default LIAISON_RECORD_CHANGE_RETENTION, 86400).",
)
def prune_command(database_url: str | None, data_dir: Path | None, older_than: int | None) -> None:
    """Forget bookkeeping whose use has passed: changes older than the retention (how far
    back a subscription can resume), revocations of expired tokens, ended sign-ins. The
    audit chain is never pruned (archive it with 'liaison audit archive')."""
    settings = _settings(database_url, data_dir)
    retention = dt.timedelta(seconds=older_than or settings.record_change_retention_seconds)

    async def work(session: AsyncSession) -> Pruned:
        return await prune(session, now=dt.datetime.now(dt.UTC), change_retention=retention)

    pruned = run_in_transaction(settings.database_url, work)
    click.echo(
        f"pruned {pruned.record_changes} change(s) older than {retention}, "
        f"{pruned.revocations} expired revocation(s), {pruned.sign_ins} ended sign-in(s)"
    )


@maintenance.command("lapse-recognitions")
@database_option
@data_dir_option
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day to judge by (default: today).",
)
def lapse_recognitions_command(
    database_url: str | None, data_dir: Path | None, today: dt.datetime | None
) -> None:
    """Lapse the recognitions whose recognised result has ended (a certificate or rating
    past its validity, a downgrade), with one audit event; the server also does this
    hourly."""
    settings = _settings(database_url, data_dir)
    day = today.date() if today is not None else dt.date.today()

    async def work(session: AsyncSession) -> list[int]:
        return await lapse_and_audit(session, day)

    lapsed = run_in_transaction(settings.database_url, work)
    listed = ", ".join(map(str, lapsed)) if lapsed else "none"
    click.echo(f"lapsed {len(lapsed)} recognition(s) as of {day.isoformat()}: {listed}")
