"""Emergency access pushed over a real websocket: each department that acknowledged the
incident gets its zone's records at once, then each enterprise again as its records
change, every field through the gate and every event audited with the incident as its case
— until the incident is closed."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection
from ws_support import LiveServer, nothing_within, opened, receive, send, subscribe

from audit_events import events_for
from incident_world import (
    MEMORANDUM,
    STORED_AT,
    Sessions,
    close,
    opened_and_acknowledged,
    set_up,
)
from liaison.api.app import create_app
from liaison.api.config import Settings
from liaison.api.keys import SigningKeys
from live_server import serving
from world import USCC_CHEMICAL, USCC_PAINTS, USCC_WAREHOUSE, World, graphql, token

ACCESS = """
subscription($incident: String!) {
  emergencyAccess(incident: $incident) {
    incident { reference }
    enterprises { uscc contactPhone }
    dangerousChemicalEntries { enterprise { uscc } quantity storageLocation declaredValue }
  }
}"""
RESPONDERS = ("park", "ecology", "emergency")
DECLARE = """
mutation($input: DeclareDangerousChemicalEntryInput!) {
  declareDangerousChemicalEntry(input: $input) { entry { id } errors { message } }
}"""


@pytest.fixture
async def live(settings: Settings, world: World) -> AsyncIterator[LiveServer]:
    app = create_app(dataclasses.replace(settings, subscription_poll_seconds=0.05))
    async with serving(app) as url:
        yield LiveServer(url, app.state.changes)


@pytest.fixture
async def incident(live: LiveServer, keys: SigningKeys, sessions: Sessions) -> dict[str, Any]:
    """A larger incident at USCC_CHEMICAL, acknowledged by three departments."""
    await set_up(sessions)
    async with httpx.AsyncClient(base_url=live.url) as http:
        return await opened_and_acknowledged(http, keys, World({}, {}), *RESPONDERS)


@asynccontextmanager
async def responder(
    base: str, keys: SigningKeys, department: str, case: str, label: str
) -> AsyncIterator[ClientConnection]:
    """A socket stating purpose emergency_response and the incident's case."""
    async with opened(base, headers={"X-Request-ID": label}) as connection:
        await send(
            connection,
            {
                "type": "connection_init",
                "payload": {
                    "Authorization": f"Bearer {token(keys, department)}",
                    "Liaison-Purpose": "emergency_response",
                    "Liaison-Case": case,
                },
            },
        )
        assert await receive(connection) == {"type": "connection_ack"}
        yield connection


async def declare(base: str, keys: SigningKeys, uscc: str, number: str) -> str:
    async with httpx.AsyncClient(base_url=base) as http:
        _, body = await graphql(
            http,
            DECLARE,
            bearer=token(keys, "customs", "contributor"),
            variables={
                "input": {
                    "uscc": uscc,
                    "declarationNumber": number,
                    "chemicalName": "Toluene",
                    "casNumber": "108-88-3",
                    "unNumber": "UN1294",
                    "hazardClass": "3",
                    "quantity": "800",
                    "unit": "kg",
                    "port": "Yangshan",
                    "entryDate": "2026-11-28",
                    "storageLocation": "上海市浦东新区临港危化品仓库5号",
                    "declaredValue": "9000",
                    "consignee": "临港化工有限公司",
                }
            },
        )
    assert body["data"]["declareDangerousChemicalEntry"]["errors"] == [], body
    entry_id: str = body["data"]["declareDangerousChemicalEntry"]["entry"]["id"]
    return entry_id


async def next_payload(ws: ClientConnection) -> dict[str, Any]:
    message = await receive(ws)
    assert message["type"] == "next", message
    payload: dict[str, Any] = message["payload"]
    return payload


def entry(uscc: str, quantity: str = "12500", stored: str = STORED_AT) -> dict[str, Any]:
    return {
        "enterprise": {"uscc": uscc},
        "quantity": quantity,
        "storageLocation": stored,
        "declaredValue": None,
    }


async def test_each_responder_gets_the_zone_at_once_then_changes_until_the_incident_closes(
    live: LiveServer, keys: SigningKeys, sessions: Sessions, incident: dict[str, Any]
) -> None:
    reference = incident["reference"]
    labels = {d: f"emergency-ws-{d}-{uuid.uuid4().hex[:8]}" for d in RESPONDERS}
    async with (
        responder(live.url, keys, "park", reference, labels["park"]) as park,
        responder(live.url, keys, "ecology", reference, labels["ecology"]) as ecology,
        responder(live.url, keys, "emergency", reference, labels["emergency"]) as emergency,
    ):
        sockets = {"park": park, "ecology": ecology, "emergency": emergency}
        for ws in sockets.values():
            await subscribe(ws, ACCESS, {"incident": reference})
        first = {d: await next_payload(ws) for d, ws in sockets.items()}
        await live.listening(3)
        await declare(live.url, keys, USCC_WAREHOUSE, "220120260000077001")  # outside
        new_entry = await declare(live.url, keys, USCC_PAINTS, "220120260000077002")
        changed = {d: await next_payload(ws) for d, ws in sockets.items()}
        await_close = await close_over_http(live.url, keys, incident["id"])
        ended = {d: await next_payload(ws) for d, ws in sockets.items()}
        completes = {d: await receive(ws) for d, ws in sockets.items()}

    assert await_close == []
    for department in RESPONDERS:
        # At once: the incident's enterprise and its neighbour, as granted during the
        # incident (quantity and storage in full), the declared value withheld.
        assert first[department]["data"] == {
            "emergencyAccess": {
                "incident": {"reference": reference},
                "enterprises": [
                    {"uscc": USCC_CHEMICAL, "contactPhone": "13812345678"},
                    {"uscc": USCC_PAINTS, "contactPhone": "13812345678"},
                ],
                "dangerousChemicalEntries": [entry(USCC_CHEMICAL), entry(USCC_PAINTS)],
            }
        }, department
        [withheld] = first[department]["errors"]
        assert withheld["extensions"]["code"] == "FORBIDDEN"
        assert withheld["extensions"]["field"] == "DangerousChemicalEntry.declaredValue"
        assert withheld["extensions"]["withheldRecords"] == 2
        # Then the enterprise whose records changed (the one outside the zone sent nothing).
        assert changed[department]["data"]["emergencyAccess"]["enterprises"] == [
            {"uscc": USCC_PAINTS, "contactPhone": "13812345678"}
        ]
        assert changed[department]["data"]["emergencyAccess"]["dangerousChemicalEntries"] == [
            entry(USCC_PAINTS),
            entry(USCC_PAINTS, "800", "上海市浦东新区临港危化品仓库5号"),
        ]
        # Then the end, with the incident closed.
        assert ended[department]["data"] is None
        [error] = ended[department]["errors"]
        assert error["extensions"] == {"code": "INCIDENT_CLOSED", "incident": reference}
        assert completes[department] == {"id": "1", "type": "complete"}

    # Every event was audited before it was sent, with the incident as its case.
    during = f"granted by {MEMORANDUM} during incident {reference}"
    for department in RESPONDERS:
        events = await events_for(sessions, f"{labels[department]}:1")
        assert len(events) == 2, department
        for event in events:
            assert event.entry.operation_type == "subscription"
            assert (event.entry.purpose, event.entry.case_reference) == (
                "emergency_response",
                reference,
            )
            quantity = [
                d
                for d in event.entry.disclosures
                if (d.record_type, d.field) == ("dangerous_chemical_entry", "quantity")
            ]
            assert [(d.level, d.agreement_code, d.reason) for d in quantity] == [
                ("full", MEMORANDUM, during)
            ]
        keys_sent = [[(k.provider, k.record_type) for k in e.entry.disclosed] for e in events]
        assert all(("customs", "dangerous_chemical_entry") in sent for sent in keys_sent)
        last = {k.record_type: k.record_ids for k in events[1].entry.disclosed}
        assert new_entry in last["dangerous_chemical_entry"].split(",")


async def close_over_http(base: str, keys: SigningKeys, incident_id: str) -> list[Any]:
    async with httpx.AsyncClient(base_url=base) as http:
        body = await close(http, keys, incident_id)
    errors: list[Any] = body["data"]["closeIncident"]["errors"]
    return errors


@pytest.mark.parametrize(
    ("department", "purpose", "message"),
    [
        (
            "market",
            "emergency_response",
            "Your department has not acknowledged incident {ref}: emergency access opens to "
            "the departments that acknowledge it (acknowledgeIncident).",
        ),
        (
            "park",
            "joint_inspection",
            "Emergency access is given for purpose emergency_response: send the header "
            "'Liaison-Purpose: emergency_response'.",
        ),
    ],
)
async def test_a_subscription_without_emergency_access_is_refused_before_any_event(
    live: LiveServer,
    keys: SigningKeys,
    incident: dict[str, Any],
    department: str,
    purpose: str,
    message: str,
) -> None:
    reference = incident["reference"]
    async with opened(live.url) as ws:
        await send(
            ws,
            {
                "type": "connection_init",
                "payload": {
                    "Authorization": f"Bearer {token(keys, department)}",
                    "Liaison-Purpose": purpose,
                    "Liaison-Case": reference,
                },
            },
        )
        assert await receive(ws) == {"type": "connection_ack"}
        await subscribe(ws, ACCESS, {"incident": reference})
        refused = await receive(ws)
        quiet = await nothing_within(ws, 0.3)

    assert refused["type"] == "error"
    [error] = refused["payload"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["message"] == message.format(ref=reference)
    assert quiet


async def test_a_subscription_to_a_closed_incident_is_refused(
    live: LiveServer, keys: SigningKeys, incident: dict[str, Any]
) -> None:
    reference = incident["reference"]
    assert await close_over_http(live.url, keys, incident["id"]) == []
    async with responder(live.url, keys, "park", reference, "closed-before") as ws:
        await subscribe(ws, ACCESS, {"incident": reference})
        refused = await receive(ws)

    assert refused["type"] == "error"
    assert refused["payload"][0]["extensions"] == {"code": "INCIDENT_CLOSED", "incident": reference}
