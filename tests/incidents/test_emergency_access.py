"""Emergency access: while an incident is open, a department that acknowledged it gets what
the memorandum grants ``during: incident`` for emergency_response, for the enterprises of
the incident's zone — with the incident's reference as its case, through the same gate and
audit as any read. Without the case, for another purpose, after closing, for a department
that did not acknowledge, or for an enterprise outside the zone, nothing of those grants
applies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from audit_events import events_for
from incident_world import (
    MEMORANDUM,
    PHONE,
    STORED_AT,
    Sessions,
    acknowledge,
    ask,
    close,
    opened_and_acknowledged,
    set_up,
)
from liaison.api.app import create_app
from liaison.api.config import Settings
from liaison.api.keys import SigningKeys
from world import USCC_CHEMICAL, USCC_PAINTS, USCC_WAREHOUSE, World, token

ENTERPRISES = """
{ enterprises { edges { node {
    uscc contactPhone
    dangerousChemicalEntries { chemicalName quantity storageLocation }
} } } }"""

IN_ZONE = {"chemicalName": "Benzene", "quantity": "12500", "storageLocation": STORED_AT}


@pytest.fixture
async def incident(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> dict[str, Any]:
    """A larger incident at USCC_CHEMICAL, routed to emergency, park, market and ecology;
    acknowledged by park and ecology."""
    await set_up(sessions)
    return await opened_and_acknowledged(http, keys, world, "park", "ecology")


def by_uscc(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    nodes = [edge["node"] for edge in body["data"]["enterprises"]["edges"]]
    return {node.pop("uscc"): node for node in nodes}


async def enterprises(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    department: str,
    *,
    purpose: str | None = "emergency_response",
    case: str | None,
    request_id: str | None = None,
) -> dict[str, dict[str, Any]]:
    body = await ask(
        http,
        ENTERPRISES,
        token(keys, department),
        purpose=purpose,
        case=case,
        request_id=request_id,
    )
    return by_uscc(body)


WITHOUT = {"contactPhone": "138****5678", "dangerousChemicalEntries": []}


async def test_a_responder_gets_the_incident_zone_s_records_for_the_incident_s_case(
    http: httpx.AsyncClient, keys: SigningKeys, incident: dict[str, Any]
) -> None:
    seen = await enterprises(http, keys, "park", case=incident["reference"])

    # The incident's enterprise and its neighbour: in full, as granted during the incident.
    assert seen[USCC_CHEMICAL] == {"contactPhone": PHONE, "dangerousChemicalEntries": [IN_ZONE]}
    assert seen[USCC_PAINTS] == {"contactPhone": PHONE, "dangerousChemicalEntries": [IN_ZONE]}
    # Outside the zone: only the standing grant (the phone masked), no entries.
    assert seen[USCC_WAREHOUSE] == WITHOUT


@pytest.mark.parametrize(
    ("case", "department", "purpose", "closed", "expected"),
    [
        ("without the case", "park", "emergency_response", False, WITHOUT),
        ("for another purpose", "park", "joint_inspection", False, WITHOUT),
        ("after closing", "park", "emergency_response", True, WITHOUT),
        ("routed, not acknowledged", "market", "emergency_response", False, None),
        ("not routed", "customs", "emergency_response", False, "own entries"),
    ],
)
async def test_nothing_of_the_grants_during_an_incident_applies(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    incident: dict[str, Any],
    case: str,
    department: str,
    purpose: str,
    closed: bool,
    expected: dict[str, Any] | str | None,
) -> None:
    if closed:
        await close(http, keys, incident["id"])
    stated = None if case == "without the case" else incident["reference"]

    seen = await enterprises(http, keys, department, purpose=purpose, case=stated)

    # market owns the enterprises: its own contacts, and no entries of customs; customs
    # owns the entries: its own, and the contacts only as the standing grant gives them.
    if expected is None:
        expected = {"contactPhone": PHONE, "dangerousChemicalEntries": []}
    elif expected == "own entries":
        expected = {"contactPhone": "138****5678", "dangerousChemicalEntries": [IN_ZONE]}
    assert seen == {u: expected for u in (USCC_CHEMICAL, USCC_PAINTS, USCC_WAREHOUSE)}, case


async def test_a_case_naming_no_open_incident_is_an_ordinary_case(
    http: httpx.AsyncClient, keys: SigningKeys, incident: dict[str, Any]
) -> None:
    seen = await enterprises(http, keys, "park", case="INC-2026-9999")

    assert seen[USCC_CHEMICAL] == WITHOUT


async def test_each_disclosure_during_the_incident_names_it_and_its_case_is_the_reference(
    http: httpx.AsyncClient, keys: SigningKeys, incident: dict[str, Any], sessions: Sessions
) -> None:
    reference = incident["reference"]
    await enterprises(http, keys, "park", case=reference, request_id="emergency-read-audit")

    [event] = await events_for(sessions, "emergency-read-audit")

    assert (event.entry.purpose, event.entry.case_reference) == ("emergency_response", reference)
    during = f"granted by {MEMORANDUM} during incident {reference}"
    found = {
        (d.provider, d.record_type, d.field, d.level, d.agreement_code, d.record_count, d.reason)
        for d in event.entry.disclosures
        if d.field in {"contact_phone", "storage_location", "quantity"}
    }
    assert found == {
        ("customs", "dangerous_chemical_entry", "quantity", "full", MEMORANDUM, 2, during),
        ("customs", "dangerous_chemical_entry", "storage_location", "full", MEMORANDUM, 2, during),
        ("market", "enterprise", "contact_phone", "full", MEMORANDUM, 2, during),
        # The enterprise outside the zone: under the standing grant, as any day.
        (
            "market",
            "enterprise",
            "contact_phone",
            "masked",
            MEMORANDUM,
            1,
            f"granted by {MEMORANDUM}",
        ),
    }


ACCESS = """
query($incident: String!) {
  emergencyAccess(incident: $incident) {
    incident { reference status }
    enterprises { uscc legalRepresentative contactPhone }
    dangerousChemicalEntries { enterprise { uscc } chemicalName storageLocation quantity }
    openRisks { enterprise { uscc } owner category status description }
  }
}"""


async def test_emergency_access_answers_the_incident_zone_incident_enterprise_first(
    http: httpx.AsyncClient, keys: SigningKeys, incident: dict[str, Any]
) -> None:
    reference = incident["reference"]

    body = await ask(
        http,
        ACCESS,
        token(keys, "ecology"),
        variables={"incident": reference},
        purpose="emergency_response",
        case=reference,
    )

    assert "errors" not in body, body
    risk = {
        "owner": "emergency",
        "category": "storage",
        "status": "RECTIFYING",
        "description": "Incompatible chemicals stored together in warehouse 3",
    }
    assert body["data"]["emergencyAccess"] == {
        "incident": {"reference": reference, "status": "OPEN"},
        "enterprises": [
            {"uscc": USCC_CHEMICAL, "legalRepresentative": "王建国", "contactPhone": PHONE},
            {"uscc": USCC_PAINTS, "legalRepresentative": "王建国", "contactPhone": PHONE},
        ],
        "dangerousChemicalEntries": [
            {"enterprise": {"uscc": USCC_CHEMICAL}, **IN_ZONE},
            {"enterprise": {"uscc": USCC_PAINTS}, **IN_ZONE},
        ],
        "openRisks": [
            {"enterprise": {"uscc": USCC_CHEMICAL}, **risk},
            {"enterprise": {"uscc": USCC_PAINTS}, **risk},
        ],
    }


@pytest.mark.parametrize(
    ("department", "purpose", "case", "message"),
    [
        (
            "park",
            "joint_inspection",
            "{ref}",
            "Emergency access is given for purpose emergency_response: send the header "
            "'Liaison-Purpose: emergency_response'.",
        ),
        (
            "park",
            "emergency_response",
            None,
            "Emergency access is given for the incident's case: send the header "
            "'Liaison-Case: {ref}'.",
        ),
        (
            "market",
            "emergency_response",
            "{ref}",
            "Your department has not acknowledged incident {ref}: emergency access opens to "
            "the departments that acknowledge it (acknowledgeIncident).",
        ),
        (
            "customs",
            "emergency_response",
            "{ref}",
            "No incident your department was called to has reference {ref}.",
        ),
    ],
)
async def test_emergency_access_is_refused_and_the_refusal_audited(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    incident: dict[str, Any],
    sessions: Sessions,
    department: str,
    purpose: str,
    case: str | None,
    message: str,
) -> None:
    reference = incident["reference"]
    request_id = f"refused-access-{department}-{purpose}-{case is None}"

    body = await ask(
        http,
        ACCESS,
        token(keys, department),
        variables={"incident": reference},
        purpose=purpose,
        case=None if case is None else case.format(ref=reference),
        request_id=request_id,
    )

    assert body["data"] == {"emergencyAccess": None}
    [error] = body["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["message"] == message.format(ref=reference)
    [event] = await events_for(sessions, request_id)
    assert event.entry.outcome == "denied"
    assert event.entry.disclosed == ()


async def test_emergency_access_ends_when_the_incident_is_closed(
    http: httpx.AsyncClient, keys: SigningKeys, incident: dict[str, Any]
) -> None:
    reference = incident["reference"]
    await close(http, keys, incident["id"])

    body = await ask(
        http,
        ACCESS,
        token(keys, "park"),
        variables={"incident": reference},
        purpose="emergency_response",
        case=reference,
    )

    assert body["data"] == {"emergencyAccess": None}
    [error] = body["errors"]
    assert error["extensions"] == {"code": "INCIDENT_CLOSED", "incident": reference}
    assert error["message"] == (
        f"Incident {reference} is closed: the emergency access it opened has ended."
    )


@pytest.fixture
async def other_process(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A second app instance: a process of its own, with its own policy cache."""
    app = create_app(settings)
    async with (
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://liaison.test"
        ) as client,
    ):
        yield client


async def test_every_process_recompiles_when_an_incident_is_acknowledged_and_closed(
    http: httpx.AsyncClient,
    other_process: httpx.AsyncClient,
    keys: SigningKeys,
    incident: dict[str, Any],
) -> None:
    reference = incident["reference"]
    before = await enterprises(other_process, keys, "market", case=reference)
    await acknowledge(http, keys, incident["id"], "market")
    during = await enterprises(other_process, keys, "market", case=reference)
    await close(http, keys, incident["id"])
    after = await enterprises(other_process, keys, "market", case=reference)

    def entries(uscc: str) -> list[Any]:
        return [seen[uscc]["dangerousChemicalEntries"] for seen in (before, during, after)]

    assert entries(USCC_CHEMICAL) == [[], [IN_ZONE], []]
    assert entries(USCC_WAREHOUSE) == [[], [], []]
