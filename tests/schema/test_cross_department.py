from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.api.keys import SigningKeys
from world import USCC_CHEMICAL, World, grant, graphql, token

ENTRIES = """
query($uscc: String!) {
  enterprise(uscc: $uscc) {
    uscc
    dangerousChemicalEntries { casNumber quantity declaredValue }
  }
}"""

CHEMICALS_TO_EMERGENCY = {
    "provider": "customs",
    "consumers": ["emergency"],
    "record_type": "dangerous_chemical_entry",
    "purposes": ["joint_inspection"],
    "fields": {"cas_number": "full", "quantity": "masked"},
}


async def test_another_departments_records_are_invisible_without_a_grant(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    status, body = await graphql(
        http,
        ENTRIES,
        bearer=token(keys, "emergency"),
        variables={"uscc": USCC_CHEMICAL},
        purpose="joint_inspection",
    )
    assert status == 200
    assert body["data"]["enterprise"] == {"uscc": USCC_CHEMICAL, "dangerousChemicalEntries": []}
    assert "errors" not in body


async def test_a_grant_shows_granted_fields_masks_masked_ones_and_withholds_the_rest(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, CHEMICALS_TO_EMERGENCY)
    status, body = await graphql(
        http,
        ENTRIES,
        bearer=token(keys, "emergency"),
        variables={"uscc": USCC_CHEMICAL},
        purpose="joint_inspection",
    )
    assert status == 200
    assert body["data"]["enterprise"]["dangerousChemicalEntries"] == [
        {"casNumber": "71-43-2", "quantity": "12000..13000", "declaredValue": None}
    ]
    assert len(body["errors"]) == 1
    error = body["errors"][0]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["extensions"]["field"] == "DangerousChemicalEntry.declaredValue"
    assert error["extensions"]["owners"] == ["customs"]
    assert error["extensions"]["withheldRecords"] == 1


async def test_a_grant_for_another_purpose_shows_nothing(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, CHEMICALS_TO_EMERGENCY)
    _, body = await graphql(
        http,
        ENTRIES,
        bearer=token(keys, "emergency"),
        variables={"uscc": USCC_CHEMICAL},
        purpose="emergency_response",
    )
    assert body["data"]["enterprise"]["dangerousChemicalEntries"] == []
    _, body = await graphql(
        http, ENTRIES, bearer=token(keys, "emergency"), variables={"uscc": USCC_CHEMICAL}
    )
    assert body["data"]["enterprise"]["dangerousChemicalEntries"] == []
    assert [e["extensions"]["code"] for e in body["errors"]] == ["PURPOSE_REQUIRED"]
