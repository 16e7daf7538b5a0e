"""``jointDisciplineChanges`` over a real websocket: when a revocation lists an enterprise,
a department applying measures hears of it as a party, a department whose agreement covers
the enterprise hears as far as its grant goes, and a department with neither hears nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from ws_support import LiveServer, acknowledged, nothing_within, receive, subscribe

from audit_events import events_for
from liaison.api.app import create_app
from liaison.api.config import Settings
from liaison.api.keys import SigningKeys
from liaison.db.certificate_models import DisciplineMeasureRule
from live_server import serving
from world import USCC_CHEMICAL, World, grant, graphql, token

Sessions = async_sessionmaker[AsyncSession]
TODAY = dt.date.today()

ISSUE = """
mutation($input: IssueCertificateInput!) {
  issueCertificate(input: $input) { certificate { id } errors { field message } }
}"""
REVOKE = """
mutation($id: ID!, $on: Date!) {
  recordCertificateEvent(input: {id: $id, kind: REVOKED, occurredOn: $on,
    reasonCategory: SAFETY_VIOLATION, reason: "Fire in the unlicensed storage shed",
    legalBasis: "Regulations on Work Safety Licences art. 22"}) { errors { field message } }
}"""
HEARD = "subscription { jointDisciplineChanges { owner status trigger measures { measure } } }"


@pytest.fixture
async def live(settings: Settings, world: World, sessions: Sessions) -> AsyncIterator[LiveServer]:
    async with sessions() as session, session.begin():
        await session.execute(
            insert(DisciplineMeasureRule),
            {"department_id": world.departments["customs"], "measure": "no_aeo_recognition"},
        )
        await grant(
            session,
            {
                "provider": "emergency",
                "consumers": ["ecology"],
                "record_type": "joint_discipline_entry",
                "purposes": ["information_exchange"],
                "fields": {"status": "full"},
                "scope": {"zones": ["Lingang Chemical Park"]},
            },
            code="discipline-to-ecology",
        )
    app = create_app(dataclasses.replace(settings, subscription_poll_seconds=0.05))
    async with serving(app) as url:
        yield LiveServer(url, app.state.changes)


async def mutate(base: str, keys: SigningKeys, query: str, **variables: Any) -> Any:
    async with httpx.AsyncClient(base_url=base) as http:
        _, body = await graphql(
            http, query, bearer=token(keys, "emergency", "contributor"), variables=variables
        )
    return body["data"]


async def test_parties_and_covering_agreements_hear_of_a_listing_and_nobody_else_does(
    live: LiveServer, keys: SigningKeys, sessions: Sessions
) -> None:
    label = f"ws-discipline-{uuid.uuid4().hex[:8]}"
    async with (
        acknowledged(live.url, token(keys, "customs"), purpose=None, request_id=label) as customs,
        acknowledged(live.url, token(keys, "ecology"), purpose="information_exchange") as ecology,
        acknowledged(live.url, token(keys, "market"), purpose=None) as market,
    ):
        await subscribe(customs, HEARD)
        await subscribe(ecology, "subscription { jointDisciplineChanges { owner status } }")
        await subscribe(market, HEARD)
        await live.listening(3)
        issued = await mutate(
            live.url,
            keys,
            ISSUE,
            input={
                "uscc": USCC_CHEMICAL,
                "kind": "SAFETY_PRODUCTION_LICENCE",
                "number": "(沪)WH安许证字[2024]0117",
                "issuingBody": "Shanghai Emergency Management Bureau",
                "scope": "Production of methanol",
                "validFrom": (TODAY - dt.timedelta(days=400)).isoformat(),
                "validUntil": (TODAY + dt.timedelta(days=700)).isoformat(),
                "legalBasis": "Regulations on Work Safety Licences art. 14",
            },
        )
        certificate_id = issued["issueCertificate"]["certificate"]["id"]
        revoked = await mutate(live.url, keys, REVOKE, id=certificate_id, on=TODAY.isoformat())
        customs_heard, ecology_heard = await receive(customs), await receive(ecology)
        market_heard_nothing = await nothing_within(market, 0.5)

    assert revoked["recordCertificateEvent"]["errors"] == []
    assert customs_heard["type"] == ecology_heard["type"] == "next"
    assert customs_heard["payload"]["data"] == {
        "jointDisciplineChanges": {
            "owner": "emergency",
            "status": "LISTED",
            "trigger": "CERTIFICATE_REVOCATION",
            "measures": [{"measure": "NO_AEO_RECOGNITION"}],
        }
    }
    assert ecology_heard["payload"]["data"] == {
        "jointDisciplineChanges": {"owner": "emergency", "status": "LISTED"}
    }
    assert market_heard_nothing
    [audited] = await events_for(sessions, f"{label}:1")
    reasons = {d.field: d.reason for d in audited.entry.disclosures}
    assert reasons["status"] == "party: applies measures of joint discipline"
    assert audited.entry.operation_type == "subscription"
