"""LIAISON_MAX_CONCURRENT_OPERATIONS at the HTTP edge: with one place, an operation waits
while another executes, and runs as soon as it is done. The operation holding the place
is a real mutation kept waiting for the writers' lock, which this test holds."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from hostile_support import client_with
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.api.config import Settings
from liaison.api.keys import SigningKeys
from liaison.db.audit import hold_writes
from world import USCC_PAINTS, World, post_as

Sessions = async_sessionmaker[AsyncSession]

REPORT = """
mutation($input: ReportRiskInput!) {
  reportRisk(input: $input) { risk { id } errors { message } }
}"""
RISK = {
    "uscc": USCC_PAINTS,
    "category": "fire protection",
    "description": "Blocked fire exit (admission test)",
    "level": "GENERAL",
    "foundOn": "2026-05-20",
    "rectificationDeadline": "2099-06-20",
    "supervisingDepartment": "park",
}


@pytest.fixture
async def one_at_a_time(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with client_with(settings, max_concurrent_operations=1) as client:
        yield client


async def test_with_one_place_an_operation_waits_until_the_one_executing_is_done(
    one_at_a_time: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    async with sessions() as holder:
        await hold_writes(holder)
        mutation = asyncio.create_task(
            post_as(
                one_at_a_time,
                keys,
                REPORT,
                department="emergency",
                roles=("reader", "contributor"),
                variables={"input": RISK},
            )
        )
        await asyncio.sleep(0.3)
        query = asyncio.create_task(
            post_as(one_at_a_time, keys, "{ me { department } }", department="customs")
        )
        await asyncio.sleep(0.3)
        assert not mutation.done()
        assert not query.done()  # the one place is the mutation's
        await holder.rollback()

    reported = await asyncio.wait_for(mutation, 10)
    assert reported["data"]["reportRisk"]["errors"] == []
    answered = await asyncio.wait_for(query, 10)
    assert answered["data"] == {"me": {"department": "customs"}}
