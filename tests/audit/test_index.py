"""The per-enterprise index (``audit_enterprise``) is derived from the chain off the
request path: an auditor's answer is complete right after a read, concurrent indexers never
write a row twice, a rebuild from the chain gives the same index, and a chain written before
0004 still verifies after 0004 and 0012."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from audit_support import CHEMICALS_TO_EMERGENCY, ask, audit_entry, new_request_id, run_cli
from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from test_tamper_evidence import append_only_bypassed

from audit_events import events_for
from liaison.api.keys import SigningKeys
from liaison.db.audit import (
    AuditEntry,
    DisclosedKeys,
    DisclosedRecord,
    Disclosure,
    append_event,
    canonical_body,
    canonical_json,
    reserve_slot,
    sha256_hex,
    verify_chain,
)
from liaison.db.audit_log import (
    AccessLogFilter,
    access_log,
    index_continuously,
    index_pending,
    verify_index,
)
from liaison.db.audit_models import (
    AuditDisclosure,
    AuditEnterprise,
    AuditEvent,
    AuditHead,
    AuditRecord,
)
from liaison.db.engine import create_engine, session_factory
from liaison.db.migrate import upgrade
from world import USCC_CHEMICAL, USCC_PAINTS, USCC_WAREHOUSE, World, grant, token

Sessions = async_sessionmaker[AsyncSession]

PAGE = "{ dangerousChemicalEntries(first: 10) { edges { node { casNumber } } } }"
ACCESS_LOG = """
query($filter: AccessLogFilter) {
  accessLog(filter: $filter) { edges { node { requestId records { recordId enterpriseUscc } } } }
}"""


async def _read(http: httpx.AsyncClient, keys: SigningKeys, label: str, case: str) -> str:
    request_id = new_request_id(label)
    _, body, _ = await ask(
        http,
        PAGE,
        bearer=token(keys, "emergency"),
        purpose="joint_inspection",
        case=case,
        request_id=request_id,
    )
    assert "errors" not in body, body
    return request_id


async def _pending_reads(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, label: str, reads: int
) -> tuple[int, int]:
    """``reads`` audited reads left for the indexer, after everything before them is
    indexed: the watermark and the head."""
    async with sessions() as session, session.begin():
        await grant(session, CHEMICALS_TO_EMERGENCY)
        await index_pending(session)
    case = f"IDX-{new_request_id('case')}"
    for n in range(reads):
        await _read(http, keys, f"{label}-{n}", case)
    indexed, head = await _watermark(sessions)
    assert head - indexed == reads
    return indexed, head


async def _watermark(sessions: Sessions) -> tuple[int, int]:
    async with sessions() as session:
        indexed = await session.scalar(text("SELECT indexed_seq FROM audit_index_head"))
        head = await session.scalar(text("SELECT seq FROM audit_head"))
    return int(indexed), int(head)


async def _index_rows(sessions: Sessions, since: int = 0) -> list[tuple[Any, ...]]:
    """(event, provider, record type, enterprise USCC) of every index row from ``since``."""
    index = AuditEnterprise
    async with sessions() as session:
        rows = await session.execute(
            select(index.event_seq, index.provider, index.record_type, index.enterprise_uscc)
            .where(index.event_seq >= since)
            .order_by(index.event_seq, index.provider, index.record_type, index.enterprise_uscc)
        )
        return [tuple(row) for row in rows]


async def test_a_read_writes_no_index_rows_and_the_next_access_log_answer_is_complete(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, CHEMICALS_TO_EMERGENCY)
        await index_pending(session)
    case = f"IDX-{new_request_id('case')}"

    request_id = await _read(http, keys, "index-read", case)

    indexed, head = await _watermark(sessions)
    assert indexed < head  # the request path left the index alone
    _, body, _ = await ask(
        http,
        ACCESS_LOG,
        bearer=token(keys, "customs", "auditor"),
        variables={"filter": {"caseReference": case, "enterpriseUscc": USCC_PAINTS}},
    )
    assert "errors" not in body, body
    [node] = [edge["node"] for edge in body["data"]["accessLog"]["edges"]]
    assert node["requestId"] == request_id
    assert sorted(r["enterpriseUscc"] for r in node["records"]) == sorted(
        [USCC_CHEMICAL, USCC_PAINTS, USCC_WAREHOUSE]
    )
    assert await _watermark(sessions) == (head, head)


async def test_concurrent_indexers_expand_each_event_once(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    indexed, head = await _pending_reads(http, keys, sessions, "concurrent", 6)

    async def indexer() -> int:
        async with sessions() as session, session.begin():
            return await index_pending(session)

    watermarks = await asyncio.gather(*(indexer() for _ in range(4)))

    assert watermarks == [head] * 4
    rows = await _index_rows(sessions, since=indexed + 1)
    # Each read shows customs' entries of the world's three enterprises: one row each.
    assert len(rows) == 6 * 3
    assert len(set(rows)) == len(rows)
    async with sessions() as session:
        assert (await verify_index(session)).broken is None


async def test_a_rebuild_from_the_chain_gives_the_same_index(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    database_url: str,
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, CHEMICALS_TO_EMERGENCY)
    case = f"IDX-{new_request_id('case')}"
    for n in range(3):
        await _read(http, keys, f"rebuild-{n}", case)
    async with sessions() as session, session.begin():
        await index_pending(session)
    before = await _index_rows(sessions)
    mine = (await _watermark(sessions))[1] - 2

    result = await run_cli("audit", "reindex", "--database-url", database_url)

    assert result.exit_code == 0, result.output
    after = await _index_rows(sessions)
    # Enterprises are derived from today's records (earlier tests' worlds were rebuilt
    # since, their records gone), so the rows of this test's own reads are compared.
    assert [row for row in after if row[0] >= mine] == [row for row in before if row[0] >= mine]
    assert len([row for row in after if row[0] >= mine]) == 3 * 3
    indexed, head = await _watermark(sessions)
    assert indexed == head
    async with sessions() as session:
        assert (await verify_index(session)).broken is None


async def test_an_index_row_forged_or_removed_behind_the_indexers_back_is_reported(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    database_url: str,
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, CHEMICALS_TO_EMERGENCY)
    request_id = await _read(http, keys, "forged-index", "IDX-forged")
    [event] = await events_for(sessions, request_id)  # indexes it
    # One enterprise's row pointed elsewhere, as someone hiding who read it would.
    edit = (
        "UPDATE audit_enterprise SET enterprise_uscc = '91310000000000000X' "
        "WHERE event_seq = :seq AND enterprise_uscc = :uscc"
    )
    undo = (
        "UPDATE audit_enterprise SET enterprise_uscc = :uscc "
        "WHERE event_seq = :seq AND enterprise_uscc = '91310000000000000X'"
    )
    bound = {"seq": event.seq, "uscc": USCC_CHEMICAL}
    async with (
        sessions() as session,
        session.begin(),
        append_only_bypassed(session, "audit_enterprise"),
    ):
        await session.execute(text(edit), bound)
    try:
        tampered = await run_cli("audit", "verify", "--database-url", database_url)
    finally:
        async with (
            sessions() as session,
            session.begin(),
            append_only_bypassed(session, "audit_enterprise"),
        ):
            await session.execute(text(undo), bound)

    assert tampered.exit_code == 1
    assert tampered.stdout.startswith(f"audit index BROKEN at event {event.seq}: ")
    restored = await run_cli("audit", "verify", "--database-url", database_url)
    assert restored.exit_code == 0, restored.output


async def test_the_access_log_answers_up_to_the_watermark_it_reached(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, CHEMICALS_TO_EMERGENCY)
    case = f"IDX-{new_request_id('case')}"
    first = await _read(http, keys, "upto", case)

    async with sessions() as session, session.begin():
        page = await access_log(
            session, AccessLogFilter(case_reference=case), visible_to=None, first=10
        )

    [event] = page.events
    assert event.entry.request_id == first
    assert len(event.entry.records) == 3
    assert event.entry.disclosed == (
        DisclosedKeys.of(
            "customs", "dangerous_chemical_entry", [r.record_id for r in event.entry.records]
        ),
    )


# A chain written before 0004 (0002's form: records with their enterprises, chained) keeps
# verifying after it, and grows in the compact form.

_LEGACY_RECORDS = (
    DisclosedRecord("customs", "dangerous_chemical_entry", 41, 7, "91310000000000007X"),
    DisclosedRecord("customs", "dangerous_chemical_entry", 42, 8, "91310000000000008X"),
)


def _entry(request_id: str, **extra: Any) -> AuditEntry:
    disclosure = Disclosure("customs", "dangerous_chemical_entry", "cas_number", "full", 2, "memo")
    return audit_entry(request_id, disclosures=(disclosure,), **extra)


async def _append_legacy(session: AsyncSession, entry: AuditEntry) -> int:
    """What 0002's append wrote: the event hashed with its records, one row per record."""
    slot = await reserve_slot(session)
    at = max(dt.datetime.now(dt.UTC), slot.not_before)
    body = canonical_body(slot.seq, at, slot.prev_hash, entry, legacy=True)
    digest = sha256_hex(canonical_json(body))
    columns = {k: v for k, v in body.items() if k not in ("disclosures", "records")}
    columns.update(occurred_at=at, hash=digest)
    await session.execute(insert(cast("Table", AuditEvent.__table__)), [columns])
    for model, rows in ((AuditDisclosure, body["disclosures"]), (AuditRecord, body["records"])):
        numbered = [{**row, "event_seq": slot.seq, "ordinal": n} for n, row in enumerate(rows)]
        if numbered:
            await session.execute(insert(cast("Table", model.__table__)), numbered)
    head = cast("Table", AuditHead.__table__)
    await session.execute(head.update().values(last_hash=digest, last_at=at))
    return slot.seq


async def test_a_chain_written_before_0004_still_verifies_and_grows_compact(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'legacy.db'}"
    await asyncio.to_thread(upgrade, url, "0003")
    engine = create_engine(url)
    try:
        sessions = session_factory(engine)
        async with sessions() as session, session.begin():
            await _append_legacy(session, _entry("legacy-1", records=_LEGACY_RECORDS))
            await _append_legacy(session, _entry("legacy-2"))
        await asyncio.to_thread(upgrade, url)
        async with sessions() as session, session.begin():
            await append_event(
                session,
                _entry(
                    "compact-3",
                    disclosed=(DisclosedKeys.of("customs", "dangerous_chemical_entry", [43]),),
                ),
            )
        async with sessions() as session, session.begin():
            assert await verify_chain(session) is None
            page = await access_log(session, AccessLogFilter(), visible_to=None, first=10)
            assert (await verify_index(session)).broken is None
            legacy_count = await session.scalar(
                select(func.count()).select_from(AuditRecord).where(AuditRecord.event_seq == 1)
            )
            legacy_index = [
                tuple(row)
                for row in await session.execute(
                    select(AuditEnterprise.event_seq, AuditEnterprise.enterprise_uscc).order_by(
                        AuditEnterprise.event_seq, AuditEnterprise.enterprise_uscc
                    )
                )
            ]
    finally:
        await engine.dispose()

    assert [e.entry.request_id for e in page.events] == ["compact-3", "legacy-2", "legacy-1"]
    assert [e.legacy for e in page.events] == [False, True, True]
    assert page.events[2].entry.records == _LEGACY_RECORDS
    # The compact event's record does not exist in this empty database: named by its key,
    # of no known enterprise (and so in no index row).
    assert [(r.record_id, r.enterprise_uscc) for r in page.events[0].entry.records] == [(43, None)]
    assert legacy_count == 2
    # 0012 indexed the legacy events by the enterprises their chained records name.
    assert legacy_index == [(1, "91310000000000007X"), (1, "91310000000000008X")]


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO audit_enterprise VALUES ('91310000000000000X', :seq, 'customs', 'risk')",
        "INSERT INTO audit_record VALUES (:seq, 999, 'customs', 'risk', 1, NULL, NULL)",
        "UPDATE audit_index_head SET indexed_seq = 0",
        "DELETE FROM audit_index_head",
    ],
)
async def test_the_index_refuses_rows_for_indexed_events_and_a_rewound_watermark(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    statement: str,
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, CHEMICALS_TO_EMERGENCY)
    request_id = await _read(http, keys, "guard", "IDX-guard")
    [event] = await events_for(sessions, request_id)

    with pytest.raises(Exception, match="append-only"):
        async with sessions() as session, session.begin():
            await session.execute(text(statement), {"seq": event.seq})


async def test_an_event_of_several_providers_and_types_is_indexed_as_the_chain_says(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    # One read of market's enterprises, customs' ratings and emergency's risks: on
    # PostgreSQL the database expands the keys, and verify_index compares that with the
    # application's own expansion, row for row.
    async with sessions() as session, session.begin():
        await grant(
            session,
            CHEMICALS_TO_EMERGENCY,
            {
                "provider": "customs",
                "consumers": ["park"],
                "record_type": "credit_rating",
                "purposes": ["joint_inspection"],
                "fields": {"grade": "full"},
            },
            {
                "provider": "market",
                "consumers": ["park"],
                "record_type": "enterprise",
                "purposes": ["joint_inspection"],
                "fields": {"zone": "full"},
            },
            {
                "provider": "emergency",
                "consumers": ["park"],
                "record_type": "risk",
                "purposes": ["joint_inspection"],
                "fields": {"level": "full"},
            },
        )
    request_id = new_request_id("several-types")
    _, body, _ = await ask(
        http,
        "{ enterprises { edges { node { zone creditRatings { grade } risks { level } } } } }",
        bearer=token(keys, "park"),
        purpose="joint_inspection",
        request_id=request_id,
    )
    assert "errors" not in body, body

    [event] = await events_for(sessions, request_id)
    assert [(r.provider, r.record_type) for r in event.entry.records] == sorted(
        [("market", "enterprise")] * 3
        + [("customs", "credit_rating")] * 3
        + [("emergency", "risk")] * 3
    )
    assert {r.enterprise_uscc for r in event.entry.records} == {
        USCC_CHEMICAL,
        USCC_PAINTS,
        USCC_WAREHOUSE,
    }
    assert sorted({(p, t, u) for _, p, t, u in await _index_rows(sessions, event.seq)}) == sorted(
        (provider, record_type, uscc)
        for provider, record_type in [
            ("customs", "credit_rating"),
            ("emergency", "risk"),
            ("market", "enterprise"),
        ]
        for uscc in (USCC_CHEMICAL, USCC_PAINTS, USCC_WAREHOUSE)
    )
    async with sessions() as session:
        assert (await verify_index(session)).broken is None


async def test_the_background_indexer_works_a_backlog_off_in_short_steps(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    indexed, head = await _pending_reads(http, keys, sessions, "steps", 5)

    async with sessions() as session, session.begin():
        first_step = await index_pending(session, most=2)
    assert first_step == indexed + 2  # one step: two events, then the lock is released

    indexer = asyncio.create_task(index_continuously(sessions, interval=60))
    try:
        async with asyncio.timeout(10):
            while (await _watermark(sessions))[0] < head:  # noqa: ASYNC110 - no event to await
                await asyncio.sleep(0.02)
    finally:
        indexer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await indexer
    async with sessions() as session:
        assert (await verify_index(session)).broken is None
