"""``accessLog``: auditors see their department's part of the trail, admins all of it,
anyone else nothing; every filter narrows it; pages follow a cursor."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from audit_support import CHEMICALS_TO_EMERGENCY, ask, new_request_id
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.api.keys import SigningKeys
from world import RISKS_TO_CUSTOMS, USCC_CHEMICAL, USCC_WAREHOUSE, World, grant, token

Sessions = async_sessionmaker[AsyncSession]

ZONES_TO_EMERGENCY = {
    "provider": "market",
    "consumers": ["emergency"],
    "record_type": "enterprise",
    "purposes": ["emergency_response"],
    "fields": {"zone": "full"},
}

ACCESS_LOG = """
query($filter: AccessLogFilter, $first: Int, $after: String) {
  accessLog(filter: $filter, first: $first, after: $after) {
    edges { cursor node {
      seq requestId department purpose caseReference outcome
      disclosures { provider recordType field level agreement { code version } recordCount }
      records { provider recordType enterpriseUscc }
    } }
    pageInfo { hasNextPage endCursor }
  }
}"""


@dataclass(frozen=True)
class Trail:
    case: str
    emergency_read: str  # request id: emergency reads customs entries and a market zone
    customs_read: str  # request id: customs reads emergency's risks


@pytest.fixture
async def trail(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> Trail:
    async with sessions() as session, session.begin():
        await grant(session, CHEMICALS_TO_EMERGENCY, RISKS_TO_CUSTOMS, ZONES_TO_EMERGENCY)
    case = f"CASE-{uuid.uuid4().hex[:8]}"
    emergency_read, customs_read = new_request_id("e-read"), new_request_id("c-read")
    await ask(
        http,
        "query($uscc: String!) { enterprise(uscc: $uscc) { zone "
        "dangerousChemicalEntries { casNumber declaredValue } } }",
        bearer=token(keys, "emergency"),
        variables={"uscc": USCC_CHEMICAL},
        purpose="emergency_response",
        case=case,
        request_id=emergency_read,
    )
    await ask(
        http,
        "{ risks(first: 10) { edges { node { category level } } } }",
        bearer=token(keys, "customs"),
        purpose="joint_inspection",
        case=case,
        request_id=customs_read,
    )
    return Trail(case, emergency_read, customs_read)


async def access_log(
    http: httpx.AsyncClient, bearer: str, **variables: Any
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    _, body, _ = await ask(http, ACCESS_LOG, bearer=bearer, variables=variables)
    assert "errors" not in body, body["errors"]
    log = body["data"]["accessLog"]
    return [edge["node"] for edge in log["edges"]], log["pageInfo"]


async def test_a_customs_auditor_sees_who_read_customs_data_and_what_customs_read(
    http: httpx.AsyncClient, keys: SigningKeys, trail: Trail
) -> None:
    events, _ = await access_log(
        http, token(keys, "customs", "auditor"), filter={"caseReference": trail.case}
    )

    assert [e["requestId"] for e in events] == [trail.customs_read, trail.emergency_read]
    read_by_customs, read_from_customs = events
    assert read_by_customs["department"] == "customs"
    assert {(d["provider"], d["field"]) for d in read_by_customs["disclosures"]} == {
        ("emergency", "category"),
        ("emergency", "level"),
    }
    assert len(read_by_customs["records"]) == 3
    assert read_from_customs["department"] == "emergency"
    assert read_from_customs["outcome"] == "PARTIAL"
    assert read_from_customs["purpose"] == "emergency_response"
    assert {(d["field"], d["level"]) for d in read_from_customs["disclosures"]} == {
        ("cas_number", "full"),
        ("declared_value", "none"),
    }
    assert read_from_customs["records"] == [
        {
            "provider": "customs",
            "recordType": "dangerous_chemical_entry",
            "enterpriseUscc": USCC_CHEMICAL,
        }
    ]


async def test_an_auditor_sees_only_its_own_departments_part_of_anothers_read(
    http: httpx.AsyncClient, keys: SigningKeys, trail: Trail
) -> None:
    events, _ = await access_log(
        http, token(keys, "market", "auditor"), filter={"caseReference": trail.case}
    )

    assert [e["requestId"] for e in events] == [trail.emergency_read]
    assert events[0]["disclosures"] == [
        {
            "provider": "market",
            "recordType": "enterprise",
            "field": "zone",
            "level": "full",
            "agreement": {"code": "test-agreement", "version": 1},
            "recordCount": 1,
        }
    ]
    assert [r["provider"] for r in events[0]["records"]] == ["market"]


async def test_an_auditor_of_an_uninvolved_department_sees_none_of_it(
    http: httpx.AsyncClient, keys: SigningKeys, trail: Trail
) -> None:
    events, page = await access_log(
        http, token(keys, "park", "auditor"), filter={"caseReference": trail.case}
    )

    assert events == []
    assert page == {"hasNextPage": False, "endCursor": None}


async def test_a_platform_admin_sees_every_event(
    http: httpx.AsyncClient, keys: SigningKeys, trail: Trail
) -> None:
    events, _ = await access_log(
        http, token(keys, "park", "admin"), filter={"caseReference": trail.case}
    )

    assert [e["requestId"] for e in events] == [trail.customs_read, trail.emergency_read]
    assert len(events[1]["disclosures"]) == 3


async def test_a_reader_is_refused_the_access_log(
    http: httpx.AsyncClient, keys: SigningKeys, trail: Trail
) -> None:
    _, body, _ = await ask(http, ACCESS_LOG, bearer=token(keys, "customs", "reader"))

    assert body["data"] == {"accessLog": None}
    assert len(body["errors"]) == 1
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"provider": "customs"}, ["emergency_read"]),
        ({"provider": "emergency"}, ["customs_read"]),
        ({"consumer": "customs"}, ["customs_read"]),
        ({"enterpriseUscc": USCC_WAREHOUSE}, ["customs_read"]),
        (
            {"enterpriseUscc": USCC_CHEMICAL, "recordType": "dangerous_chemical_entry"},
            ["emergency_read"],
        ),
        ({"recordType": "risk", "field": "level"}, ["customs_read"]),
        ({"field": "declared_value"}, ["emergency_read"]),
        ({"outcome": "PARTIAL"}, ["emergency_read"]),
        ({"outcome": "OK"}, ["customs_read"]),
        ({"purpose": "joint_inspection"}, ["customs_read"]),
        (
            {"from": "2000-01-01T00:00:00Z", "until": "2999-01-01T00:00:00Z"},
            ["customs_read", "emergency_read"],
        ),
        ({"from": "2999-01-01T00:00:00Z"}, []),
        ({"until": "2000-01-01T00:00:00Z"}, []),
    ],
    ids=lambda value: str(value) if isinstance(value, dict) else "",
)
async def test_each_filter_narrows_the_log(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    trail: Trail,
    criteria: dict[str, str],
    expected: list[str],
) -> None:
    events, _ = await access_log(
        http,
        token(keys, "customs", "admin"),
        filter={"caseReference": trail.case, **criteria},
    )

    assert [e["requestId"] for e in events] == [getattr(trail, name) for name in expected]


async def test_pages_follow_the_cursor_newest_first(
    http: httpx.AsyncClient, keys: SigningKeys, trail: Trail
) -> None:
    auditor = token(keys, "customs", "auditor")
    criteria = {"caseReference": trail.case}

    first, first_page = await access_log(http, auditor, filter=criteria, first=1)
    second, second_page = await access_log(
        http, auditor, filter=criteria, first=1, after=first_page["endCursor"]
    )

    assert [e["requestId"] for e in first] == [trail.customs_read]
    assert first_page["hasNextPage"] is True
    assert [e["requestId"] for e in second] == [trail.emergency_read]
    assert second_page["hasNextPage"] is False
    assert first[0]["seq"] > second[0]["seq"]


# Market's auditor and emergency's read of customs' entries and market's zone (the trail's
# emergency_read, PARTIAL as a whole: customs' declared value was refused). Market's part of
# it is one zone given in full; customs' part is none of market's business, so no filter on
# it may select the event, and the outcome market sees is its part's.
@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"consumer": "emergency", "provider": "customs"}, []),
        ({"provider": "customs"}, []),
        ({"recordType": "dangerous_chemical_entry"}, []),
        ({"field": "cas_number"}, []),
        ({"field": "declared_value"}, []),
        ({"enterpriseUscc": USCC_CHEMICAL, "recordType": "dangerous_chemical_entry"}, []),
        ({"enterpriseUscc": USCC_WAREHOUSE}, []),
        ({"outcome": "PARTIAL"}, []),
        ({"outcome": "DENIED"}, []),
        ({"purpose": "joint_inspection"}, []),  # customs' read of emergency: not market's
        ({}, ["emergency_read"]),
        ({"consumer": "emergency", "provider": "market"}, ["emergency_read"]),
        ({"recordType": "enterprise", "field": "zone"}, ["emergency_read"]),
        ({"enterpriseUscc": USCC_CHEMICAL}, ["emergency_read"]),
        ({"outcome": "OK"}, ["emergency_read"]),
        ({"purpose": "emergency_response"}, ["emergency_read"]),
    ],
    ids=lambda value: str(value) if isinstance(value, dict) else "",
)
async def test_a_filter_matches_only_the_part_of_another_departments_read_the_auditor_sees(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    trail: Trail,
    criteria: dict[str, str],
    expected: list[str],
) -> None:
    events, _ = await access_log(
        http,
        token(keys, "market", "auditor"),
        filter={"caseReference": trail.case, **criteria},
    )

    assert [e["requestId"] for e in events] == [getattr(trail, name) for name in expected]
    for event in events:
        assert event["outcome"] == "OK"  # market's zone was given: its part ended well
        assert {d["provider"] for d in event["disclosures"]} == {"market"}
        assert {r["provider"] for r in event["records"]} == {"market"}


async def test_the_consumers_own_auditor_sees_the_whole_read_and_its_outcome(
    http: httpx.AsyncClient, keys: SigningKeys, trail: Trail
) -> None:
    events, _ = await access_log(
        http,
        token(keys, "emergency", "auditor"),
        filter={"caseReference": trail.case, "provider": "customs", "outcome": "PARTIAL"},
    )

    assert [e["requestId"] for e in events] == [trail.emergency_read]
    assert {d["provider"] for d in events[0]["disclosures"]} == {"customs", "market"}
