"""Public reports (the safety reporting telephone, the mailbox, the online form) are entered
by the department that received them, the enterprise if known, and referred like any clue:
the referral carries the report to its receiver, who sees it whole while the referral is in
hand. The reporter's contact is masked (phone) for whoever a grant shows it masked."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from referral_support import Sessions, counts, new_request_id, post, send, step

from audit_events import events_for
from liaison.api.keys import SigningKeys
from world import USCC_CHEMICAL, USCC_PAINTS, World, grant

ENTER = """
mutation($input: EnterPublicReportInput!) {
  enterPublicReport(input: $input) {
    report { id owner enterprise { uscc } channel receivedOn anonymous reporterName
             reporterContact category content }
    errors { field rule message }
  }
}"""
REPORTS = (
    "{ publicReports { edges { node { id owner enterprise { uscc } channel reporterContact "
    "content referrals { id receiver } } } } }"
)


def report_input(**overrides: Any) -> dict[str, Any]:
    return {
        "channel": "TELEPHONE",
        "receivedOn": "2026-11-30",
        "category": "illegal storage",
        "content": "Drums of solvent are unloaded at night behind the plant",
        "reporterName": "张伟",
        "reporterContact": "13912345678",
        "uscc": USCC_CHEMICAL,
        **overrides,
    }


async def enter(
    http: httpx.AsyncClient, keys: SigningKeys, department: str = "park", **overrides: Any
) -> dict[str, Any]:
    body = await post(
        http, keys, ENTER, department=department, variables={"input": report_input(**overrides)}
    )
    payload = body["data"]["enterPublicReport"]
    assert payload["errors"] == [], payload
    report: dict[str, Any] = payload["report"]
    return report


async def test_the_receiving_department_enters_a_report_and_owns_it(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    before = await counts(sessions)

    report = await enter(http, keys)

    assert report == {
        "id": report["id"],
        "owner": "park",
        "enterprise": {"uscc": USCC_CHEMICAL},
        "channel": "TELEPHONE",
        "receivedOn": "2026-11-30",
        "anonymous": False,
        "reporterName": "张伟",
        "reporterContact": "13912345678",
        "category": "illegal storage",
        "content": "Drums of solvent are unloaded at night behind the plant",
    }
    after = await counts(sessions)
    assert (after["public_report"], after["record_change"]) == (
        before["public_report"] + 1,
        before["record_change"] + 1,
    )


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        pytest.param(
            {"anonymous": True},
            [
                (
                    "anonymous",
                    "anonymous",
                    "an anonymous report keeps neither the reporter's name nor contact",
                )
            ],
            id="anonymous-with-contact",
        ),
        pytest.param(
            {"receivedOn": (dt.date.today() + dt.timedelta(days=1)).isoformat()},
            [("receivedOn", "order", "receivedOn must not be in the future")],
            id="future",
        ),
        pytest.param(
            {"uscc": "91310115MA1L00010N"},
            [("uscc", "exists", "no enterprise is registered under 91310115MA1L00010N")],
            id="unknown-enterprise",
        ),
        pytest.param(
            {"reporterContact": "call me"},
            [("reporterContact", "phone", "reporterContact is a phone number")],
            id="phone",
        ),
        pytest.param(
            {"content": " ", "category": ""},
            [
                ("category", "required", "category must not be empty"),
                ("content", "required", "content must not be empty"),
            ],
            id="blank",
        ),
    ],
)
async def test_a_bad_report_is_refused_field_by_field_and_nothing_is_written(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    overrides: dict[str, Any],
    expected: list[tuple[str, str, str]],
) -> None:
    before = await counts(sessions)

    body = await post(
        http, keys, ENTER, department="park", variables={"input": report_input(**overrides)}
    )

    payload = body["data"]["enterPublicReport"]
    assert payload["report"] is None
    assert [(e["field"], e["rule"], e["message"]) for e in payload["errors"]] == expected
    assert await counts(sessions) == before


async def test_an_anonymous_report_of_no_known_enterprise_is_seen_by_its_owner_only(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    report = await enter(
        http, keys, anonymous=True, reporterName=None, reporterContact=None, uscc=None
    )
    # A grant scoped to zones reaches only reports of an enterprise in them.
    async with sessions() as session, session.begin():
        await grant(
            session,
            {
                "provider": "park",
                "consumers": ["emergency"],
                "record_type": "public_report",
                "purposes": ["emergency_response"],
                "scope": {"zones": ["Lingang Chemical Park"]},
                "fields": {"content": "full"},
            },
        )

    own = await post(http, keys, REPORTS, department="park", roles=("reader",))
    other = await post(
        http, keys, REPORTS, department="emergency", roles=("reader",), purpose="emergency_response"
    )

    assert own["data"]["publicReports"]["edges"] == [
        {
            "node": {
                "id": report["id"],
                "owner": "park",
                "enterprise": None,
                "channel": "TELEPHONE",
                "reporterContact": None,
                "content": "Drums of solvent are unloaded at night behind the plant",
                "referrals": [],
            }
        }
    ]
    assert other["data"] == {"publicReports": {"edges": []}}


async def test_an_unscoped_grant_reaches_a_report_of_no_enterprise_with_the_contact_masked(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    report = await enter(http, keys, uscc=None)
    async with sessions() as session, session.begin():
        await grant(
            session,
            {
                "provider": "park",
                "consumers": ["emergency"],
                "record_type": "public_report",
                "purposes": ["emergency_response"],
                "fields": {"content": "full", "channel": "full", "reporter_contact": "masked"},
            },
        )

    body = await post(
        http, keys, REPORTS, department="emergency", roles=("reader",), purpose="emergency_response"
    )

    assert body == {
        "data": {
            "publicReports": {
                "edges": [
                    {
                        "node": {
                            "id": report["id"],
                            "owner": "park",
                            "enterprise": None,
                            "channel": "TELEPHONE",
                            "reporterContact": "139****5678",
                            "content": "Drums of solvent are unloaded at night behind the plant",
                            "referrals": [],
                        }
                    }
                ]
            }
        }
    }


async def test_a_referred_report_is_carried_whole_to_the_receiver_while_in_hand(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    report = await enter(http, keys)
    # No USCC given: the report names the enterprise.
    referral = await send(http, keys, None, sender="park", reportId=report["id"])
    label = new_request_id("carried")

    carried = await post(
        http, keys, REPORTS, department="emergency", roles=("reader",), request_id=label
    )
    own = await post(http, keys, REPORTS, department="park", roles=("reader",))
    await step(http, keys, "return", referral["id"], department="emergency")
    after_return = await post(http, keys, REPORTS, department="emergency", roles=("reader",))

    assert referral["enterprise"] == {"uscc": USCC_CHEMICAL}  # taken from the report
    assert referral["report"] == {
        "id": report["id"],
        "channel": "TELEPHONE",
        "content": "Drums of solvent are unloaded at night behind the plant",
        "reporterContact": "13912345678",
    }
    [node] = [e["node"] for e in carried["data"]["publicReports"]["edges"]]
    assert node["reporterContact"] == "13912345678"
    assert node["referrals"] == [{"id": referral["id"], "receiver": "emergency"}]
    [event] = await events_for(sessions, label)
    reasons = {(d.record_type, d.field): d.reason for d in event.entry.disclosures}
    assert reasons[("public_report", "reporter_contact")] == (
        "party: carried by a referral to its receiver"
    )
    assert own["data"]["publicReports"]["edges"][0]["node"]["referrals"] == [
        {"id": referral["id"], "receiver": "emergency"}
    ]
    assert after_return["data"] == {"publicReports": {"edges": []}}


async def test_a_report_is_referred_only_by_its_owner_and_for_its_own_enterprise(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    report = await enter(http, keys)
    unknown = await enter(http, keys, uscc=None)
    before = await counts(sessions)
    cases = [
        ("market", {"reportId": report["id"], "uscc": None}),
        ("park", {"reportId": report["id"], "uscc": USCC_PAINTS}),
        ("park", {"reportId": unknown["id"], "uscc": None}),
        ("park", {"reportId": "x"}),
    ]
    found = []
    for sender, overrides in cases:
        body = await post(
            http,
            keys,
            "mutation($input: SendReferralInput!) { sendReferral(input: $input) "
            "{ referral { id } errors { field rule message } } }",
            department=sender,
            variables={
                "input": {
                    "receiver": "emergency",
                    "category": "illegal storage",
                    "description": "Reported by telephone",
                    "legalBasis": "Work Safety Law art. 74",
                    "feedbackWithinDays": 15,
                    "uscc": USCC_CHEMICAL,
                    **overrides,
                }
            },
        )
        found.append(
            [(e["field"], e["rule"], e["message"]) for e in body["data"]["sendReferral"]["errors"]]
        )

    assert found == [
        [("reportId", "exists", "no report of your department has this id")],
        [("uscc", "report", "the report concerns another enterprise")],
        [("uscc", "required", "name the enterprise the clue concerns (USCC)")],
        [("reportId", "exists", "no report of your department has this id")],
    ]
    assert await counts(sessions) == before
