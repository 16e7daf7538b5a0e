"""The record budget across server processes: on PostgreSQL every process charges the
shared budget and sees what the others spent; on SQLite (one process by design) each
budget is its own."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.permissions.principal import Principal, Role
from liaison.schema.rate_limit import RecordBudget
from scratch_databases import on_postgresql

Sessions = async_sessionmaker[AsyncSession]


def principal() -> Principal:
    return Principal(
        subject=f"budget-{uuid.uuid4().hex[:8]}",
        department="emergency",
        roles=frozenset({Role.READER}),
        client_id="tests",
        token_id=uuid.uuid4().hex,
        expires_at=2**40,
    )


async def sync(budget: RecordBudget, sessions: Sessions) -> None:
    async with sessions() as session, session.begin():
        await budget.sync(session)


async def test_a_principal_gets_one_budget_however_many_processes_it_calls(
    sessions: Sessions,
) -> None:
    first, second = RecordBudget(60), RecordBudget(60)  # two processes, one database
    caller = principal()
    assert second.retry_after(caller) == 0

    first.charge(caller, 50)
    second.charge(caller, 20)
    if not on_postgresql():
        # One process per SQLite database: nothing to share, each budget is its own.
        assert (first.retry_after(caller), second.retry_after(caller)) == (0, 0)
        return
    await sync(first, sessions)
    await sync(second, sessions)

    # 60 - 50 - 20 = -10: refused by the second process now; the first decides from what
    # it knew at its last sync until its next one (at most one interval later).
    assert second.retry_after(caller) >= 1
    assert first.retry_after(caller) == 0
    await sync(first, sessions)
    assert first.retry_after(caller) >= 1


async def test_spending_between_syncs_is_kept_and_charged_at_the_next(sessions: Sessions) -> None:
    if not on_postgresql():
        # On SQLite the budget is never synced: spending simply stays in memory.
        budget = RecordBudget(60)
        caller = principal()
        budget.charge(caller, 61)
        assert budget.retry_after(caller) >= 1
        return
    budget, other = RecordBudget(60), RecordBudget(60)
    caller = principal()
    budget.charge(caller, 30)
    await sync(budget, sessions)
    budget.charge(caller, 25)  # not yet synced

    other.retry_after(caller)
    await sync(other, sessions)
    assert other.retry_after(caller) == 0  # 60 - 30, the 25 not yet known there

    await sync(budget, sessions)
    await sync(other, sessions)
    other.charge(caller, 10)
    assert other.retry_after(caller) >= 1  # 60 - 30 - 25 - 10 < 0


async def test_a_process_that_first_sees_a_principal_starts_from_the_shared_budget(
    sessions: Sessions,
) -> None:
    spender, newcomer = RecordBudget(60), RecordBudget(60)
    newcomer.shared = on_postgresql()  # as share_continuously sets it on PostgreSQL
    caller = principal()
    spender.charge(caller, 70)
    if on_postgresql():
        await sync(spender, sessions)

    await newcomer.learn(caller, sessions)

    if on_postgresql():
        assert newcomer.retry_after(caller) >= 1  # not a fresh minute's worth
    else:
        assert newcomer.retry_after(caller) == 0  # nothing shared on SQLite
