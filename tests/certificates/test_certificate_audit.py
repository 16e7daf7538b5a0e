"""Every state change is audited as a mutation and noted in the change feed, and fails
closed: no audit event, no revocation (and no entry on the list), no repair."""

from __future__ import annotations

import httpx
from certificate_support import (
    RECORD,
    REPAIR,
    TODAY,
    Sessions,
    counts,
    event_input,
    issue,
    new_request_id,
    post,
    record,
    seed_standing_measures,
)
from sqlalchemy import select

from audit_events import events_for
from faults import audit_storage_unwritable
from liaison.api.keys import SigningKeys
from liaison.db.models import RecordChange
from world import USCC_CHEMICAL, World


async def test_each_state_change_is_audited_and_noted_in_the_change_feed(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    await seed_standing_measures(sessions, world)
    certificate_id = (await issue(http, keys, USCC_CHEMICAL))["id"]
    labels = {step: new_request_id(step) for step in ("suspend", "revoke", "repair")}

    await record(
        http,
        keys,
        certificate_id,
        "SUSPENDED",
        request_id=labels["suspend"],
        reasonCategory="SAFETY_VIOLATION",
    )
    await record(http, keys, certificate_id, "REVOKED", request_id=labels["revoke"])
    await post(
        http,
        keys,
        REPAIR,
        department="emergency",
        request_id=labels["repair"],
        variables={
            "input": {"uscc": USCC_CHEMICAL, "repairedOn": TODAY.isoformat(), "basis": "repaired"}
        },
    )

    for step, label in labels.items():
        [event] = await events_for(sessions, label)
        assert (event.entry.principal_department, event.entry.operation_type) == (
            "emergency",
            "mutation",
        ), step
        assert event.entry.outcome == "ok", step
    async with sessions() as session:
        feed = (
            (
                await session.execute(
                    select(RecordChange.record_type).order_by(RecordChange.seq.desc()).limit(9)
                )
            )
            .scalars()
            .all()
        )
    # Newest first: the repair, then the revocation's entry and its four measures, then
    # the revocation itself.
    assert list(feed) == [
        "joint_discipline_entry",
        "joint_discipline_measure",
        "joint_discipline_measure",
        "joint_discipline_measure",
        "joint_discipline_measure",
        "joint_discipline_entry",
        "certificate_event",
        "certificate",
        "certificate_event",
    ]


async def test_a_revocation_is_not_recorded_when_its_audit_event_cannot_be_written(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    await seed_standing_measures(sessions, world)
    certificate_id = (await issue(http, keys, USCC_CHEMICAL))["id"]
    before = await counts(sessions)

    async with audit_storage_unwritable(sessions):
        body = await post(
            http,
            keys,
            RECORD,
            department="emergency",
            variables={"input": event_input(certificate_id, "REVOKED")},
        )
    after = await post(
        http,
        keys,
        "query($id: ID!) { certificate(id: $id) { status } }",
        department="emergency",
        roles=("reader",),
        variables={"id": certificate_id},
    )

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["AUDIT_UNAVAILABLE"]
    assert await counts(sessions) == before
    assert after == {"data": {"certificate": {"status": "VALID"}}}
