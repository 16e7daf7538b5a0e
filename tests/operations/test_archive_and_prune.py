"""``liaison audit archive`` / ``verify-archive`` and ``liaison maintenance prune``: an
archive verifies on its own and against its database, and says where it was altered; prune
forgets old changes and keeps the audit chain whole."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, insert, select
from test_backup import append

from liaison.api.cli import main
from liaison.db import models
from liaison.db.audit import verify_chain
from liaison.db.audit_models import AuditEvent
from liaison.db.engine import create_engine, session_factory
from scratch_databases import scratch_database

FAR_FUTURE = "2999-01-01"


async def cli(*args: str) -> Result:
    return await asyncio.to_thread(CliRunner().invoke, main, list(args))


async def test_an_archive_verifies_on_its_own_and_against_its_database(tmp_path: Path) -> None:
    archive = tmp_path / "2026.jsonl"
    async with scratch_database(tmp_path, "archive") as database:
        await append(database, 4, "archived")
        made = await cli(
            "audit",
            "archive",
            "--database-url",
            database,
            "--until",
            FAR_FUTURE,
            "--output",
            str(archive),
        )
        alone = await cli("audit", "verify-archive", str(archive))
        against = await cli("audit", "verify-archive", str(archive), "--database-url", database)
        events = await _count(database)

    assert made.exit_code == 0, made.output
    assert "archived 4 event(s) (1..4)" in made.output
    assert alone.exit_code == 0, alone.output
    assert alone.output.startswith("audit archive intact: 4 event(s) (1..4), last hash ")
    assert against.exit_code == 0, against.output
    assert "held by the database's chain" in against.output
    assert events == 4  # archiving deletes nothing
    manifest = json.loads((tmp_path / "2026.jsonl.manifest.json").read_text())
    assert (manifest["events"], manifest["first_seq"], manifest["last_seq"]) == (4, 1, 4)
    assert manifest["first_prev_hash"] == "0" * 64


@pytest.mark.parametrize(
    ("alter", "says"),
    [
        (
            lambda lines: lines[:1] + lines[2:],
            "audit archive BROKEN at event 3: event 2 is missing",
        ),
        (
            lambda lines: [lines[0].replace('"joint_inspection"', '"covered up"'), *lines[1:]],
            "audit archive BROKEN at event 1: hash does not match the event's contents",
        ),
        (lambda lines: lines[:-1], "audit archive does not match its manifest"),
    ],
    ids=["event-removed", "event-edited", "tail-cut"],
)
async def test_an_altered_archive_is_reported_where_it_was_altered(
    tmp_path: Path, alter: object, says: str
) -> None:
    archive = tmp_path / "altered.jsonl"
    async with scratch_database(tmp_path, "altered") as database:
        await append(database, 3, "altered")
        await cli(
            "audit",
            "archive",
            "--database-url",
            database,
            "--until",
            FAR_FUTURE,
            "--output",
            str(archive),
        )
    lines = archive.read_text().splitlines(keepends=True)
    archive.write_text("".join(alter(lines)))  # type: ignore[operator]

    result = await cli("audit", "verify-archive", str(archive))

    assert result.exit_code == 1
    assert result.output.startswith(says), result.output


async def test_an_archive_of_another_chain_does_not_match_the_database(tmp_path: Path) -> None:
    archive = tmp_path / "theirs.jsonl"
    async with (
        scratch_database(tmp_path, "theirs") as theirs,
        scratch_database(tmp_path, "ours") as ours,
    ):
        await append(theirs, 2, "theirs")
        await append(ours, 2, "ours")
        await cli(
            "audit",
            "archive",
            "--database-url",
            theirs,
            "--until",
            FAR_FUTURE,
            "--output",
            str(archive),
        )
        result = await cli("audit", "verify-archive", str(archive), "--database-url", ours)

    assert result.exit_code == 1
    assert "audit archive does not match the database: the database's event differs" in (
        result.output
    )


async def test_prune_forgets_old_changes_keeps_the_newest_and_leaves_the_chain_whole(
    tmp_path: Path,
) -> None:
    now = dt.datetime.now(dt.UTC)
    async with scratch_database(tmp_path, "prune") as database:
        await append(database, 2, "chained")
        engine = create_engine(database)
        try:
            async with session_factory(engine)() as session, session.begin():
                await session.execute(
                    insert(models.RecordChange),
                    [
                        {"record_type": "risk", "record_id": n, "changed_at": at}
                        for n, at in enumerate(
                            [now - dt.timedelta(days=3), now - dt.timedelta(days=2), now]
                        )
                    ],
                )
            result = await cli(
                "maintenance",
                "prune",
                "--database-url",
                database,
                "--record-changes-older-than",
                "86400",
            )
            async with session_factory(engine)() as session:
                kept = list(await session.scalars(select(models.RecordChange.record_id)))
                events = await session.scalar(select(func.count()).select_from(AuditEvent))
                broken = await verify_chain(session)
        finally:
            await engine.dispose()

    assert result.exit_code == 0, result.output
    assert result.output.startswith("pruned 2 change(s) older than 1 day, 0:00:00")
    assert kept == [2]
    assert (events, broken) == (2, None)


async def _count(url: str) -> int:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            return int(await session.scalar(select(func.count()).select_from(AuditEvent)) or 0)
    finally:
        await engine.dispose()
