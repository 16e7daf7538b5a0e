"""Group commit: queries' events appended together (one reservation of the head, one
transaction) form the same verified chain as events appended one by one; the writer
answers each append only once its event has committed, and one bad event fails alone.
And the writers' lock that serialises mutations is apart from the chain's head."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from typing import Any, cast

from audit_support import audit_entry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from faults import audit_storage_unwritable
from liaison.db.audit import AuditEntry, append_events, hold_writes, verify_chain
from liaison.db.audit_models import AuditEvent
from liaison.db.audit_writer import AuditWriter
from world import World

Sessions = async_sessionmaker[AsyncSession]
# Request ids of this run: the chain keeps every earlier run's events.
RUN = uuid.uuid4().hex[:12]


def entry(request_id: str, outcome: str = "ok") -> AuditEntry:
    return audit_entry(f"{RUN}-{request_id}", outcome=outcome)


async def chain_intact(sessions: Sessions) -> bool:
    async with sessions() as session:
        return await verify_chain(session) is None


async def stored(sessions: Sessions, prefix: str) -> list[AuditEvent]:
    async with sessions() as session:
        found = await session.scalars(
            select(AuditEvent)
            .where(AuditEvent.request_id.like(f"{RUN}-{prefix}%"))
            .order_by(AuditEvent.seq)
        )
        return list(found)


def labels(events: list[AuditEvent]) -> list[str]:
    return [e.request_id.removeprefix(f"{RUN}-") for e in events]


class CountingSessions:
    """The sessions a writer opens, counted: one per batch it writes."""

    def __init__(self, sessions: Sessions) -> None:
        self.sessions, self.opened = sessions, 0

    def __call__(self) -> AsyncSession:
        self.opened += 1
        return self.sessions()


async def test_events_appended_together_are_chained_in_the_order_given(
    sessions: Sessions, world: World
) -> None:
    async with sessions() as session, session.begin():
        seqs = await append_events(session, [entry(f"together-{n}") for n in range(5)])

    events = await stored(sessions, "together-")
    assert [e.seq for e in events] == seqs == list(range(seqs[0], seqs[0] + 5))
    assert labels(events) == [f"together-{n}" for n in range(5)]
    for previous, event in itertools.pairwise(events):
        assert event.prev_hash == previous.hash
        assert event.occurred_at >= previous.occurred_at
    assert await chain_intact(sessions)


async def test_the_writer_commits_concurrent_appends_as_one_batch_before_it_answers(
    sessions: Sessions, world: World
) -> None:
    counting = CountingSessions(sessions)
    writer = AuditWriter(cast("Sessions", counting))

    seqs = await asyncio.gather(*(writer.append(entry(f"batched-{n}")) for n in range(20)))

    # Every append was queued before the writer's first turn: one transaction for all.
    assert counting.opened == 1
    events = await stored(sessions, "batched-")
    assert sorted(seqs) == [e.seq for e in events]
    assert sorted(labels(events)) == sorted(f"batched-{n}" for n in range(20))
    assert await chain_intact(sessions)


async def test_a_bad_event_fails_alone_and_the_others_of_its_batch_commit(
    sessions: Sessions, world: World
) -> None:
    writer = AuditWriter(sessions)

    answers: list[Any] = await asyncio.gather(
        writer.append(entry("alone-0")),
        writer.append(entry("alone-bad", outcome="no such outcome")),
        writer.append(entry("alone-2")),
        return_exceptions=True,
    )

    assert isinstance(answers[1], ValueError)
    assert all(isinstance(a, int) for a in (answers[0], answers[2]))
    assert labels(await stored(sessions, "alone-")) == ["alone-0", "alone-2"]
    assert await chain_intact(sessions)


async def test_when_the_audit_cannot_be_written_every_waiting_append_fails(
    sessions: Sessions, world: World
) -> None:
    writer = AuditWriter(sessions)

    async with audit_storage_unwritable(sessions):
        answers = await asyncio.gather(
            *(writer.append(entry(f"unwritable-{n}")) for n in range(4)),
            return_exceptions=True,
        )

    assert all(isinstance(a, Exception) for a in answers)
    assert await stored(sessions, "unwritable-") == []
    assert await chain_intact(sessions)
    # And the writer is not left broken: the next append commits.
    assert isinstance(await writer.append(entry("unwritable-after")), int)


async def test_a_writer_waits_for_the_writers_lock_until_its_holder_commits(
    sessions: Sessions, world: World
) -> None:
    async with sessions() as holder:
        await hold_writes(holder)

        async def second() -> None:
            async with sessions() as session, session.begin():
                await hold_writes(session)

        waiting = asyncio.create_task(second())
        await asyncio.sleep(0.3)
        assert not waiting.done()
        await holder.commit()
        await asyncio.wait_for(waiting, 5)


async def test_on_postgresql_a_held_writers_lock_leaves_queries_events_free_to_commit(
    sessions: Sessions, world: World
) -> None:
    """Mutations take the chain's head only when their event is written, so queries'
    events are not held up by a mutation's whole run. On SQLite one write lock covers
    the database: there the events wait for the holder's commit instead."""
    async with sessions() as holder:
        await hold_writes(holder)
        postgresql = holder.bind.dialect.name == "postgresql"
        appended = asyncio.create_task(AuditWriter(sessions).append(entry("beside-a-mutation")))
        if postgresql:
            await asyncio.wait_for(appended, 5)
        else:
            await asyncio.sleep(0.3)
            assert not appended.done()
        await holder.commit()
        await asyncio.wait_for(appended, 5)
    assert labels(await stored(sessions, "beside-")) == ["beside-a-mutation"]
