from __future__ import annotations

import httpx

from liaison.api.keys import SigningKeys
from world import USCC_CHEMICAL, World, graphql, token


async def test_a_department_reads_its_own_records_in_full(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    query = """
    query($uscc: String!) {
      enterprise(uscc: $uscc) {
        uscc name zone
        dangerousChemicalEntries { casNumber quantity declaredValue entryDate owner }
      }
    }"""
    status, body = await graphql(
        http, query, bearer=token(keys, "customs"), variables={"uscc": USCC_CHEMICAL}
    )
    assert status == 200
    print(body)
    entries = body["data"]["enterprise"]["dangerousChemicalEntries"]
    assert entries == [
        {
            "casNumber": "71-43-2",
            "quantity": "12500",
            "declaredValue": "186000",
            "entryDate": "2026-03-14",
            "owner": "customs",
        }
    ]
