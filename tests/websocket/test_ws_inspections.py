"""``jointInspectionPlanChanged`` over a real websocket: the participants hear the plan as
it is proposed and as it becomes active, the invited one as a party; a department with no
part and no grant hears nothing."""

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
from world import RISKS_TO_CUSTOMS, USCC_CHEMICAL, World, grant, graphql, token

Sessions = async_sessionmaker[AsyncSession]

PROPOSE = """
mutation($input: ProposeJointInspectionInput!) {
  proposeJointInspection(input: $input) { plan { id } errors { field message } }
}"""
RESPOND = """
mutation($id: ID!) {
  respondToJointInspection(input: {id: $id, answer: ACCEPT}) { errors { field message } }
}"""
CHANGED = "subscription { jointInspectionPlanChanged { id owner title status } }"


@pytest.fixture
async def live(settings: Settings, world: World, sessions: Sessions) -> AsyncIterator[LiveServer]:
    async with sessions() as session, session.begin():
        await grant(session, RISKS_TO_CUSTOMS)  # an active agreement among all five
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
            purpose="joint_inspection",
        )
    return body["data"]


async def event(ws: Any) -> dict[str, Any]:
    message = await receive(ws)
    assert message["type"] == "next", message
    payload: dict[str, Any] = message["payload"]
    return payload


async def test_the_participants_hear_each_change_of_the_plan_and_nobody_else_does(
    live: LiveServer, keys: SigningKeys, sessions: Sessions
) -> None:
    label = f"ws-inspection-{uuid.uuid4().hex[:8]}"
    async with (
        acknowledged(live.url, token(keys, "customs"), purpose=None) as lead,
        acknowledged(live.url, token(keys, "emergency"), purpose=None, request_id=label) as bureau,
        acknowledged(live.url, token(keys, "market"), purpose=None) as market,
    ):
        for ws in (lead, bureau, market):
            await subscribe(ws, CHANGED)
        await live.listening(3)
        proposed = await mutate(
            live.url,
            keys,
            "customs",
            PROPOSE,
            input={
                "title": "Lingang joint inspection",
                "legalBasis": "FTZ-MOU-2026-01",
                "windowFrom": "2026-01-01",
                "windowUntil": "2026-12-31",
                "participants": ["emergency"],
                "items": [{"department": "emergency", "code": "DG-07"}],
                "targets": [USCC_CHEMICAL],
            },
        )
        plan_id = proposed["proposeJointInspection"]["plan"]["id"]
        lead_proposed, bureau_proposed = await event(lead), await event(bureau)
        await mutate(live.url, keys, "emergency", RESPOND, id=plan_id)
        lead_active, bureau_active = await event(lead), await event(bureau)
        market_heard_nothing = await nothing_within(market, 0.5)

    seen = {"id": plan_id, "owner": "customs", "title": "Lingang joint inspection"}
    assert lead_proposed["data"] == {"jointInspectionPlanChanged": {**seen, "status": "PROPOSED"}}
    assert bureau_proposed["data"] == lead_proposed["data"]
    assert lead_active["data"] == {"jointInspectionPlanChanged": {**seen, "status": "ACTIVE"}}
    assert bureau_active["data"] == lead_active["data"]
    assert market_heard_nothing
    # The invited department's events are party disclosures in the audit trail.
    audited = await events_for(sessions, f"{label}:1")
    assert len(audited) == 2
    for audited_event in audited:
        reasons = {d.field: d.reason for d in audited_event.entry.disclosures}
        assert reasons["title"] == "party: participant of the joint inspection plan"
