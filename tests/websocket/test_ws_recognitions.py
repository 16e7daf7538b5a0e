"""``recognitionLapsed`` over a real websocket: when customs downgrades a credit grade, the
emergency bureau relying on it (the recogniser) and customs (the recognised department, a
party) hear that the recognition lapsed; a department with no part hears nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from ws_support import LiveServer, acknowledged, nothing_within, receive, subscribe

from audit_events import events_for
from liaison.api.app import create_app
from liaison.api.config import Settings
from liaison.api.keys import SigningKeys
from liaison.db import models
from live_server import serving
from world import USCC_CHEMICAL, World, grant, graphql, token

Sessions = async_sessionmaker[AsyncSession]
PURPOSE = "information_exchange"
RATINGS_TO_EMERGENCY = {
    "provider": "customs",
    "consumers": ["emergency"],
    "record_type": "credit_rating",
    "purposes": [PURPOSE],
    "fields": {"scheme": "full", "rule_set": "full", "grade": "full", "effective_on": "full"},
}
RECORD = """
mutation($input: RecordRecognitionInput!) {
  recordRecognition(input: $input) { recognition { id } errors { field message } }
}"""
ISSUE = """
mutation($input: IssueCreditRatingInput!) {
  issueCreditRating(input: $input) { rating { id } errors { field message } }
}"""
LAPSED = "subscription { recognitionLapsed { id owner recognised status lapseReason } }"


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
            http,
            query,
            bearer=token(keys, department, "contributor"),
            variables=variables,
            purpose=PURPOSE,
        )
    return body["data"]


async def event(ws: Any) -> dict[str, Any]:
    message = await receive(ws)
    assert message["type"] == "next", message
    payload: dict[str, Any] = message["payload"]
    return payload


async def test_the_recogniser_and_the_recognised_hear_the_lapse_and_nobody_else_does(
    live: LiveServer, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, RATINGS_TO_EMERGENCY)
        rating_id = await session.scalar(
            select(models.CreditRating.id).where(
                models.CreditRating.enterprise_id == world.enterprises[USCC_CHEMICAL]
            )
        )
    today = dt.date.today()
    made = await mutate(
        live.url,
        keys,
        "emergency",
        RECORD,
        input={
            "uscc": USCC_CHEMICAL,
            "resultType": "CREDIT_RATING",
            "resultId": str(rating_id),
            "facilitation": "PROCEDURE_SIMPLIFICATION",
            "validFrom": today.isoformat(),
            "validUntil": (today + dt.timedelta(days=365)).isoformat(),
            "legalBasis": "FTZ-MOU-2026-01 art. 4",
        },
    )
    recognition_id = made["recordRecognition"]["recognition"]["id"]
    label = f"ws-lapse-{uuid.uuid4().hex[:8]}"
    async with (
        acknowledged(live.url, token(keys, "emergency"), purpose=PURPOSE) as bureau,
        acknowledged(live.url, token(keys, "customs"), purpose=None, request_id=label) as customs,
        acknowledged(live.url, token(keys, "market"), purpose=None) as market,
    ):
        await subscribe(bureau, LAPSED)
        await subscribe(customs, LAPSED)
        await subscribe(market, "subscription { recognitionLapsed { id } }")
        await live.listening(3)
        await mutate(
            live.url,
            keys,
            "customs",
            ISSUE,
            input={
                "uscc": USCC_CHEMICAL,
                "ruleSet": "customs-2026",
                "grade": "dishonest",
                "effectiveOn": today.isoformat(),
            },
        )
        bureau_heard, customs_heard = await event(bureau), await event(customs)
        market_heard_nothing = await nothing_within(market, 0.5)

    expected = {
        "id": recognition_id,
        "owner": "emergency",
        "recognised": "customs",
        "status": "LAPSED",
        "lapseReason": "the credit grade was downgraded by a newer customs_enterprise_credit "
        f"rating effective on {today.isoformat()}",
    }
    assert bureau_heard["data"] == {"recognitionLapsed": expected}
    assert customs_heard["data"] == {"recognitionLapsed": expected}
    assert market_heard_nothing
    # Customs' event is a party disclosure in the audit trail.
    [audited] = await events_for(sessions, f"{label}:1")
    reasons = {d.field: d.reason for d in audited.entry.disclosures}
    assert reasons["lapse_reason"] == "party: department whose result is recognised"
    assert audited.entry.operation_type == "subscription"


async def test_the_recognised_department_hears_a_recognition_recorded_of_its_result(
    live: LiveServer, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, RATINGS_TO_EMERGENCY)
        rating_id = await session.scalar(
            select(models.CreditRating.id).where(
                models.CreditRating.enterprise_id == world.enterprises[USCC_CHEMICAL]
            )
        )
    today = dt.date.today()
    query = f'subscription {{ recognitionChanged(uscc: "{USCC_CHEMICAL}") {{ id owner status }} }}'
    async with (
        acknowledged(live.url, token(keys, "customs"), purpose=None) as customs,
        acknowledged(live.url, token(keys, "market"), purpose=None) as market,
    ):
        await subscribe(customs, query)
        await subscribe(market, query)
        await live.listening(2)
        made = await mutate(
            live.url,
            keys,
            "emergency",
            RECORD,
            input={
                "uscc": USCC_CHEMICAL,
                "resultType": "CREDIT_RATING",
                "resultId": str(rating_id),
                "facilitation": "TRUST_SUPERVISION",
                "validFrom": today.isoformat(),
                "validUntil": (today + dt.timedelta(days=90)).isoformat(),
                "legalBasis": "FTZ-MOU-2026-01 art. 4",
            },
        )
        heard = await event(customs)
        market_heard_nothing = await nothing_within(market, 0.5)

    recognition_id = made["recordRecognition"]["recognition"]["id"]
    assert heard["data"] == {
        "recognitionChanged": {"id": recognition_id, "owner": "emergency", "status": "ACTIVE"}
    }
    assert market_heard_nothing
