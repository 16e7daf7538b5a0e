"""Nothing lost under load: concurrent cross-department reads through two app instances
(two engines, two connection pools: as two server processes would be) each leave their
event, and the chain they were appended to concurrently verifies."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from audit_support import CHEMICALS_TO_EMERGENCY, ask, new_request_id
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.api.app import create_app
from liaison.api.config import Settings
from liaison.api.keys import SigningKeys
from liaison.db.audit import verify_chain
from liaison.db.audit_models import AuditEvent
from world import USCC_CHEMICAL, World, close_app, grant, token

Sessions = async_sessionmaker[AsyncSession]
REQUESTS = 30

ENTRIES = """
query($uscc: String!) {
  enterprise(uscc: $uscc) { uscc dangerousChemicalEntries { casNumber quantity } }
}"""


@pytest.fixture
async def second_instance(
    settings: Settings, keys: SigningKeys
) -> AsyncIterator[httpx.AsyncClient]:
    app: Any = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://liaison-2.test") as client:
        yield client
    await close_app(app)


async def test_every_response_that_carried_another_departments_data_has_its_event(
    http: httpx.AsyncClient,
    second_instance: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, CHEMICALS_TO_EMERGENCY)
    bearer = token(keys, "emergency")
    request_ids = [new_request_id(f"load-{n}") for n in range(REQUESTS)]

    responses = await asyncio.gather(
        *(
            ask(
                (http, second_instance)[n % 2],
                ENTRIES,
                bearer=bearer,
                variables={"uscc": USCC_CHEMICAL},
                purpose="joint_inspection",
                request_id=request_id,
            )
            for n, request_id in enumerate(request_ids)
        )
    )

    assert [status for status, _, _ in responses] == [200] * REQUESTS
    assert [body.get("errors") for _, body, _ in responses] == [None] * REQUESTS
    carried = [
        request_id
        for _, body, request_id in responses
        if body["data"]["enterprise"]["dangerousChemicalEntries"]
    ]
    assert len(carried) == REQUESTS
    async with sessions() as session:
        recorded = list(
            await session.scalars(
                select(AuditEvent.request_id).where(AuditEvent.request_id.in_(request_ids))
            )
        )
        assert sorted(recorded) == sorted(carried)
        assert await verify_chain(session) is None
