from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.api.keys import SigningKeys
from world import USCC_CHEMICAL, World, grant, graphql, token

QUERY = """
query($uscc: String!, $withValue: Boolean!) {
  enterprise(uscc: $uscc) {
    dangerousChemicalEntries {
      casNumber
      ...Money @include(if: $withValue)
    }
  }
}
fragment Money on DangerousChemicalEntry { declaredValue }
"""


@pytest.mark.parametrize(("with_value", "forbidden"), [(True, 1), (False, 0)])
async def test_a_withheld_field_skipped_by_a_directive_raises_no_error(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    with_value: bool,
    forbidden: int,
) -> None:
    async with sessions() as session, session.begin():
        await grant(
            session,
            {
                "provider": "customs",
                "consumers": ["emergency"],
                "record_type": "dangerous_chemical_entry",
                "fields": {"cas_number": "full"},
            },
        )

    _, body = await graphql(
        http,
        QUERY,
        bearer=token(keys, "emergency"),
        variables={"uscc": USCC_CHEMICAL, "withValue": with_value},
        purpose="joint_inspection",
    )

    assert body["data"]["enterprise"]["dangerousChemicalEntries"][0]["casNumber"] == "71-43-2"
    assert len(body.get("errors", [])) == forbidden
