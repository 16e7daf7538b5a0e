"""Fail closed: when the audit event cannot be written, no data leaves and nothing is
changed. The failure is real: a trigger makes audit_event refuse inserts for one request."""

from __future__ import annotations

import httpx
from audit_support import CHEMICALS_TO_EMERGENCY, ask, new_request_id
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from audit_events import events_for
from faults import audit_storage_unwritable
from liaison.api.keys import SigningKeys
from liaison.db import models
from liaison.db.audit import verify_chain
from world import USCC_CHEMICAL, World, grant, token

Sessions = async_sessionmaker[AsyncSession]

ENTRIES = """
query($uscc: String!) {
  enterprise(uscc: $uscc) { uscc dangerousChemicalEntries { casNumber quantity } }
}"""


async def test_a_read_whose_event_cannot_be_written_returns_no_data_and_the_request_id(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, CHEMICALS_TO_EMERGENCY)
    request_id = new_request_id("fail-closed-read")

    async with audit_storage_unwritable(sessions):
        status, body, _ = await ask(
            http,
            ENTRIES,
            bearer=token(keys, "emergency"),
            variables={"uscc": USCC_CHEMICAL},
            purpose="joint_inspection",
            request_id=request_id,
        )

    assert status == 503  # nothing was served: a client or load balancer may retry
    assert body["data"] is None
    assert len(body["errors"]) == 1
    assert body["errors"][0]["extensions"] == {
        "code": "AUDIT_UNAVAILABLE",
        "requestId": request_id,
    }
    assert "71-43-2" not in str(body)
    assert await events_for(sessions, request_id) == []
    async with sessions() as session:
        assert await verify_chain(session) is None


async def test_the_same_read_returns_its_data_once_the_audit_can_be_written_again(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, CHEMICALS_TO_EMERGENCY)
    async with audit_storage_unwritable(sessions):
        await ask(
            http,
            ENTRIES,
            bearer=token(keys, "emergency"),
            variables={"uscc": USCC_CHEMICAL},
            purpose="joint_inspection",
        )
    request_id = new_request_id("after-recovery")

    _, body, _ = await ask(
        http,
        ENTRIES,
        bearer=token(keys, "emergency"),
        variables={"uscc": USCC_CHEMICAL},
        purpose="joint_inspection",
        request_id=request_id,
    )

    assert "errors" not in body
    assert body["data"]["enterprise"]["dangerousChemicalEntries"][0]["casNumber"] == "71-43-2"
    assert len(await events_for(sessions, request_id)) == 1


DECLARE = """
mutation($input: DeclareDangerousChemicalEntryInput!) {
  declareDangerousChemicalEntry(input: $input) { entry { id } errors { field } }
}"""


async def test_a_mutation_whose_event_cannot_be_written_changes_nothing(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    async with sessions() as session:
        before = await session.scalar(select(func.count(models.DangerousChemicalEntry.id)))

    async with audit_storage_unwritable(sessions):
        _, body, _ = await ask(
            http,
            DECLARE,
            bearer=token(keys, "customs", "contributor"),
            variables={
                "input": {
                    "uscc": USCC_CHEMICAL,
                    "declarationNumber": "220120260009990888",
                    "chemicalName": "Toluene",
                    "casNumber": "108-88-3",
                    "unNumber": "UN1294",
                    "hazardClass": "3",
                    "quantity": "10",
                    "unit": "kg",
                    "port": "Waigaoqiao",
                    "entryDate": "2026-04-02",
                    "storageLocation": "上海市浦东新区",
                    "declaredValue": "100",
                    "consignee": "临港化工有限公司",
                }
            },
        )

    assert body["data"] is None
    assert len(body["errors"]) == 1
    assert body["errors"][0]["extensions"]["code"] == "AUDIT_UNAVAILABLE"
    async with sessions() as session:
        after = await session.scalar(select(func.count(models.DangerousChemicalEntry.id)))
    assert after == before
