"""The joint discipline list: a revocation for a safety or environmental violation, or a
seriously dishonest rating, lists the enterprise in the same transaction, with each
department's standing measures; other revocations and grades do not; an enterprise stays
on one entry at a time; a documented credit repair takes it off, the entry kept REPAIRED;
a repair that does not hold is refused on its field with nothing written."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
from certificate_support import (
    LIST,
    REPAIR,
    TODAY,
    Sessions,
    counts,
    issue,
    post,
    record,
    seed_standing_measures,
)

from audit_events import events_for
from liaison.api.keys import SigningKeys
from recognition.recognition_support import (
    customs_rating_id,
    recognised,
    recognition_input,
    share_results,
)
from world import USCC_CHEMICAL, USCC_PAINTS, World

MEASURES = [
    {"department": "customs", "measure": "HIGHER_INSPECTION_FREQUENCY"},
    {"department": "customs", "measure": "NO_AEO_RECOGNITION"},
    {"department": "market", "measure": "RESTRICTED_LICENSING"},
    {"department": "park", "measure": "NO_FACILITATION"},
]
RATE = (
    "mutation($input: IssueCreditRatingInput!) { issueCreditRating(input: $input) {"
    " rating { id grade } errors { field message } } }"
)


@pytest.fixture
async def measures(world: World, sessions: Sessions) -> None:
    await seed_standing_measures(sessions, world)


async def revoke_for(
    http: httpx.AsyncClient, keys: SigningKeys, uscc: str, category: str
) -> dict[str, Any]:
    number = f"(沪)WH安许证字[2024]{uuid.uuid4().hex[:6]}"
    certificate_id = (await issue(http, keys, uscc, number=number))["id"]
    payload = await record(http, keys, certificate_id, "REVOKED", reasonCategory=category)
    assert payload["errors"] == []
    return payload


async def rate(http: httpx.AsyncClient, keys: SigningKeys, uscc: str, grade: str) -> dict[str, Any]:
    body = await post(
        http,
        keys,
        RATE,
        department="customs",
        variables={
            "input": {
                "uscc": uscc,
                "ruleSet": "customs-2026",
                "grade": grade,
                "effectiveOn": (TODAY - dt.timedelta(days=3)).isoformat(),
            }
        },
    )
    payload: dict[str, Any] = body["data"]["issueCreditRating"]
    assert payload["errors"] == []
    return payload["rating"]


async def the_list(http: httpx.AsyncClient, keys: SigningKeys, department: str) -> list[Any]:
    body = await post(http, keys, LIST, department=department, roles=("reader",))
    assert "errors" not in body, body
    return [edge["node"] for edge in body["data"]["jointDisciplineList"]["edges"]]


async def test_a_revocation_for_a_safety_violation_lists_the_enterprise_with_the_measures(
    http: httpx.AsyncClient, keys: SigningKeys, measures: None
) -> None:
    revoked = await revoke_for(http, keys, USCC_CHEMICAL, "SAFETY_VIOLATION")
    revocation = revoked["certificate"]["events"][-1]

    [entry] = await the_list(http, keys, "emergency")

    assert {k: v for k, v in entry.items() if k != "id"} == {
        "owner": "emergency",
        "enterprise": {"uscc": USCC_CHEMICAL},
        "since": TODAY.isoformat(),
        "trigger": "CERTIFICATE_REVOCATION",
        "status": "LISTED",
        "repairedOn": None,
        "repairBasis": None,
        "certificateEvent": {
            "id": revocation["id"],
            "kind": "REVOKED",
            "reasonCategory": "SAFETY_VIOLATION",
        },
        "creditRating": None,
        "measures": MEASURES,
    }


async def test_entering_the_list_lapses_the_recognitions_resting_on_the_enterprise(
    http: httpx.AsyncClient, keys: SigningKeys, measures: None, sessions: Sessions, world: World
) -> None:
    await share_results(sessions)
    rating = await customs_rating_id(sessions, world.enterprises[USCC_CHEMICAL])
    made = await recognised(
        http,
        keys,
        "emergency",
        recognition_input(USCC_CHEMICAL, "CREDIT_RATING", rating, facilitation="TRUST_SUPERVISION"),
    )
    label = f"rate-{uuid.uuid4().hex}"

    body = await post(
        http,
        keys,
        RATE,
        department="customs",
        request_id=label,
        variables={
            "input": {
                "uscc": USCC_CHEMICAL,
                "ruleSet": "customs-2026",
                "grade": "seriously_dishonest",
                "effectiveOn": TODAY.isoformat(),
            }
        },
    )

    assert body["data"]["issueCreditRating"]["errors"] == []
    found = await post(
        http,
        keys,
        "query($id: ID!) { recognition(id: $id) { status lapsedOn lapseReason } }",
        department="emergency",
        roles=("reader",),
        variables={"id": made["id"]},
    )
    assert found["data"]["recognition"] == {
        "status": "LAPSED",
        "lapsedOn": TODAY.isoformat(),
        "lapseReason": f"the enterprise entered the joint discipline list on {TODAY.isoformat()}",
    }
    # The rating's audit event names the bureau's recognition it made lapse (customs, the
    # recognised department, reads it back as a party), though the listing lapsed it.
    [event] = await events_for(sessions, label)
    disclosed = {(k.provider, k.record_type): k.ids() for k in event.entry.disclosed}
    assert disclosed[("emergency", "recognition")] == [int(made["id"])]


async def test_a_revocation_for_an_environmental_violation_lists_it_and_others_do_not(
    http: httpx.AsyncClient, keys: SigningKeys, measures: None
) -> None:
    await revoke_for(http, keys, USCC_CHEMICAL, "QUALITY_VIOLATION")
    await revoke_for(http, keys, USCC_PAINTS, "ENVIRONMENTAL_VIOLATION")

    listed = await the_list(http, keys, "emergency")

    assert [e["enterprise"]["uscc"] for e in listed] == [USCC_PAINTS]


async def test_a_seriously_dishonest_rating_lists_the_enterprise_in_its_transaction(
    http: httpx.AsyncClient, keys: SigningKeys, measures: None, sessions: Sessions
) -> None:
    before = await counts(sessions)
    await rate(http, keys, USCC_PAINTS, "dishonest")
    rating = await rate(http, keys, USCC_CHEMICAL, "seriously_dishonest")

    [entry] = await the_list(http, keys, "customs")

    assert (entry["owner"], entry["trigger"], entry["enterprise"]) == (
        "customs",
        "CREDIT_RATING",
        {"uscc": USCC_CHEMICAL},
    )
    assert entry["creditRating"] == {"id": rating["id"], "grade": "seriously_dishonest"}
    assert entry["since"] == (TODAY - dt.timedelta(days=3)).isoformat()
    assert entry["measures"] == MEASURES
    after = await counts(sessions)
    assert after["joint_discipline_entry"] - before["joint_discipline_entry"] == 1
    assert after["joint_discipline_measure"] - before["joint_discipline_measure"] == 4


async def test_an_enterprise_already_listed_stays_on_its_first_entry(
    http: httpx.AsyncClient, keys: SigningKeys, measures: None, sessions: Sessions
) -> None:
    await revoke_for(http, keys, USCC_CHEMICAL, "SAFETY_VIOLATION")
    before = await counts(sessions)

    await rate(http, keys, USCC_CHEMICAL, "seriously_dishonest")

    after = await counts(sessions)
    assert after["credit_rating"] == before["credit_rating"] + 1
    assert after["joint_discipline_entry"] == before["joint_discipline_entry"]
    [entry] = await the_list(http, keys, "emergency")
    assert entry["trigger"] == "CERTIFICATE_REVOCATION"


def repair_input(uscc: str, **overrides: Any) -> dict[str, Any]:
    return {
        "uscc": uscc,
        "repairedOn": TODAY.isoformat(),
        "basis": "Credit repair decision SH-YJ-XF-2026-031: rectification accepted, "
        "public commitment made, training completed",
        **overrides,
    }


async def test_a_documented_credit_repair_takes_it_off_the_list_and_keeps_the_entry(
    http: httpx.AsyncClient, keys: SigningKeys, measures: None
) -> None:
    await revoke_for(http, keys, USCC_CHEMICAL, "SAFETY_VIOLATION")

    body = await post(
        http, keys, REPAIR, department="emergency", variables={"input": repair_input(USCC_CHEMICAL)}
    )
    listed_now = await post(
        http,
        keys,
        "{ jointDisciplineList(filter: {status: LISTED}) { edges { node { id } } } }",
        department="emergency",
        roles=("reader",),
    )

    payload = body["data"]["repairCredit"]
    assert payload["errors"] == []
    entry = payload["entry"]
    assert (entry["status"], entry["repairedOn"]) == ("REPAIRED", TODAY.isoformat())
    assert entry["repairBasis"].startswith("Credit repair decision SH-YJ-XF-2026-031")
    assert entry["trigger"] == "CERTIFICATE_REVOCATION"  # its history kept
    assert listed_now["data"] == {"jointDisciplineList": {"edges": []}}
    # Listed again later, it is a new entry; the repaired one stays.
    await revoke_for(http, keys, USCC_CHEMICAL, "ENVIRONMENTAL_VIOLATION")
    entries = await the_list(http, keys, "emergency")
    assert [e["status"] for e in entries] == ["REPAIRED", "LISTED"]


@pytest.mark.parametrize(
    ("case", "department", "overrides", "expected"),
    [
        ("an enterprise not on the list", "emergency", {"uscc": USCC_PAINTS}, [("uscc", "listed")]),
        ("listed by another department", "customs", {}, [("uscc", "listed")]),
        (
            "an unknown enterprise",
            "emergency",
            {"uscc": "91310000MA1FL0001R"},
            [("uscc", "exists")],
        ),
        (
            "a repair before the listing",
            "emergency",
            {"repairedOn": (TODAY - dt.timedelta(days=2)).isoformat()},
            [("repairedOn", "order")],
        ),
        (
            "a repair in the future",
            "emergency",
            {"repairedOn": (TODAY + dt.timedelta(days=2)).isoformat()},
            [("repairedOn", "future")],
        ),
        ("a repair without its basis", "emergency", {"basis": "  "}, [("basis", "required")]),
    ],
)
async def test_a_repair_that_does_not_hold_is_refused_on_its_field_and_nothing_is_written(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    measures: None,
    sessions: Sessions,
    case: str,
    department: str,
    overrides: dict[str, Any],
    expected: list[tuple[str, str]],
) -> None:
    await revoke_for(http, keys, USCC_CHEMICAL, "SAFETY_VIOLATION")
    before = await counts(sessions)

    body = await post(
        http,
        keys,
        REPAIR,
        department=department,
        variables={"input": {**repair_input(USCC_CHEMICAL), **overrides}},
    )

    payload = body["data"]["repairCredit"]
    assert payload["entry"] is None
    assert [(e["field"], e["rule"]) for e in payload["errors"]] == expected
    assert await counts(sessions) == before
    [entry] = await the_list(http, keys, "emergency")
    assert entry["status"] == "LISTED"
