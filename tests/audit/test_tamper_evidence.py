"""Append-only in the database, tamper-evident by hash chain: an UPDATE or DELETE of an
audit row is refused; an edit made by someone who bypasses that (as a database owner can)
is caught by ``liaison audit verify``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import httpx
import pytest
from audit_support import CHEMICALS_TO_EMERGENCY, ask, new_request_id, run_cli
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from audit_events import events_for
from liaison.api.keys import SigningKeys
from liaison.db.audit import event_hash
from world import USCC_CHEMICAL, World, grant, token

Sessions = async_sessionmaker[AsyncSession]

ENTRIES = """
query($uscc: String!) {
  enterprise(uscc: $uscc) { dangerousChemicalEntries { casNumber quantity } }
}"""


async def _audited_read(http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions) -> int:
    async with sessions() as session, session.begin():
        await grant(session, CHEMICALS_TO_EMERGENCY)
    request_id = new_request_id("tamper")
    await ask(
        http,
        ENTRIES,
        bearer=token(keys, "emergency"),
        variables={"uscc": USCC_CHEMICAL},
        purpose="joint_inspection",
        request_id=request_id,
    )
    [event] = await events_for(sessions, request_id)
    return event.seq


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET purpose = 'none of your business' WHERE seq = :seq",
        "DELETE FROM audit_event WHERE seq = :seq",
        "UPDATE audit_disclosure SET level = 'none' WHERE event_seq = :seq",
        "DELETE FROM audit_disclosure WHERE event_seq = :seq",
        "UPDATE audit_enterprise SET enterprise_uscc = 'X' WHERE event_seq = :seq",
        "DELETE FROM audit_enterprise WHERE event_seq = :seq",
        # The index is written once, by the indexer, ahead of its watermark: a row added
        # afterwards to an indexed event (here, an invented enterprise) is refused.
        "INSERT INTO audit_enterprise (enterprise_uscc, event_seq, provider, record_type) "
        "VALUES ('91310000000000000X', :seq, 'customs', 'dangerous_chemical_entry')",
        "UPDATE audit_disclosed SET record_ids = '1' WHERE event_seq = :seq",
        "DELETE FROM audit_disclosed WHERE event_seq = :seq",
        "DELETE FROM audit_head WHERE seq >= :seq",
    ],
)
async def test_the_database_refuses_to_update_or_delete_audit_rows(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    statement: str,
) -> None:
    seq = await _audited_read(http, keys, sessions)

    with pytest.raises(DBAPIError, match="append-only"):
        async with sessions() as session, session.begin():
            await session.execute(text(statement), {"seq": seq})

    [event] = await events_for(sessions, (await _request_id(sessions, seq)))
    assert event.entry.purpose == "joint_inspection"
    assert len(event.entry.disclosures) == 2
    assert len(event.entry.records) == 1


async def _request_id(sessions: Sessions, seq: int) -> str:
    async with sessions() as session:
        found = await session.scalar(
            text("SELECT request_id FROM audit_event WHERE seq = :seq"), {"seq": seq}
        )
    assert isinstance(found, str)
    return found


@asynccontextmanager
async def append_only_bypassed(session: AsyncSession, table: str) -> AsyncIterator[None]:
    """What an attacker with the database owner's rights does: switch the guard off, edit,
    switch it back on, all in one transaction so nobody sees the gap."""
    if session.bind.dialect.name == "postgresql":
        await session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only"))
        yield
        await session.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only"))
        return
    name = f"{table}_no_update"
    definition = await session.scalar(
        text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
        {"name": name},
    )
    await session.execute(text(f"DROP TRIGGER {name}"))
    yield
    await session.execute(text(definition))


@pytest.mark.parametrize(
    ("table", "edit", "undo"),
    [
        (
            "audit_event",
            "UPDATE audit_event SET case_reference = 'covered up' WHERE seq = :seq",
            "UPDATE audit_event SET case_reference = NULL WHERE seq = :seq",
        ),
        (
            "audit_disclosure",
            "UPDATE audit_disclosure SET agreement_code = 'forged' "
            "WHERE event_seq = :seq AND level = 'full'",
            "UPDATE audit_disclosure SET agreement_code = 'test-agreement' "
            "WHERE event_seq = :seq AND level = 'full'",
        ),
        (
            "audit_disclosed",
            "UPDATE audit_disclosed SET record_ids = '0' || record_ids WHERE event_seq = :seq",
            "UPDATE audit_disclosed SET record_ids = substr(record_ids, 2) WHERE event_seq = :seq",
        ),
    ],
    ids=["event column", "disclosure row", "disclosed record keys"],
)
async def test_audit_verify_reports_an_event_edited_behind_the_servers_back(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    database_url: str,
    table: str,
    edit: str,
    undo: str,
) -> None:
    seq = await _audited_read(http, keys, sessions)
    intact = await run_cli("audit", "verify", "--database-url", database_url)
    assert intact.exit_code == 0, intact.output
    assert intact.stdout.startswith("audit chain intact: ")

    async with sessions() as session, session.begin(), append_only_bypassed(session, table):
        await session.execute(text(edit), {"seq": seq})
    try:
        tampered = await run_cli("audit", "verify", "--database-url", database_url)
    finally:
        async with sessions() as session, session.begin(), append_only_bypassed(session, table):
            await session.execute(text(undo), {"seq": seq})

    assert tampered.exit_code == 1
    assert tampered.stdout.startswith(f"audit chain BROKEN at event {seq}: stored hash")
    restored = await run_cli("audit", "verify", "--database-url", database_url)
    assert restored.exit_code == 0, restored.output


async def test_an_edited_event_given_a_fresh_hash_is_caught_at_the_next_link(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    database_url: str,
) -> None:
    seq = await _audited_read(http, keys, sessions)
    await _audited_read(http, keys, sessions)
    [original] = await events_for(sessions, await _request_id(sessions, seq))
    forged = replace(original.entry, purpose="routine_statistics")
    forged_hash = event_hash(seq, original.occurred_at, original.prev_hash, forged)
    rewrite = "UPDATE audit_event SET purpose = :purpose, hash = :hash WHERE seq = :seq"

    async with sessions() as session, session.begin(), append_only_bypassed(session, "audit_event"):
        await session.execute(
            text(rewrite), {"purpose": forged.purpose, "hash": forged_hash, "seq": seq}
        )
    try:
        tampered = await run_cli("audit", "verify", "--database-url", database_url)
    finally:
        async with (
            sessions() as session,
            session.begin(),
            append_only_bypassed(session, "audit_event"),
        ):
            await session.execute(
                text(rewrite),
                {"purpose": original.entry.purpose, "hash": original.hash, "seq": seq},
            )

    assert tampered.exit_code == 1
    assert tampered.stdout.startswith(
        f"audit chain BROKEN at event {seq + 1}: prev_hash does not match"
    )
    restored = await run_cli("audit", "verify", "--database-url", database_url)
    assert restored.exit_code == 0, restored.output
