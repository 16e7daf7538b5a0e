"""``liaison audit``: verify the hash chain (and the index derived from it), export it as
JSON Lines for archiving, rebuild the index."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click
import orjson

from liaison.api.cli import _settings, data_dir_option, database_option

if TYPE_CHECKING:
    from liaison.db.audit import BrokenLink


@click.group()
def audit() -> None:
    """The audit trail of cross-department access."""


@audit.command()
@database_option
@data_dir_option
def verify(database_url: str | None, data_dir: Path | None) -> None:
    """Walk the hash chain, then check the per-enterprise index against it; print the first
    broken link and exit 1, or the count and 0."""
    settings = _settings(database_url, data_dir)
    report = asyncio.run(_verify(settings.database_url))
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if report.broken is not None:
        click.echo(f"audit chain BROKEN at event {report.broken.seq}: {report.broken.reason}")
        raise SystemExit(1)
    if report.index_broken is not None:
        click.echo(
            f"audit index BROKEN at event {report.index_broken.seq}: "
            f"{report.index_broken.reason} (the chain is intact; rebuild the index with "
            "'liaison audit reindex')"
        )
        raise SystemExit(1)
    click.echo(f"audit chain intact: {report.events} event(s), head {report.head_hash}")


@dataclass
class _Report:
    broken: BrokenLink | None = None
    index_broken: BrokenLink | None = None
    events: int = 0
    head_hash: str = ""
    warnings: list[str] = field(default_factory=list)


async def _verify(url: str) -> _Report:
    from liaison.db.audit import synchronous_commit_off, verify_chain
    from liaison.db.audit_log import verify_index
    from liaison.db.audit_models import AuditHead
    from liaison.db.engine import create_engine, session_factory

    report = _Report()
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            if await synchronous_commit_off(session):
                report.warnings.append(
                    "PostgreSQL synchronous_commit is not on: an audit event acknowledged "
                    "before a crash may be lost. Set synchronous_commit = on."
                )
            report.broken = await verify_chain(session)
            if report.broken is None:
                index = await verify_index(session)
                report.index_broken = index.broken
                if index.unverifiable:
                    report.warnings.append(
                        f"{index.unverifiable} audit index row(s), the first of event "
                        f"{index.first_unverifiable}, name records the record tables no longer "
                        "hold: their enterprises cannot be derived again (the chained keys "
                        "are intact)"
                    )
            head = await session.get_one(AuditHead, 1, populate_existing=True)
            report.events, report.head_hash = head.seq, head.last_hash
    finally:
        await engine.dispose()
    return report


def _moment(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use ISO 8601, e.g. 2026-03-01 or 2026-03-01T08:00:00Z") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


@audit.command()
@database_option
@data_dir_option
@click.option("--since", callback=_moment, help="From this time (inclusive; UTC unless given).")
@click.option("--until", callback=_moment, help="Up to this time (exclusive; UTC unless given).")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
def export(
    database_url: str | None,
    data_dir: Path | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    output: Path | None,
) -> None:
    """Write the events of a period as JSON Lines, in chain order: each line is an event's
    canonical body plus its hash, so an archive can be re-verified on its own."""
    settings = _settings(database_url, data_dir)
    if output is None:
        count = asyncio.run(_export(settings.database_url, since, until, sys.stdout.buffer))
    else:
        with output.open("wb") as sink:
            count = asyncio.run(_export(settings.database_url, since, until, sink))
    click.echo(f"exported {count} event(s)", err=True)


async def _export(
    url: str, since: dt.datetime | None, until: dt.datetime | None, sink: IO[bytes]
) -> int:
    from liaison.db.audit_log import export_events
    from liaison.db.engine import create_engine, session_factory

    count = 0
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            async for line in export_events(session, since, until):
                sink.write(orjson.dumps(line, option=orjson.OPT_SORT_KEYS) + b"\n")
                count += 1
    finally:
        await engine.dispose()
    sink.flush()
    return count


@audit.command()
@database_option
@data_dir_option
def reindex(database_url: str | None, data_dir: Path | None) -> None:
    """Rebuild the per-record index (who read which enterprise's records) from the chain."""
    settings = _settings(database_url, data_dir)
    watermark = asyncio.run(_reindex(settings.database_url))
    click.echo(f"audit index rebuilt up to event {watermark}")


async def _reindex(url: str) -> int:
    from liaison.db.audit_log import rebuild_index
    from liaison.db.engine import create_engine, session_factory

    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session, session.begin():
            return await rebuild_index(session)
    finally:
        await engine.dispose()


@audit.command()
@database_option
@data_dir_option
@click.option("--since", callback=_moment, help="From this time (inclusive; UTC unless given).")
@click.option(
    "--until",
    callback=_moment,
    required=True,
    help="Up to this time (exclusive; UTC unless given).",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The archive file; its manifest is written beside it as <file>.manifest.json.",
)
def archive(
    database_url: str | None,
    data_dir: Path | None,
    since: dt.datetime | None,
    until: dt.datetime,
    output: Path,
) -> None:
    """Copy a period of the chain to an archive with a manifest that anchors it (the
    file's SHA-256, its first and last events and their links). Nothing is deleted: the
    chain is never pruned."""
    from liaison.db.audit_archive import Manifest, write_archive

    settings = _settings(database_url, data_dir)

    async def run() -> Manifest:
        from liaison.db.engine import create_engine, session_factory

        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine)() as session:
                with output.open("wb") as sink:
                    return await write_archive(session, since, until, sink)
        finally:
            await engine.dispose()

    manifest = asyncio.run(run())
    _manifest_path(output).write_bytes(manifest.as_json() + b"\n")
    click.echo(
        f"archived {manifest.events} event(s) ({manifest.first_seq}..{manifest.last_seq}) to "
        f"{output}; manifest {_manifest_path(output)}"
    )


def _manifest_path(archive_file: Path) -> Path:
    return archive_file.with_name(archive_file.name + ".manifest.json")


@audit.command("verify-archive")
@click.argument("archive_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--database-url",
    envvar="LIAISON_DATABASE_URL",
    default=None,
    help="Also check that this database's chain holds the archive's events as archived.",
)
def verify_archive(archive_file: Path, database_url: str | None) -> None:
    """Verify an archive on its own (every event re-hashed, every link followed, the
    manifest's anchors), and against a database's chain when one is given. Exit 1 if not."""
    from liaison.db.audit_archive import Manifest, check_against, check_archive

    try:
        manifest = Manifest.parse(_manifest_path(archive_file).read_bytes())
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"cannot read the manifest: {exc}") from None
    check = check_archive(archive_file.read_bytes(), manifest)
    if check.broken is not None:
        click.echo(f"audit archive BROKEN at event {check.broken.seq}: {check.broken.reason}")
        sys.exit(1)
    if check.problem is not None:
        click.echo(f"audit archive does not match its manifest: {check.problem}")
        sys.exit(1)
    if database_url is not None:

        async def against() -> str | None:
            from liaison.db.engine import create_engine, session_factory

            engine = create_engine(database_url)
            try:
                async with session_factory(engine)() as session:
                    return await check_against(session, manifest)
            finally:
                await engine.dispose()

        problem = asyncio.run(against())
        if problem is not None:
            click.echo(f"audit archive does not match the database: {problem}")
            sys.exit(1)
    where = " and held by the database's chain" if database_url else ""
    click.echo(
        f"audit archive intact: {check.events} event(s) ({manifest.first_seq}.."
        f"{manifest.last_seq}), last hash {manifest.last_hash}{where}"
    )
