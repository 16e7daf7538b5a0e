"""``safetyGradeIssued``, ``standardizationCertificateChanged`` and ``ledgerChanges`` over
a real websocket: the owner hears its writes, a grantee hears what its grant shows, and a
department with no grant hears nothing."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from ws_support import LiveServer, acknowledged, nothing_within, receive, subscribe

from liaison.api.app import create_app
from liaison.api.config import Settings
from liaison.api.keys import SigningKeys
from live_server import serving
from world import USCC_CHEMICAL, USCC_PAINTS, World, grant, graphql, token

Sessions = async_sessionmaker[AsyncSession]

GRADE = """
mutation($input: GradeEnterpriseInput!) {
  gradeEnterprise(input: $input) { grade { id } errors { field message } }
}"""
REVOKE = """
mutation($input: RevokeStandardizationCertificateInput!) {
  revokeStandardizationCertificate(input: $input) { errors { field message } }
}"""
ISSUE = """
mutation($input: IssueStandardizationCertificateInput!) {
  issueStandardizationCertificate(input: $input) { certificate { id } errors { field } }
}"""
ALTER = """
mutation($input: AlterEnterpriseInput!) {
  alterEnterprise(input: $input) { errors { field message } }
}"""


@pytest.fixture
async def live(settings: Settings, world: World) -> AsyncIterator[LiveServer]:
    app = create_app(dataclasses.replace(settings, subscription_poll_seconds=0.05))
    async with serving(app) as url:
        yield LiveServer(url, app.state.changes)


async def mutate(base: str, keys: SigningKeys, department: str, query: str, **given: Any) -> Any:
    async with httpx.AsyncClient(base_url=base) as http:
        _, body = await graphql(
            http, query, bearer=token(keys, department, "contributor"), variables=given
        )
    assert "errors" not in body, body
    return body["data"]


async def event(ws: Any) -> dict[str, Any]:
    message = await receive(ws)
    assert message["type"] == "next", message
    data: dict[str, Any] = message["payload"]["data"]
    return data


async def test_a_grade_is_heard_by_its_grantee_and_not_by_a_department_without_a_grant(
    live: LiveServer, keys: SigningKeys, sessions: Sessions
) -> None:
    async with sessions() as session, session.begin():
        await grant(
            session,
            {
                "provider": "emergency",
                "consumers": ["customs"],
                "record_type": "safety_grade",
                "purposes": ["joint_inspection"],
                "fields": {"grade": "full"},
            },
        )
    query = "subscription { safetyGradeIssued { owner enterprise { uscc } grade } }"
    async with (
        acknowledged(live.url, token(keys, "customs")) as customs,
        acknowledged(live.url, token(keys, "park")) as park,
    ):
        await subscribe(customs, query)
        await subscribe(park, query)
        await live.listening(2)
        await mutate(
            live.url,
            keys,
            "emergency",
            GRADE,
            input={
                "uscc": USCC_CHEMICAL,
                "scheme": "PARK_RISK",
                "selfAssessmentScore": "61",
                "selfAssessedOn": "2026-09-01",
                "grade": "C",
                "assessedOn": "2026-10-01",
            },
        )
        heard = await event(customs)
        park_heard_nothing = await nothing_within(park, 0.5)

    assert heard == {
        "safetyGradeIssued": {
            "owner": "emergency",
            "enterprise": {"uscc": USCC_CHEMICAL},
            "grade": "C",
        }
    }
    assert park_heard_nothing


async def test_the_bureau_hears_its_certificate_issued_then_revoked(
    live: LiveServer, keys: SigningKeys
) -> None:
    query = (
        f'subscription {{ standardizationCertificateChanged(uscc: "{USCC_PAINTS}") '
        "{ certificateNumber status } }"
    )
    async with acknowledged(live.url, token(keys, "emergency"), purpose=None) as bureau:
        await subscribe(bureau, query)
        await live.listening()
        issued = await mutate(
            live.url,
            keys,
            "emergency",
            ISSUE,
            input={
                "uscc": USCC_PAINTS,
                "level": 3,
                "certificateNumber": "AQBH-SH-2026-0100",
                "issuedOn": "2026-01-01",
                "validUntil": "2028-12-31",
            },
        )
        first = await event(bureau)
        certificate_id = issued["issueStandardizationCertificate"]["certificate"]["id"]
        await mutate(
            live.url, keys, "emergency", REVOKE, input={"id": certificate_id, "reason": "Fire"}
        )
        second = await event(bureau)

    assert [first, second] == [
        {
            "standardizationCertificateChanged": {
                "certificateNumber": "AQBH-SH-2026-0100",
                "status": "VALID",
            }
        },
        {
            "standardizationCertificateChanged": {
                "certificateNumber": "AQBH-SH-2026-0100",
                "status": "REVOKED",
            }
        },
    ]


async def test_ledger_changes_push_the_enterprise_as_its_details_are_altered(
    live: LiveServer, keys: SigningKeys
) -> None:
    query = (
        f'subscription {{ ledgerChanges(uscc: "{USCC_CHEMICAL}") '
        "{ uscc name alterations { oldName newName } } }"
    )
    async with acknowledged(live.url, token(keys, "market"), purpose=None) as registry:
        await subscribe(registry, query)
        await live.listening()
        await mutate(
            live.url,
            keys,
            "market",
            ALTER,
            input={
                "uscc": USCC_CHEMICAL,
                "alteredOn": "2026-11-01",
                "basis": "SHPD-BG-2026-0400",
                "name": "临港精细化工有限公司",
            },
        )
        heard = await event(registry)

    assert heard == {
        "ledgerChanges": {
            "uscc": USCC_CHEMICAL,
            "name": "临港精细化工有限公司",
            "alterations": [{"oldName": "临港化工有限公司", "newName": "临港精细化工有限公司"}],
        }
    }
