"""Subscriptions push other departments' records as they commit, through the same gate
(grants, masks, row scope, withheld fields) and the same audit as a query; they end when
the agreement that allowed them is revoked or expires."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from ws_support import LiveServer, acknowledged, nothing_within, receive, subscribe

from audit_events import events_for
from faults import audit_storage_unwritable
from liaison.api.app import create_app
from liaison.api.config import Settings
from liaison.api.keys import SigningKeys
from liaison.db import models
from liaison.db.changes import note_change
from live_server import serving
from world import (
    RISKS_TO_CUSTOMS,
    USCC_CHEMICAL,
    USCC_PAINTS,
    USCC_WAREHOUSE,
    World,
    grant,
    graphql,
    token,
)

Sessions = async_sessionmaker[AsyncSession]

RISKS = "subscription { riskChanged { id owner enterprise { uscc } category level description } }"
REPORT = """
mutation($input: ReportRiskInput!) {
  reportRisk(input: $input) { risk { id } errors { field message } }
}"""


@pytest.fixture
async def live(settings: Settings, world: World) -> AsyncIterator[LiveServer]:
    app = create_app(dataclasses.replace(settings, subscription_poll_seconds=0.05))
    async with serving(app) as url:
        yield LiveServer(url, app.state.changes)


async def report_risk(base: str, keys: SigningKeys, uscc: str, category: str) -> str:
    """emergency reports a risk over HTTP, as its own system would."""
    async with httpx.AsyncClient(base_url=base) as http:
        _, body = await graphql(
            http,
            REPORT,
            bearer=token(keys, "emergency", "contributor"),
            variables={
                "input": {
                    "uscc": uscc,
                    "category": category,
                    "description": "Solvent drums stored beside the boiler room",
                    "level": "MAJOR",
                    "foundOn": "2026-11-20",
                    "rectificationDeadline": "2026-12-20",
                    "supervisingDepartment": "emergency",
                }
            },
        )
    assert body["data"]["reportRisk"]["errors"] == [], body
    risk_id: str = body["data"]["reportRisk"]["risk"]["id"]
    return risk_id


async def next_event(ws: Any) -> dict[str, Any]:
    message = await receive(ws)
    assert message["type"] == "next", message
    payload: dict[str, Any] = message["payload"]
    return payload


async def test_a_granted_event_arrives_with_granted_fields_and_one_forbidden_error(
    live: LiveServer, keys: SigningKeys, sessions: Sessions
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, RISKS_TO_CUSTOMS)
    label = f"sub-{uuid.uuid4().hex[:8]}"
    async with acknowledged(live.url, token(keys, "customs"), request_id=label) as ws:
        await subscribe(ws, RISKS)
        await live.listening()
        assert await nothing_within(ws, 0.3)  # nothing happened yet: nothing is sent
        risk_id = await report_risk(live.url, keys, USCC_PAINTS, "fire protection")
        event = await next_event(ws)

    assert event["data"] == {
        "riskChanged": {
            "id": risk_id,
            "owner": "emergency",
            "enterprise": {"uscc": USCC_PAINTS},
            "category": "fire protection",
            "level": "MAJOR",
            "description": None,
        }
    }
    [error] = event["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["extensions"]["field"] == "Risk.description"
    assert error["extensions"]["withheldRecords"] == 1

    # The event was audited (committed before it was sent) like a query's read.
    [audited] = await events_for(sessions, f"{label}:1")
    assert audited.entry.operation_type == "subscription"
    assert audited.entry.purpose == "joint_inspection"
    levels = {(d.field, d.level) for d in audited.entry.disclosures if d.record_type == "risk"}
    assert {("category", "full"), ("level", "full"), ("description", "none")} <= levels
    assert [(k.provider, k.record_type, k.record_ids) for k in audited.entry.disclosed] == [
        ("emergency", "risk", risk_id)
    ]


async def test_fragments_and_aliases_meet_the_same_gate_in_an_event(
    live: LiveServer, keys: SigningKeys, sessions: Sessions
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, RISKS_TO_CUSTOMS)
    query = (
        "subscription { riskChanged { ...R } } "
        "fragment R on Risk { kind: category secret: description evidence }"
    )
    async with acknowledged(live.url, token(keys, "customs")) as ws:
        await subscribe(ws, query)
        await live.listening()
        await report_risk(live.url, keys, USCC_CHEMICAL, "storage")
        event = await next_event(ws)

    assert event["data"] == {"riskChanged": {"kind": "storage", "secret": None, "evidence": None}}
    assert sorted(e["extensions"]["field"] for e in event["errors"]) == [
        "Risk.description",
        "Risk.evidence",
    ]


async def test_records_outside_the_grants_row_scope_are_not_sent(
    live: LiveServer, keys: SigningKeys, sessions: Sessions
) -> None:
    scoped = {**RISKS_TO_CUSTOMS, "scope": {"zones": ["Waigaoqiao Bonded Zone"]}}
    async with sessions() as session, session.begin():
        await grant(session, scoped)
    async with acknowledged(live.url, token(keys, "customs")) as ws:
        await subscribe(ws, "subscription { riskChanged { enterprise { uscc } category } }")
        await live.listening()
        await report_risk(live.url, keys, USCC_PAINTS, "out of scope")  # Lingang
        await report_risk(live.url, keys, USCC_WAREHOUSE, "in scope")  # Waigaoqiao
        first = await next_event(ws)
        assert await nothing_within(ws, 0.3)

    assert first["data"] == {
        "riskChanged": {"enterprise": {"uscc": USCC_WAREHOUSE}, "category": "in scope"}
    }


async def test_without_a_grant_nothing_is_sent_and_a_department_sees_its_own_in_full(
    live: LiveServer, keys: SigningKeys
) -> None:
    async with (
        acknowledged(live.url, token(keys, "customs")) as customs,
        acknowledged(live.url, token(keys, "emergency")) as emergency,
    ):
        await subscribe(customs, RISKS)
        await subscribe(emergency, RISKS)
        await live.listening(2)
        await report_risk(live.url, keys, USCC_CHEMICAL, "own")
        own = await next_event(emergency)
        assert await nothing_within(customs, 0.5)

    assert "errors" not in own
    assert (
        own["data"]["riskChanged"]["description"] == "Solvent drums stored beside the boiler room"
    )


async def test_an_events_filter_argument_is_validated_and_applied(
    live: LiveServer, keys: SigningKeys
) -> None:
    async with acknowledged(live.url, token(keys, "emergency")) as ws:
        await subscribe(ws, 'subscription { riskChanged(uscc: "not-a-uscc") { id } }', None, "bad")
        refused = await receive(ws)
        await subscribe(
            ws,
            "subscription($u: String) { riskChanged(uscc: $u) { enterprise { uscc } } }",
            {"u": USCC_WAREHOUSE},
            "one",
        )
        await live.listening()
        await report_risk(live.url, keys, USCC_PAINTS, "other enterprise")
        await report_risk(live.url, keys, USCC_WAREHOUSE, "this enterprise")
        event = await next_event(ws)

    assert refused["id"] == "bad"
    assert refused["type"] == "error"  # refused before it started: no events, no complete
    assert refused["payload"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert event["data"] == {"riskChanged": {"enterprise": {"uscc": USCC_WAREHOUSE}}}


@pytest.mark.parametrize("action", ["revokeAgreement", "suspendAgreement"])
async def test_revoking_or_suspending_the_agreement_ends_the_subscription(
    live: LiveServer, keys: SigningKeys, sessions: Sessions, action: str
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, RISKS_TO_CUSTOMS, code="risk-mou")
    async with acknowledged(live.url, token(keys, "customs")) as ws:
        await subscribe(ws, "subscription { riskChanged { category } }")
        await live.listening()
        await report_risk(live.url, keys, USCC_PAINTS, "before")
        assert (await next_event(ws))["data"] == {"riskChanged": {"category": "before"}}

        async with httpx.AsyncClient(base_url=live.url) as http:
            _, body = await graphql(
                http,
                f'mutation {{ {action}(code: "risk-mou") {{ errors {{ message }} }} }}',
                bearer=token(keys, "emergency", "steward"),
            )
        assert body["data"][action]["errors"] == []
        ended = await next_event(ws)
        complete = await receive(ws)

    assert ended["data"] is None
    [error] = ended["errors"]
    assert error["extensions"] == {"code": "AGREEMENT_ENDED", "agreements": ["risk-mou"]}
    assert complete == {"id": "1", "type": "complete"}


async def test_the_subscription_ends_when_its_agreement_expires(
    live: LiveServer, keys: SigningKeys, sessions: Sessions
) -> None:
    until = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)
    async with sessions() as session, session.begin():
        await grant(
            session,
            RISKS_TO_CUSTOMS,
            code="short-mou",
            valid_until=until.isoformat().replace("+00:00", "Z"),
        )
    async with acknowledged(live.url, token(keys, "customs")) as ws:
        await subscribe(ws, "subscription { riskChanged { category } }")
        await live.listening()
        ended = await next_event(ws)

    assert ended["errors"][0]["extensions"]["code"] == "AGREEMENT_ENDED"
    assert dt.datetime.now(dt.UTC) >= until


async def test_an_event_whose_audit_cannot_be_written_is_not_sent(
    live: LiveServer, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, RISKS_TO_CUSTOMS)
    async with acknowledged(live.url, token(keys, "customs")) as ws:
        await subscribe(ws, "subscription { riskChanged { category } }")
        await live.listening()
        async with audit_storage_unwritable(sessions):
            # Written as another process would: the record and its change, no audit needed.
            async with sessions() as session, session.begin():
                risk = models.Risk(
                    enterprise_id=world.enterprises[USCC_PAINTS],
                    owner_department_id=world.departments["emergency"],
                    category="unaudited",
                    description="d",
                    level="general",
                    found_on=dt.date(2026, 11, 1),
                    rectification_deadline=dt.date(2026, 12, 1),
                    status="reported",
                    supervising_department_id=world.departments["emergency"],
                )
                session.add(risk)
                await session.flush()
                await note_change(session, "risk", risk.id)
            refused = await next_event(ws)
            assert await nothing_within(ws, 0.3)

    assert refused["data"] is None
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["AUDIT_UNAVAILABLE"]


async def test_a_mutation_over_the_websocket_is_committed_and_audited(
    live: LiveServer, keys: SigningKeys, sessions: Sessions
) -> None:
    label = f"ws-mutation-{uuid.uuid4().hex[:8]}"
    async with acknowledged(
        live.url, token(keys, "emergency", "contributor"), request_id=label
    ) as ws:
        await subscribe(
            ws,
            REPORT,
            {
                "input": {
                    "uscc": USCC_CHEMICAL,
                    "category": "over the socket",
                    "description": "d",
                    "level": "GENERAL",
                    "foundOn": "2026-11-20",
                    "rectificationDeadline": "2026-12-20",
                    "supervisingDepartment": "emergency",
                }
            },
        )
        answer = await next_event(ws)

    assert answer["data"]["reportRisk"]["errors"] == []
    async with sessions() as session:
        stored = await session.scalar(
            select(func.count()).where(models.Risk.category == "over the socket")
        )
    assert stored == 1
    [audited] = await events_for(sessions, f"{label}:1")
    assert audited.entry.operation_type == "mutation"
