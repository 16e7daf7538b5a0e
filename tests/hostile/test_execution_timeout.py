"""An operation that runs past LIAISON_MAX_EXECUTION_SECONDS is abandoned: one TIMEOUT
error, no data, and nothing it wrote is kept."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace
from typing import Any

import pytest
from hostile_support import (
    ME,
    REGISTER,
    bearer,
    client_with,
    new_uscc,
    register_variables,
    registered,
)
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.api.config import Settings
from liaison.api.keys import SigningKeys
from liaison.db.audit import BrokenLink, verify_chain
from world import World

Sessions = async_sessionmaker[AsyncSession]


def slow_after_writing(monkeypatch: pytest.MonkeyPatch, pause: Any) -> None:
    """registerEnterprise writes, then reloads what it wrote: the reload is made slow."""
    from liaison.schema import mutations

    original = mutations._reload

    async def slow_reload(info_or_context: Any, *args: Any) -> Any:
        await pause(getattr(info_or_context, "context", info_or_context))
        return await original(info_or_context, *args)

    monkeypatch.setattr(mutations, "_reload", slow_reload)


async def test_a_mutation_past_the_limit_is_abandoned_and_writes_nothing(
    settings: Settings,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slow_after_writing(monkeypatch, lambda _: asyncio.sleep(5))
    uscc = new_uscc(9201)
    chain_before = await first_broken_link(sessions)

    async with client_with(settings, max_execution_seconds=0.3) as client:
        started = time.perf_counter()
        response = await client.post(
            "/graphql",
            json={"query": REGISTER, "variables": register_variables(uscc)},
            headers=bearer(keys, "market", "contributor"),
        )
        elapsed = time.perf_counter() - started
        after = await client.post("/graphql", json={"query": ME}, headers=bearer(keys))
        monkeypatch.undo()
        # The next audited write takes the next place in the chain without a collision.
        next_write = await client.post(
            "/graphql",
            json={"query": REGISTER, "variables": register_variables(new_uscc(9204))},
            headers=bearer(keys, "market", "contributor"),
        )

    assert elapsed < 3
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert len(body["errors"]) == 1
    assert body["errors"][0]["extensions"] == {"code": "TIMEOUT", "maximumSeconds": 0.3}
    assert "did not complete within 0.3 seconds" in body["errors"][0]["message"]
    assert not await registered(sessions, uscc)
    assert after.json() == {"data": {"me": {"department": "customs"}}}
    assert next_write.json()["data"]["registerEnterprise"]["errors"] == []
    assert await registered(sessions, new_uscc(9204))
    assert await first_broken_link(sessions) == chain_before


async def first_broken_link(sessions: Sessions) -> BrokenLink | None:
    # The abandoned mutation is rolled back to a savepoint: the audit trail's slot, taken
    # before execution, is kept and filled, so the chain stays as whole as it was. (The
    # chain is shared by the whole test session: compared with itself, not assumed intact.)
    async with sessions() as session:
        return await verify_chain(session)


def slow_statement(settings: Settings) -> str:
    """One statement that runs for many seconds unless the server cuts it: PostgreSQL
    sleeps; SQLite (no sleep) counts, about 20 s on a 2-core machine."""
    if settings.database_url.startswith("postgresql"):
        return "SELECT NULL::int FROM pg_sleep(20)"
    return (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 60000000) "
        "SELECT NULL FROM c WHERE x = 0"
    )


async def test_a_query_cut_inside_a_database_statement_is_a_timeout(
    settings: Settings, keys: SigningKeys, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from liaison.schema import queries

    slow = SimpleNamespace(where=lambda *_: text(slow_statement(settings)))
    monkeypatch.setattr(queries, "select", lambda *_: slow)

    async with client_with(settings, max_execution_seconds=0.5) as client:
        started = time.perf_counter()
        response = await client.post(
            "/graphql",
            json={"query": '{ enterprise(uscc: "91310115MA1K4ABC05") { uscc } }'},
            headers=bearer(keys),
        )
        elapsed = time.perf_counter() - started
        after = await client.post("/graphql", json={"query": ME}, headers=bearer(keys))

    assert elapsed < 4
    assert response.json() == {
        "data": None,
        "errors": [
            {
                "message": "The operation did not complete within 0.5 seconds and was abandoned; "
                "nothing it changed was kept. Ask for less (fewer rows, fewer nested lists).",
                "extensions": {"code": "TIMEOUT", "maximumSeconds": 0.5},
            }
        ],
    }
    assert after.json() == {"data": {"me": {"department": "customs"}}}


async def test_a_mutation_cut_inside_a_database_statement_fails_closed(
    settings: Settings,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # SQLAlchemy invalidates a connection whose statement was interrupted, and the
    # transaction with it, the audit trail's reserved slot included: the event cannot be
    # written, so the answer is AUDIT_UNAVAILABLE, everything rolled back.
    async def sleep_in_the_database(context: Any) -> None:
        await context.session.execute(text(slow_statement(settings)))

    slow_after_writing(monkeypatch, sleep_in_the_database)
    uscc = new_uscc(9202)
    chain_before = await first_broken_link(sessions)

    async with client_with(settings, max_execution_seconds=0.5) as client:
        started = time.perf_counter()
        response = await client.post(
            "/graphql",
            json={"query": REGISTER, "variables": register_variables(uscc)},
            headers=bearer(keys, "market", "contributor"),
        )
        elapsed = time.perf_counter() - started
        after = await client.post("/graphql", json={"query": ME}, headers=bearer(keys))

    assert elapsed < 4
    body = response.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["AUDIT_UNAVAILABLE"]
    assert not await registered(sessions, uscc)
    assert after.json() == {"data": {"me": {"department": "customs"}}}
    assert await first_broken_link(sessions) == chain_before


async def test_an_operation_within_the_limit_is_unaffected(
    settings: Settings, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    uscc = new_uscc(9203)

    async with client_with(settings, max_execution_seconds=5) as client:
        response = await client.post(
            "/graphql",
            json={"query": REGISTER, "variables": register_variables(uscc)},
            headers=bearer(keys, "market", "contributor"),
        )

    assert response.json()["data"]["registerEnterprise"]["enterprise"] == {"uscc": uscc}
    assert await registered(sessions, uscc)
