"""``liaison backup`` and ``liaison restore`` on both databases: the restored database holds
the same chain and it verifies; a restore that would rewind a chain is refused."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from liaison.api.cli import main
from liaison.db.audit import AuditEntry, Disclosure, append_event
from liaison.db.backup import chain_state
from liaison.db.engine import create_engine, session_factory
from scratch_databases import scratch_database


def entry(request_id: str) -> AuditEntry:
    return AuditEntry(
        request_id=request_id,
        principal_subject="emergency-tester",
        principal_department="emergency",
        principal_client="tests",
        operation_type="query",
        operation_name=None,
        document_sha256="0" * 64,
        variables_sha256="0" * 64,
        purpose="joint_inspection",
        case_reference=None,
        outcome="ok",
        disclosures=(
            Disclosure("customs", "dangerous_chemical_entry", "cas_number", "full", 1, "memo"),
        ),
    )


async def append(url: str, count: int, label: str) -> None:
    engine = create_engine(url)
    try:
        for n in range(count):
            async with session_factory(engine)() as session, session.begin():
                await append_event(session, entry(f"{label}-{n}"))
    finally:
        await engine.dispose()


async def cli(*args: str) -> Result:
    return await asyncio.to_thread(CliRunner().invoke, main, list(args))


async def test_a_backup_restored_into_an_empty_database_holds_the_same_verified_chain(
    tmp_path: Path,
) -> None:
    backup_file = tmp_path / "liaison.backup"
    async with (
        scratch_database(tmp_path, "source") as source,
        scratch_database(tmp_path, "target", migrated=False) as target,
    ):
        await append(source, 5, "before-backup")
        backed_up = await cli("backup", "--database-url", source, "--output", str(backup_file))
        await append(source, 2, "after-backup")  # not in the backup
        restored = await cli("restore", "--database-url", target, str(backup_file))
        state, source_state = await chain_state(target), await chain_state(source)

    assert backed_up.exit_code == 0, backed_up.output
    assert "audit chain of 5 event(s)" in backed_up.output
    assert restored.exit_code == 0, restored.output
    assert "audit chain intact: 5 event(s)" in restored.output
    assert state is not None
    assert source_state is not None
    assert (state.events, source_state.events) == (5, 7)  # the snapshot, not what came after
    assert (tmp_path / "liaison.backup.manifest.json").exists()


async def test_a_restore_onto_a_database_ahead_of_the_backup_is_refused(tmp_path: Path) -> None:
    backup_file = tmp_path / "older.backup"
    async with scratch_database(tmp_path, "ahead") as database:
        await append(database, 3, "kept")
        await cli("backup", "--database-url", database, "--output", str(backup_file))
        await append(database, 2, "newer")

        refused = await cli("restore", "--database-url", database, str(backup_file))
        after = await chain_state(database)

    assert refused.exit_code == 1
    assert "the database's audit chain is ahead of the backup (5 events against 3)" in (
        refused.output
    )
    assert after is not None
    assert after.events == 5  # nothing was rewound


async def test_a_restore_onto_a_chain_that_diverged_from_the_backup_is_refused(
    tmp_path: Path,
) -> None:
    backup_file = tmp_path / "one.backup"
    async with (
        scratch_database(tmp_path, "one") as one,
        scratch_database(tmp_path, "other") as other,
    ):
        await append(one, 2, "one")
        await append(other, 2, "other")  # as long, different events
        await cli("backup", "--database-url", one, "--output", str(backup_file))

        refused = await cli("restore", "--database-url", other, str(backup_file))

    assert refused.exit_code == 1
    assert "has as many events as the backup's (2) but ends elsewhere" in refused.output


async def test_a_backup_altered_after_it_was_made_is_refused(tmp_path: Path) -> None:
    backup_file = tmp_path / "altered.backup"
    async with (
        scratch_database(tmp_path, "src") as source,
        scratch_database(tmp_path, "dst", migrated=False) as target,
    ):
        await append(source, 1, "only")
        await cli("backup", "--database-url", source, "--output", str(backup_file))
        with backup_file.open("ab") as tampered:
            tampered.write(b"\0")

        refused = await cli("restore", "--database-url", target, str(backup_file))

    assert refused.exit_code == 1
    assert "is not the file its manifest describes (SHA-256)" in refused.output


async def test_a_backup_never_overwrites_a_file(tmp_path: Path) -> None:
    existing = tmp_path / "taken.backup"
    existing.write_bytes(b"keep me")
    async with scratch_database(tmp_path, "busy") as database:
        refused = await cli("backup", "--database-url", database, "--output", str(existing))

    assert refused.exit_code == 1
    assert "exists: a backup never overwrites a file" in refused.output
    assert existing.read_bytes() == b"keep me"


@pytest.mark.parametrize("events", [0, 3])
async def test_the_manifest_states_the_chain_as_of_the_snapshot(
    tmp_path: Path, events: int
) -> None:
    backup_file = tmp_path / f"chain-{events}.backup"
    async with scratch_database(tmp_path, "chain") as database:
        await append(database, events, "chain")
        result = await cli("backup", "--database-url", database, "--output", str(backup_file))

    assert result.exit_code == 0, result.output
    assert f"audit chain of {events} event(s)" in result.output
    assert (
        dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
        in (tmp_path / f"chain-{events}.backup.manifest.json").read_text()
    )
