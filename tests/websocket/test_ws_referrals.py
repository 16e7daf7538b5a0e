"""``referralChanged`` over a real websocket: each side hears of every change of its
referrals (sent, accepted, handled...), the receiver with the referral whole as a party,
and a department with no part and no grant hears nothing."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from ws_support import LiveServer, acknowledged, nothing_within, receive, subscribe

from audit_events import events_for
from liaison.api.app import create_app
from liaison.api.config import Settings
from liaison.api.keys import SigningKeys
from live_server import serving
from world import USCC_CHEMICAL, World, graphql, token

Sessions = async_sessionmaker[AsyncSession]

SEND = """
mutation($input: SendReferralInput!) {
  sendReferral(input: $input) { referral { id } errors { field message } }
}"""
ACCEPT = "mutation($id: ID!) { acceptReferral(input: {id: $id}) { errors { field message } } }"


@pytest.fixture
async def live(settings: Settings, world: World) -> AsyncIterator[LiveServer]:
    app = create_app(dataclasses.replace(settings, subscription_poll_seconds=0.05))
    async with serving(app) as url:
        yield LiveServer(url, app.state.changes)


async def mutate(
    base: str, keys: SigningKeys, department: str, query: str, **variables: Any
) -> Any:
    async with httpx.AsyncClient(base_url=base) as http:
        _, body = await graphql(
            http, query, bearer=token(keys, department, "contributor"), variables=variables
        )
    return body["data"]


async def event(ws: Any) -> dict[str, Any]:
    message = await receive(ws)
    assert message["type"] == "next", message
    payload: dict[str, Any] = message["payload"]
    return payload


async def test_both_sides_hear_each_change_and_nobody_else_does(
    live: LiveServer, keys: SigningKeys, sessions: Sessions
) -> None:
    label = f"ws-referral-{uuid.uuid4().hex[:8]}"
    sender_query = "subscription { referralChanged(side: SENT) { id status receiver } }"
    receiver_query = (
        "subscription { referralChanged(side: RECEIVED) { id owner status description } }"
    )
    async with (
        acknowledged(live.url, token(keys, "market"), purpose=None) as market,
        acknowledged(live.url, token(keys, "emergency"), purpose=None, request_id=label) as bureau,
        acknowledged(live.url, token(keys, "customs"), purpose=None) as customs,
    ):
        await subscribe(market, sender_query)
        await subscribe(bureau, receiver_query)
        await subscribe(customs, "subscription { referralChanged { id } }")
        await live.listening(3)
        sent = await mutate(
            live.url,
            keys,
            "market",
            SEND,
            input={
                "uscc": USCC_CHEMICAL,
                "receiver": "emergency",
                "category": "unlicensed storage",
                "description": "Forty drums of methanol in an unlicensed shed",
                "legalBasis": "Regulations on the Safe Management of Dangerous Chemicals art. 6",
                "feedbackWithinDays": 30,
            },
        )
        referral_id = sent["sendReferral"]["referral"]["id"]
        market_sent, bureau_sent = await event(market), await event(bureau)
        await mutate(live.url, keys, "emergency", ACCEPT, id=referral_id)
        market_accepted, bureau_accepted = await event(market), await event(bureau)
        customs_heard_nothing = await nothing_within(customs, 0.5)

    assert market_sent["data"] == {
        "referralChanged": {"id": referral_id, "status": "SENT", "receiver": "emergency"}
    }
    assert set(market_sent) == set(bureau_sent) == {"data", "extensions"}  # the cursor
    assert {**bureau_sent, "extensions": None} == {
        "extensions": None,
        "data": {
            "referralChanged": {
                "id": referral_id,
                "owner": "market",
                "status": "SENT",
                "description": "Forty drums of methanol in an unlicensed shed",
            }
        },
    }
    assert market_accepted["data"]["referralChanged"]["status"] == "ACCEPTED"
    assert bureau_accepted["data"]["referralChanged"]["status"] == "ACCEPTED"
    assert customs_heard_nothing
    # The receiver's events are party disclosures in the audit trail, one per event.
    audited = await events_for(sessions, f"{label}:1")
    assert len(audited) == 2
    for audited_event in audited:
        reasons = {d.field: d.reason for d in audited_event.entry.disclosures}
        assert reasons["description"] == "party: receiver of referral"
        assert audited_event.entry.operation_type == "subscription"
