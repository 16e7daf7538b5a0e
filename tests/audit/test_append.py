"""An appended event is stored exactly as it was hashed, whatever its size, on every
database (on PostgreSQL it is written by one statement, on SQLite by one per table)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.db.audit import (
    AuditEntry,
    DisclosedKeys,
    Disclosure,
    append_event,
    event_hash,
    load_events,
    verify_chain,
)
from liaison.db.audit_models import AuditEvent
from world import World

Sessions = async_sessionmaker[AsyncSession]


def entry(request_id: str, **changes: object) -> AuditEntry:
    fields: dict[str, object] = {
        "request_id": request_id,
        "principal_subject": '王建国 "quoted" \t tab',
        "principal_department": "emergency",
        "principal_client": "tests",
        "operation_type": "query",
        "operation_name": None,
        "document_sha256": "0" * 64,
        "variables_sha256": "1" * 64,
        "purpose": "emergency_response",
        "case_reference": "应急-2026/0042",
        "outcome": "partial",
        "disclosures": (),
        "disclosed": (),
    }
    fields.update(changes)
    return AuditEntry(**fields)  # type: ignore[arg-type]


DISCLOSURES = (
    Disclosure(
        "customs", "dangerous_chemical_entry", "cas_number", "full", 2, "granted", 7, "m", 3
    ),
    Disclosure(
        "customs", "dangerous_chemical_entry", "quantity", "masked", 2, "granted", 7, "m", 3
    ),
    Disclosure("market", "enterprise", "zone", "none", 1, "no agreement grants it"),
)
DISCLOSED = (
    DisclosedKeys.of("market", "enterprise", [3]),
    DisclosedKeys.of("customs", "dangerous_chemical_entry", [12, 7, 7]),
)


@pytest.mark.parametrize(
    ("disclosures", "disclosed"),
    [((), ()), (DISCLOSURES, ()), (DISCLOSURES, DISCLOSED), (DISCLOSURES * 40, DISCLOSED)],
    ids=["bare", "disclosures only", "both", "120 disclosures"],
)
async def test_an_appended_event_reads_back_as_it_was_hashed(
    sessions: Sessions,
    world: World,
    disclosures: tuple[Disclosure, ...],
    disclosed: tuple[DisclosedKeys, ...],
) -> None:
    appended = entry(
        f"append-{len(disclosures)}-{len(disclosed)}", disclosures=disclosures, disclosed=disclosed
    )
    async with sessions() as session, session.begin():
        seq = await append_event(session, appended)

    async with sessions() as session:
        stored = await session.get_one(AuditEvent, seq)
        [event] = await load_events(session, [stored], index=False)
        broken = await verify_chain(session)

    assert event.entry.disclosures == disclosures
    assert set(event.entry.disclosed) == set(disclosed)
    assert event_hash(event.seq, event.occurred_at, event.prev_hash, event.entry) == event.hash
    assert broken is None


async def test_a_value_longer_than_its_column_is_never_stored_shortened(
    sessions: Sessions, world: World
) -> None:
    # PostgreSQL enforces VARCHAR(200) and refuses the append (the one-statement append
    # casts to TEXT, never to VARCHAR(n), which would truncate); SQLite does not enforce
    # lengths and stores the value whole. Either way the chain verifies.
    too_long = entry("append-too-long", operation_name="x" * 201)
    async with sessions() as session:
        postgresql = session.bind is not None and session.bind.dialect.name == "postgresql"

    if postgresql:
        with pytest.raises(DBAPIError):
            async with sessions() as session, session.begin():
                await append_event(session, too_long)
    else:
        async with sessions() as session, session.begin():
            await append_event(session, too_long)

    async with sessions() as session:
        stored = await session.scalar(
            select(AuditEvent.operation_name).where(AuditEvent.request_id == "append-too-long")
        )
        broken = await verify_chain(session)
    assert stored == (None if postgresql else "x" * 201)
    assert broken is None
