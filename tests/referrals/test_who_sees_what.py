"""Who sees a referral: its sender (its own record), its receiver (a party: whole, whatever
the agreements say), and nobody else unless a grant says so, field by field. A returned or
withdrawn referral stays visible to its receiver, but its evidence, the report it carries
and the records it refers to no longer are: the receiver declined it (or it was taken
back), so the disclosure ends there."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from referral_support import (
    REFERRAL_FIELDS,
    Sessions,
    add_market_rating,
    post,
    send,
    step,
)

from liaison.api.keys import SigningKeys
from world import USCC_CHEMICAL, World, grant

ONE = "query($id: ID!) { referral(id: $id) { " + REFERRAL_FIELDS + " } }"
ATTACHMENT = (
    "query($id: ID!) { referralAttachment(id: $id) { id name sha256 contentBase64 "
    "referral { id } } }"
)
RATINGS = "{ creditRatings { edges { node { id owner grade reasons } } } }"
LISTS = (
    "{ referrals { edges { node { id } } } referralsReceived { edges { node { id } } } "
    "referralsSent { edges { node { id } } } }"
)


async def referred(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> tuple[dict[str, Any], str]:
    """A referral from market to emergency with one attachment and market's own rating."""
    rating = await add_market_rating(
        sessions, world.enterprises[USCC_CHEMICAL], world.departments["market"]
    )
    referral = await send(
        http, keys, USCC_CHEMICAL, referredRecords=[{"recordType": "CREDIT_RATING", "id": rating}]
    )
    return referral, rating


async def read(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    query: str,
    department: str,
    purpose: str | None = None,
    **variables: Any,
) -> dict[str, Any]:
    return await post(
        http,
        keys,
        query,
        department=department,
        roles=("reader",),
        variables=variables,
        purpose=purpose,
    )


async def test_nobody_but_its_two_sides_sees_a_referral_without_a_grant(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    referral, rating = await referred(http, keys, world, sessions)
    attachment_id = referral["attachments"][0]["id"]

    for department in ("customs", "park", "ecology"):
        lists = await read(http, keys, LISTS, department)
        one = await read(http, keys, ONE, department, id=referral["id"])
        evidence = await read(http, keys, ATTACHMENT, department, id=attachment_id)
        ratings = await read(http, keys, RATINGS, department, purpose="information_exchange")

        empty = {"edges": []}
        assert lists == {
            "data": {"referrals": empty, "referralsReceived": empty, "referralsSent": empty}
        }
        assert one == {"data": {"referral": None}}
        assert evidence == {"data": {"referralAttachment": None}}
        assert rating not in {e["node"]["id"] for e in ratings["data"]["creditRatings"]["edges"]}


async def test_the_receiver_finds_the_referred_record_wherever_it_is_listed(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    _, rating = await referred(http, keys, world, sessions)

    ratings = await read(http, keys, RATINGS, "emergency")

    assert ratings == {
        "data": {
            "creditRatings": {
                "edges": [
                    {
                        "node": {
                            "id": rating,
                            "owner": "market",
                            "grade": "C",
                            "reasons": "two unlicensed-storage findings in 2026",
                        }
                    }
                ]
            }
        }
    }


@pytest.mark.parametrize(
    ("ending", "side"),
    [("return", "emergency"), ("withdraw", "market")],
    ids=["returned", "withdrawn"],
)
async def test_a_referral_that_ended_keeps_its_record_but_not_its_evidence_for_the_receiver(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    ending: str,
    side: str,
) -> None:
    referral, rating = await referred(http, keys, world, sessions)
    attachment_id = referral["attachments"][0]["id"]
    assert (await step(http, keys, ending, referral["id"], department=side))["errors"] == []

    seen = (await read(http, keys, ONE, "emergency", id=referral["id"]))["data"]["referral"]
    evidence = await read(http, keys, ATTACHMENT, "emergency", id=attachment_id)
    ratings = await read(http, keys, RATINGS, "emergency")
    own = (await read(http, keys, ONE, "market", id=referral["id"]))["data"]["referral"]

    assert seen["description"] == referral["description"]
    assert seen["status"] in {"RETURNED", "WITHDRAWN"}
    assert seen["attachments"] == []
    assert seen["referredCreditRatings"] == []
    assert evidence == {"data": {"referralAttachment": None}}
    assert ratings == {"data": {"creditRatings": {"edges": []}}}
    # The sender's own records: all still there for it.
    assert own["attachments"] == referral["attachments"]
    assert [r["id"] for r in own["referredCreditRatings"]] == [rating]


async def test_a_handled_referral_keeps_its_evidence_for_the_receiver(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    referral, rating = await referred(http, keys, world, sessions)
    for move in ("accept", "handle"):
        assert (await step(http, keys, move, referral["id"], department="emergency"))[
            "errors"
        ] == []

    seen = (await read(http, keys, ONE, "emergency", id=referral["id"]))["data"]["referral"]

    assert seen["attachments"] == referral["attachments"]
    assert [r["id"] for r in seen["referredCreditRatings"]] == [rating]


async def test_a_grant_shows_a_third_department_only_the_fields_it_names(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    referral, _ = await referred(http, keys, world, sessions)
    async with sessions() as session, session.begin():
        await grant(
            session,
            {
                "provider": "market",
                "consumers": ["park"],
                "record_type": "referral",
                "purposes": ["joint_inspection"],
                "fields": {"receiver": "full", "status": "full", "sent_on": "masked"},
            },
            {
                "provider": "market",
                "consumers": ["park"],
                "record_type": "referral_attachment",
                "purposes": ["joint_inspection"],
                "fields": {"name": "full"},
            },
        )
    query = (
        "query($id: ID!) { referral(id: $id) { id owner receiver status sentOn description "
        "attachments { name contentBase64 } referredCreditRatings { id } } }"
    )

    body = await read(http, keys, query, "park", purpose="joint_inspection", id=referral["id"])

    assert body["data"] == {
        "referral": {
            "id": referral["id"],
            "owner": "market",
            "receiver": "emergency",
            "status": "SENT",
            "sentOn": referral["sentOn"][:7],
            "description": None,
            "attachments": [{"name": "shed-3-inspection.txt", "contentBase64": None}],
            "referredCreditRatings": [],
        }
    }
    assert sorted(
        (e["extensions"]["field"], e["extensions"]["owners"], e["extensions"]["withheldRecords"])
        for e in body["errors"]
    ) == [
        ("Referral.description", ["market"], 1),
        ("ReferralAttachment.contentBase64", ["market"], 1),
    ]


async def test_without_a_purpose_the_grant_shows_nothing_but_the_receiver_still_sees_all(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    referral, _ = await referred(http, keys, world, sessions)
    async with sessions() as session, session.begin():
        await grant(
            session,
            {
                "provider": "market",
                "consumers": ["park", "emergency"],
                "record_type": "referral",
                "purposes": ["joint_inspection"],
                "fields": {"status": "full"},
            },
        )
    query = "query($id: ID!) { referral(id: $id) { id status description } }"

    park = await read(http, keys, query, "park", id=referral["id"])
    emergency = await read(http, keys, query, "emergency", id=referral["id"])

    assert park["data"] == {"referral": None}
    assert emergency["data"] == {
        "referral": {"id": referral["id"], "status": "SENT", "description": referral["description"]}
    }
    # The party's disclosure needs no purpose; the caller's grants still ask for one.
    assert [e["extensions"]["code"] for e in emergency["errors"]] == ["PURPOSE_REQUIRED"]


async def test_filters_on_governed_fields_need_full_grants_only_beyond_ones_own_two_sides(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    referral, _ = await referred(http, keys, world, sessions)
    async with sessions() as session, session.begin():
        await grant(
            session,
            {
                "provider": "market",
                "consumers": ["emergency"],
                "record_type": "referral",
                "purposes": ["joint_inspection"],
                "fields": {"category": "full"},
            },
        )

    def by_status(root: str) -> str:
        return "{ " + root + "(filter: {status: SENT, overdue: false}) { edges { node { id } } } }"

    received = await read(
        http, keys, by_status("referralsReceived"), "emergency", "joint_inspection"
    )
    everything = await read(http, keys, by_status("referrals"), "emergency", "joint_inspection")

    assert received == {
        "data": {"referralsReceived": {"edges": [{"node": {"id": referral["id"]}}]}}
    }
    assert everything["data"] is None
    [refusal] = everything["errors"]
    assert refusal["extensions"]["code"] == "FORBIDDEN"
    assert refusal["message"] == (
        "Filtering on referral.overdue, referral.status needs it shared at full level by every "
        "department whose records are in view."
    )
