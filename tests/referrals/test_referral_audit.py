"""The audit of referrals: fail closed (no event, no referral, no answer), a third
department's read by a grant recorded with its agreement and its denials, and the sender's
auditor finding the receiver's reads in ``accessLog``."""

from __future__ import annotations

import httpx
from referral_support import (
    Sessions,
    counts,
    move_query,
    new_request_id,
    post,
    referral_input,
    send,
)

from audit_events import events_for
from faults import audit_storage_unwritable
from liaison.api.keys import SigningKeys
from world import USCC_CHEMICAL, World, grant

SEND = (
    "mutation($input: SendReferralInput!) { sendReferral(input: $input) { referral { id } "
    "errors { field } } }"
)


async def test_a_referral_is_not_sent_when_its_audit_event_cannot_be_written(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    before = await counts(sessions)

    async with audit_storage_unwritable(sessions):
        body = await post(
            http,
            keys,
            SEND,
            department="market",
            variables={"input": referral_input(USCC_CHEMICAL)},
        )

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["AUDIT_UNAVAILABLE"]
    assert await counts(sessions) == before


async def test_a_referral_is_not_answered_when_its_audit_event_cannot_be_written(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    referral_id = (await send(http, keys, USCC_CHEMICAL))["id"]
    before = await counts(sessions)

    async with audit_storage_unwritable(sessions):
        body = await post(
            http,
            keys,
            move_query("accept"),
            department="emergency",
            variables={"id": referral_id},
        )
    after = await post(
        http,
        keys,
        "query($id: ID!) { referral(id: $id) { status } }",
        department="market",
        roles=("reader",),
        variables={"id": referral_id},
    )

    assert [e["extensions"]["code"] for e in body["errors"]] == ["AUDIT_UNAVAILABLE"]
    assert await counts(sessions) == before
    assert after == {"data": {"referral": {"status": "SENT"}}}


async def test_a_third_departments_read_by_a_grant_names_its_agreement_and_its_denials(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    referral_id = (await send(http, keys, USCC_CHEMICAL))["id"]
    async with sessions() as session, session.begin():
        await grant(
            session,
            {
                "provider": "market",
                "consumers": ["park"],
                "record_type": "referral",
                "purposes": ["joint_inspection"],
                "fields": {"status": "full"},
            },
            code="referral-status-to-park",
        )
    label = new_request_id("park-reads")

    body = await post(
        http,
        keys,
        "{ referrals { edges { node { id status description } } } }",
        department="park",
        roles=("reader",),
        purpose="joint_inspection",
        request_id=label,
    )

    assert body["data"] == {
        "referrals": {
            "edges": [{"node": {"id": referral_id, "status": "SENT", "description": None}}]
        }
    }
    [event] = await events_for(sessions, label)
    assert event.entry.outcome == "partial"
    by_field = {d.field: d for d in event.entry.disclosures}
    assert (by_field["status"].level, by_field["status"].agreement_code) == (
        "full",
        "referral-status-to-park",
    )
    assert (by_field["description"].level, by_field["description"].reason) == (
        "none",
        "no grant from market covers referral.description",
    )
    assert [(k.provider, k.record_type, k.record_ids) for k in event.entry.disclosed] == [
        ("market", "referral", referral_id)
    ]


async def test_the_senders_auditor_finds_the_receivers_reads_as_party_disclosures(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    referral = await send(http, keys, USCC_CHEMICAL)
    attachment_id = referral["attachments"][0]["id"]
    await post(
        http,
        keys,
        "query($id: ID!) { referralAttachment(id: $id) { name contentBase64 } }",
        department="emergency",
        roles=("reader",),
        variables={"id": attachment_id},
    )

    body = await post(
        http,
        keys,
        '{ accessLog(first: 1, filter: {provider: "market", recordType: "referral_attachment"})'
        " { edges { node { department operationType outcome"
        " disclosures { recordType field level agreement { code } reason }"
        " records { recordType recordId } } } } }",
        department="market",
        roles=("auditor",),
    )

    [edge] = body["data"]["accessLog"]["edges"]
    assert edge["node"] == {
        "department": "emergency",
        "operationType": "query",
        "outcome": "OK",
        "disclosures": [
            {
                "recordType": "referral_attachment",
                "field": field,
                "level": "full",
                "agreement": None,
                "reason": "party: receiver of referral",
            }
            for field in ("content", "name")
        ],
        "records": [{"recordType": "referral_attachment", "recordId": attachment_id}],
    }
