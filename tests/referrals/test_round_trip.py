"""A referral's round trip over HTTP with real tokens: market supervision sends a clue with
its evidence and a rating of its own; the emergency bureau, which no agreement shares any
of it with, sees exactly that, whole, accepts it and handles it with its feedback; market
sees the feedback. Every step is audited, the receiver's reads as a party disclosure."""

from __future__ import annotations

import base64
import datetime as dt

import httpx
from referral_support import (
    EVIDENCE,
    REFERRAL_FIELDS,
    Sessions,
    add_market_rating,
    counts,
    new_request_id,
    post,
    send,
    sha256_hex,
    step,
)

from audit_events import events_for
from liaison.api.keys import SigningKeys
from world import USCC_CHEMICAL, World

RECEIVED = "query { referralsReceived { edges { node { " + REFERRAL_FIELDS + " } } } }"
SENT = "query { referralsSent { edges { node { id status feedback penaltyDecision overdue } } } }"


async def test_a_referral_is_sent_with_its_evidence_and_the_sender_reads_it_back(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    rating = await add_market_rating(
        sessions, world.enterprises[USCC_CHEMICAL], world.departments["market"]
    )
    before = await counts(sessions)
    today = dt.date.today()

    referral = await send(
        http,
        keys,
        USCC_CHEMICAL,
        referredRecords=[{"recordType": "CREDIT_RATING", "id": rating}],
    )

    assert referral["owner"] == "market"
    assert referral["receiver"] == "emergency"
    assert referral["enterprise"] == {"uscc": USCC_CHEMICAL}
    assert referral["status"] == "SENT"
    assert referral["sentOn"] == today.isoformat()
    assert referral["feedbackDeadline"] == (today + dt.timedelta(days=30)).isoformat()
    assert referral["overdue"] is False
    assert [a["sha256"] for a in referral["attachments"]] == [sha256_hex(EVIDENCE)]
    assert base64.b64decode(referral["attachments"][0]["contentBase64"]) == EVIDENCE
    assert referral["attachments"][0]["sizeBytes"] == len(EVIDENCE)
    assert referral["referredCreditRatings"] == [{"id": rating, "owner": "market", "grade": "C"}]
    after = await counts(sessions)
    assert {t: after[t] - before[t] for t in after} == {
        "referral": 1,
        "referral_attachment": 1,
        "attachment_blob": 1,
        "referred_record": 1,
        "public_report": 0,
        "record_change": 2,  # the referral and its attachment, for the change feed
    }


async def test_the_receiver_sees_exactly_what_was_referred_whole_without_any_agreement(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    rating = await add_market_rating(
        sessions, world.enterprises[USCC_CHEMICAL], world.departments["market"]
    )
    sent = await send(
        http, keys, USCC_CHEMICAL, referredRecords=[{"recordType": "CREDIT_RATING", "id": rating}]
    )
    label = new_request_id("received")

    body = await post(
        http, keys, RECEIVED, department="emergency", roles=("reader",), request_id=label
    )

    assert "errors" not in body, body
    [edge] = body["data"]["referralsReceived"]["edges"]
    assert edge["node"] == sent  # field for field what the sender sees
    [event] = await events_for(sessions, label)
    reasons = {(d.record_type, d.field): (d.level, d.reason) for d in event.entry.disclosures}
    assert reasons[("referral", "description")] == ("full", "party: receiver of referral")
    assert reasons[("referral_attachment", "content")] == ("full", "party: receiver of referral")
    assert reasons[("credit_rating", "grade")] == (
        "full",
        "party: referred by a referral to its receiver",
    )
    assert all(d.agreement_code is None for d in event.entry.disclosures)
    assert [(k.provider, k.record_type, k.record_ids) for k in event.entry.disclosed] == [
        ("market", "credit_rating", rating),
        ("market", "referral", sent["id"]),
        ("market", "referral_attachment", sent["attachments"][0]["id"]),
    ]


async def test_accepting_then_handling_brings_the_feedback_back_to_the_sender(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    referral_id = (await send(http, keys, USCC_CHEMICAL))["id"]
    today = dt.date.today().isoformat()

    accepted = await step(http, keys, "accept", referral_id, department="emergency")
    handled = await step(http, keys, "handle", referral_id, department="emergency")
    body = await post(http, keys, SENT, department="market", roles=("reader",))

    assert accepted["errors"] == []
    assert accepted["referral"]["status"] == "ACCEPTED"
    assert accepted["referral"]["acceptedOn"] == today
    assert handled["errors"] == []
    assert handled["referral"]["status"] == "HANDLED"
    assert handled["referral"]["handledOn"] == today
    assert body == {
        "data": {
            "referralsSent": {
                "edges": [
                    {
                        "node": {
                            "id": referral_id,
                            "status": "HANDLED",
                            "feedback": "Inspected; drums removed; fined",
                            "penaltyDecision": "SH-YJ-2026-0117",
                            "overdue": False,
                        }
                    }
                ]
            }
        }
    }
