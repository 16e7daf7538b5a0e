"""Who sees certificates and the joint discipline list: the issuer (owner) whole; the
departments applying measures to a listed enterprise the entry whole, as parties, whatever
the agreements say (and the audit says so); a grant as far as it goes, the rest FORBIDDEN;
nobody else anything."""

from __future__ import annotations

import httpx
import pytest
from certificate_support import (
    LIST,
    Sessions,
    issue,
    new_request_id,
    post,
    record,
    seed_standing_measures,
)

from audit_events import events_for
from liaison.api.keys import SigningKeys
from world import USCC_CHEMICAL, World, grant

CERTIFICATES = "{ certificates { edges { node { id owner kind number status } } } }"


@pytest.fixture
async def revoked(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> str:
    await seed_standing_measures(sessions, world)
    certificate_id = str((await issue(http, keys, USCC_CHEMICAL))["id"])
    payload = await record(http, keys, certificate_id, "REVOKED")
    assert payload["errors"] == []
    return certificate_id


async def test_a_department_applying_measures_sees_the_entry_whole_as_a_party(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, revoked: str
) -> None:
    label = new_request_id("park-reads-list")

    body = await post(http, keys, LIST, department="park", roles=("reader",), request_id=label)

    [edge] = body["data"]["jointDisciplineList"]["edges"]
    assert "errors" not in body
    node = edge["node"]
    assert (node["owner"], node["status"], node["trigger"]) == (
        "emergency",
        "LISTED",
        "CERTIFICATE_REVOCATION",
    )
    assert {m["department"] for m in node["measures"]} == {"customs", "market", "park"}
    # The revocation itself is the bureau's certificate event: no part in it, no grant.
    assert node["certificateEvent"] is None
    [event] = await events_for(sessions, label)
    reasons = {
        (d.record_type, d.field): d.reason
        for d in event.entry.disclosures
        if d.record_type.startswith("joint_discipline")
    }
    assert reasons[("joint_discipline_entry", "status")] == (
        "party: applies measures of joint discipline"
    )
    assert reasons[("joint_discipline_measure", "measure")] == (
        "party: applies measures of joint discipline"
    )


async def test_a_department_with_no_measures_and_no_grant_sees_nothing(
    http: httpx.AsyncClient, keys: SigningKeys, revoked: str
) -> None:
    body = await post(
        http,
        keys,
        "{ jointDisciplineList { edges { node { id status measures { measure } } } }"
        " certificates { edges { node { id status } } } }",
        department="ecology",
        roles=("reader",),
    )

    assert body == {"data": {"jointDisciplineList": {"edges": []}, "certificates": {"edges": []}}}


async def test_a_grant_shares_as_far_as_it_goes_and_the_rest_is_forbidden(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, revoked: str
) -> None:
    async with sessions() as session, session.begin():
        await grant(
            session,
            {
                "provider": "emergency",
                "consumers": ["ecology"],
                "record_type": "joint_discipline_entry",
                "purposes": ["information_exchange"],
                "fields": {"since": "full", "status": "full"},
            },
            {
                "provider": "emergency",
                "consumers": ["ecology"],
                "record_type": "certificate",
                "purposes": ["information_exchange"],
                "fields": {"kind": "full", "number": "masked", "status": "full"},
            },
            code="discipline-to-ecology",
        )

    entries = await post(
        http,
        keys,
        "{ jointDisciplineList { edges { node { owner status trigger } } } }",
        department="ecology",
        roles=("reader",),
        purpose="information_exchange",
    )
    certificates = await post(
        http,
        keys,
        CERTIFICATES,
        department="ecology",
        roles=("reader",),
        purpose="information_exchange",
    )

    assert entries["data"] == {
        "jointDisciplineList": {
            "edges": [{"node": {"owner": "emergency", "status": "LISTED", "trigger": None}}]
        }
    }
    [forbidden] = entries["errors"]
    assert forbidden["extensions"]["code"] == "FORBIDDEN"
    assert (forbidden["extensions"]["element"], forbidden["extensions"]["owners"]) == (
        "joint_discipline_entry.trigger",
        ["emergency"],
    )
    [node] = [e["node"] for e in certificates["data"]["certificates"]["edges"]]
    assert node["id"] == revoked
    assert (node["owner"], node["kind"], node["status"]) == (
        "emergency",
        "SAFETY_PRODUCTION_LICENCE",
        "REVOKED",
    )
    assert node["number"] == "(沪)W*************17"  # masked: its ends kept
    assert "errors" not in certificates
