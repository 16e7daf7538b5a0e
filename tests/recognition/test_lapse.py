"""Recognitions lapse by themselves when the result they rest on ends: a downgrading credit
rating or a lower certificate, in the writing mutation's own transaction (and audited with
it); an expired result when the check runs on a later day (with its own audit event);
every recognition of an enterprise when the joint discipline workflow says so."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
from recognition_support import (
    CERTIFICATES_TO_CUSTOMS,
    ISSUE_RATING,
    RATINGS_TO_EMERGENCY,
    TODAY,
    Sessions,
    add_certificate,
    counts,
    customs_rating_id,
    post,
    recognised,
    recognition_input,
    share_results,
)
from sqlalchemy import select

from audit_events import events_for
from liaison.api.keys import SigningKeys
from liaison.db.audit_models import AuditEvent
from liaison.db.recognition import lapse_and_audit, lapse_for_enterprise, lapse_recognitions
from liaison.db.recognition_models import Recognition
from world import USCC_CHEMICAL, World, grant

ONE = "query($id: ID!) { recognition(id: $id) { id status inForce lapsedOn lapseReason } }"
CERTIFY = """
mutation($input: IssueStandardizationCertificateInput!) {
  issueStandardizationCertificate(input: $input) {
    certificate { id level } errors { field rule message }
  }
}"""
REVOKE = """
mutation($input: RevokeStandardizationCertificateInput!) {
  revokeStandardizationCertificate(input: $input) {
    certificate { id status } errors { field rule message }
  }
}"""


async def _rating_recognised(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> dict[str, Any]:
    await share_results(sessions)
    rating = await customs_rating_id(sessions, world.enterprises[USCC_CHEMICAL])
    return await recognised(
        http,
        keys,
        "emergency",
        recognition_input(
            USCC_CHEMICAL, "CREDIT_RATING", rating, facilitation="PROCEDURE_SIMPLIFICATION"
        ),
    )


async def _issue(
    http: httpx.AsyncClient, keys: SigningKeys, grade: str, request_id: str | None = None
) -> dict[str, Any]:
    body = await post(
        http,
        keys,
        ISSUE_RATING,
        department="customs",
        variables={
            "input": {
                "uscc": USCC_CHEMICAL,
                "ruleSet": "customs-2026",
                "grade": grade,
                "effectiveOn": TODAY.isoformat(),
            }
        },
        request_id=request_id,
    )
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["issueCreditRating"]
    assert payload["errors"] == []
    return payload


async def _one(http: httpx.AsyncClient, keys: SigningKeys, department: str, key: str) -> Any:
    body = await post(
        http, keys, ONE, department=department, roles=("reader",), variables={"id": key}
    )
    assert "errors" not in body, body
    return body["data"]["recognition"]


async def test_a_downgrading_rating_lapses_the_recognition_in_its_own_transaction(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    made = await _rating_recognised(http, keys, sessions, world)
    label = f"downgrade-{uuid.uuid4().hex[:8]}"

    await _issue(http, keys, "routine", request_id=label)

    found = await _one(http, keys, "emergency", made["id"])
    assert found == {
        "id": made["id"],
        "status": "LAPSED",
        "inForce": False,
        "lapsedOn": TODAY.isoformat(),
        "lapseReason": "the credit grade was downgraded by a newer customs_enterprise_credit "
        f"rating effective on {TODAY.isoformat()}",
    }
    # The writer (the recognised department, a party) read the recognitions it lapsed:
    # the mutation's audit event names them.
    [event] = await events_for(sessions, label)
    disclosed = {(k.provider, k.record_type): k.ids() for k in event.entry.disclosed}
    assert disclosed[("emergency", "recognition")] == [int(made["id"])]
    reasons = {d.field: d.reason for d in event.entry.disclosures if d.record_type == "recognition"}
    assert reasons["status"] == "party: department whose result is recognised"


@pytest.mark.parametrize("grade", ["certified", "advanced_certified"])
async def test_a_rating_as_good_or_better_leaves_the_recognition_active(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World, grade: str
) -> None:
    made = await _rating_recognised(http, keys, sessions, world)

    await _issue(http, keys, grade)

    found = await _one(http, keys, "emergency", made["id"])
    assert (found["status"], found["lapsedOn"], found["lapseReason"]) == ("ACTIVE", None, None)


async def test_an_aeo_grade_revoked_lapses_it_with_that_reason(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    await share_results(sessions)
    aeo = await _issue(http, keys, "advanced_certified")
    made = await recognised(
        http,
        keys,
        "emergency",
        recognition_input(USCC_CHEMICAL, "CREDIT_RATING", aeo["rating"]["id"]),
    )

    await _issue(http, keys, "certified")

    found = await _one(http, keys, "emergency", made["id"])
    assert found["status"] == "LAPSED"
    assert found["lapseReason"].startswith("the AEO certification was revoked by a newer")


async def test_a_lower_certificate_lapses_the_recognition_of_the_earlier_one(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, CERTIFICATES_TO_CUSTOMS)
    certificate = await add_certificate(
        sessions, world.enterprises[USCC_CHEMICAL], world.departments["emergency"], level=2
    )
    made = await recognised(
        http,
        keys,
        "customs",
        recognition_input(USCC_CHEMICAL, "STANDARDIZATION_CERTIFICATE", certificate),
    )

    body = await post(
        http,
        keys,
        CERTIFY,
        department="emergency",
        variables={
            "input": {
                "uscc": USCC_CHEMICAL,
                "level": 3,
                "certificateNumber": "AQBH-2026-0099",
                "issuedOn": TODAY.isoformat(),
                "validUntil": (TODAY + dt.timedelta(days=1095)).isoformat(),
            }
        },
    )

    assert body["data"]["issueStandardizationCertificate"]["errors"] == []
    found = await _one(http, keys, "customs", made["id"])
    assert found["status"] == "LAPSED"
    assert found["lapseReason"] == (
        "the standardization level was lowered by a newer certificate issued on "
        f"{TODAY.isoformat()}"
    )


async def test_a_revoked_certificate_lapses_the_recognition_resting_on_it(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, CERTIFICATES_TO_CUSTOMS)
    certificate = await add_certificate(
        sessions, world.enterprises[USCC_CHEMICAL], world.departments["emergency"], level=2
    )
    made = await recognised(
        http,
        keys,
        "customs",
        recognition_input(USCC_CHEMICAL, "STANDARDIZATION_CERTIFICATE", certificate),
    )

    body = await post(
        http,
        keys,
        REVOKE,
        department="emergency",
        variables={"input": {"id": str(certificate), "reason": "fatal accident"}},
    )

    assert body["data"]["revokeStandardizationCertificate"]["errors"] == []
    found = await _one(http, keys, "customs", made["id"])
    assert found["status"] == "LAPSED"
    assert found["lapseReason"] == (
        f"the standardization certificate was revoked on {TODAY.isoformat()}"
    )


async def test_a_certificate_refused_writes_nothing_and_lapses_nothing(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    before = await counts(sessions)

    body = await post(
        http,
        keys,
        CERTIFY,
        department="emergency",
        variables={
            "input": {
                "uscc": USCC_CHEMICAL,
                "level": 4,
                "certificateNumber": "AQBH-2026-0100",
                "issuedOn": TODAY.isoformat(),
                "validUntil": TODAY.isoformat(),
            }
        },
    )

    errors = body["data"]["issueStandardizationCertificate"]["errors"]
    assert [(e["field"], e["rule"]) for e in errors] == [
        ("level", "level"),
        ("validUntil", "order"),
    ]
    assert await counts(sessions) == before


async def test_the_scheduled_check_lapses_what_expired_with_one_audit_event(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, CERTIFICATES_TO_CUSTOMS, RATINGS_TO_EMERGENCY)
    ends = TODAY + dt.timedelta(days=30)
    certificate = await add_certificate(
        sessions, world.enterprises[USCC_CHEMICAL], world.departments["emergency"], valid_until=ends
    )
    made = await recognised(
        http,
        keys,
        "customs",
        recognition_input(USCC_CHEMICAL, "STANDARDIZATION_CERTIFICATE", certificate),
    )
    later = ends + dt.timedelta(days=1)

    async with sessions() as session, session.begin():
        assert await lapse_recognitions(session, ends) == []  # still valid on its last day
    async with sessions() as session, session.begin():
        lapsed = await lapse_and_audit(session, later)
    async with sessions() as session, session.begin():
        again = await lapse_and_audit(session, later)

    assert lapsed == [int(made["id"])]
    assert again == []
    async with sessions() as session:
        row = await session.get_one(Recognition, int(made["id"]))
        event = await session.scalar(
            select(AuditEvent)
            .where(AuditEvent.operation_name == "lapse_recognitions")
            .order_by(AuditEvent.seq.desc())
            .limit(1)
        )
    assert (row.status, row.lapsed_on) == ("lapsed", later)
    assert row.lapse_reason == f"the standardization certificate expired on {ends.isoformat()}"
    assert event is not None
    assert (event.operation_type, event.principal_subject) == ("maintenance", "system:liaison")
    [audited] = await events_for(sessions, event.request_id)
    disclosed = {(k.provider, k.record_type): k.ids() for k in audited.entry.disclosed}
    assert disclosed[("customs", "recognition")] == [int(made["id"])]


async def test_an_enterprise_entering_the_discipline_list_lapses_all_its_recognitions(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    made = await _rating_recognised(http, keys, sessions, world)
    enterprise = world.enterprises[USCC_CHEMICAL]

    async with sessions() as session, session.begin():
        lapsed = await lapse_for_enterprise(
            session, enterprise, "the enterprise entered the joint discipline list"
        )

    assert lapsed == [int(made["id"])]
    found = await _one(http, keys, "emergency", made["id"])
    assert (found["status"], found["lapseReason"]) == (
        "LAPSED",
        "the enterprise entered the joint discipline list",
    )
