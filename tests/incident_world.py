"""What the incident tests share: the emergency roster, a memorandum with grants during an
incident, and the mutations as a department's system would send them.

World data (tests/world.py): USCC_CHEMICAL and USCC_PAINTS in Lingang Chemical Park (an
incident at the first has the second as its neighbour), USCC_WAREHOUSE in Waigaoqiao Bonded
Zone (outside that zone); each has one Benzene entry of customs (12500 kg, stored at
上海市浦东新区临港危化品仓库3号), one credit rating and one rectifying risk of emergency."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.api.keys import SigningKeys
from liaison.db import models
from liaison.db.incident_models import EmergencyRosterEntry
from world import USCC_CHEMICAL, World, grant, token

Sessions = async_sessionmaker[AsyncSession]

ZONE = "Lingang Chemical Park"
BONDED = "Waigaoqiao Bonded Zone"
STORED_AT = "上海市浦东新区临港危化品仓库3号"
PHONE = "13812345678"

# (zone, minimum grade, department): as the demo's roster, customs for every incident of
# the bonded zone.
ROSTER = (
    (None, "general", "emergency"),
    (None, "general", "park"),
    (None, "larger", "market"),
    (None, "larger", "ecology"),
    (None, "major", "customs"),
    (BONDED, "general", "customs"),
)

RESPONDERS = ["customs", "emergency", "park", "ecology", "market"]
# What the memorandum grants during an incident, and one standing grant to compare with.
ENTRIES_DURING = {
    "provider": "customs",
    "consumers": ["emergency", "park", "ecology", "market"],
    "record_type": "dangerous_chemical_entry",
    "during": "incident",
    "fields": {"chemical_name": "full", "quantity": "full", "storage_location": "full"},
}
CONTACTS_DURING = {
    "provider": "market",
    "consumers": ["customs", "emergency", "park", "ecology"],
    "record_type": "enterprise",
    "during": "incident",
    "fields": {"zone": "full", "legal_representative": "full", "contact_phone": "full"},
}
RISKS_DURING = {
    "provider": "emergency",
    "consumers": ["customs", "park", "ecology", "market"],
    "record_type": "risk",
    "during": "incident",
    "fields": {"category": "full", "description": "full", "status": "full"},
}
CONTACTS_STANDING = {
    "provider": "market",
    "consumers": ["customs", "emergency", "park"],
    "record_type": "enterprise",
    "fields": {"zone": "full", "contact_phone": "masked"},
}
MEMORANDUM = "emergency-memorandum"


async def set_up(sessions: Sessions, *grants: dict[str, Any]) -> None:
    """The roster and the memorandum (the grants given, or the four above)."""
    async with sessions() as session, session.begin():
        ids = {
            code: id_
            for code, id_ in await session.execute(
                select(models.Department.code, models.Department.id)
            )
        }
        await session.execute(
            insert(EmergencyRosterEntry),
            [
                {"zone": zone, "minimum_grade": grade, "department_id": ids[code]}
                for zone, grade, code in ROSTER
            ],
        )
        await grant(
            session,
            *(grants or (ENTRIES_DURING, CONTACTS_DURING, RISKS_DURING, CONTACTS_STANDING)),
            code=MEMORANDUM,
        )


async def ask(
    http: httpx.AsyncClient,
    query: str,
    bearer: str,
    *,
    variables: dict[str, Any] | None = None,
    purpose: str | None = None,
    case: str | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {bearer}"}
    if purpose is not None:
        headers["Liaison-Purpose"] = purpose
    if case is not None:
        headers["Liaison-Case"] = case
    if request_id is not None:
        headers["X-Request-ID"] = request_id
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    body: dict[str, Any] = response.json()
    # Served, or held back whole for want of its audit event (503, no data, see README).
    unavailable = [e["extensions"]["code"] for e in body.get("errors", [])] == ["AUDIT_UNAVAILABLE"]
    assert response.status_code == (503 if unavailable else 200), response.text
    return body


async def count(sessions: Sessions, model: Any) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


OPEN = """
mutation($input: OpenIncidentInput!) {
  openIncident(input: $input) {
    incident {
      id reference owner grade gradeRule status enterprise { uscc }
      responses { department routedFor acknowledgedAt }
      chemicals { chemicalName casNumber unNumber }
    }
    errors { field rule message }
  }
}"""

ACKNOWLEDGE = """
mutation($input: AcknowledgeIncidentInput!) {
  acknowledgeIncident(input: $input) {
    incident { id status responses { department acknowledgedAt acknowledgedBy } }
    errors { field rule message }
  }
}"""

CLOSE = """
mutation($input: CloseIncidentInput!) {
  closeIncident(input: $input) {
    incident { id status closedAt }
    errors { field rule message }
  }
}"""

REVISE = """
mutation($input: ReviseIncidentFiguresInput!) {
  reviseIncidentFigures(input: $input) {
    incident { id grade gradeRule responses { department routedFor } }
    errors { field rule message }
  }
}"""


def figures(
    deaths: int = 0, injuries: int = 2, evacuated: int = 60, loss: str = "800000"
) -> dict[str, Any]:
    return {
        "deaths": deaths,
        "seriousInjuries": injuries,
        "evacuated": evacuated,
        "directLoss": loss,
    }


def incident_input(uscc: str = USCC_CHEMICAL, **overrides: Any) -> dict[str, Any]:
    return {
        "uscc": uscc,
        "occurredAt": "2026-11-30T08:15:00+08:00",
        "location": "上海市浦东新区海港大道1500号 tank farm",
        "description": "Benzene leaked from a flange of tank T-2 and caught fire",
        "figures": figures(),
        "chemicals": [{"chemicalName": "Benzene", "casNumber": "71-43-2", "unNumber": "UN1114"}],
        **overrides,
    }


async def open_incident(
    http: httpx.AsyncClient, keys: SigningKeys, **overrides: Any
) -> dict[str, Any]:
    body = await ask(
        http,
        OPEN,
        token(keys, "emergency", "contributor"),
        variables={"input": incident_input(**overrides)},
        purpose="emergency_response",
    )
    assert body["data"]["openIncident"]["errors"] == [], body
    incident: dict[str, Any] = body["data"]["openIncident"]["incident"]
    return incident


async def acknowledge(
    http: httpx.AsyncClient, keys: SigningKeys, incident_id: str, department: str
) -> dict[str, Any]:
    team = [{"name": f"{department} commander", "role": "commander", "phone": "13900001111"}]
    body = await ask(
        http,
        ACKNOWLEDGE,
        token(keys, department, "contributor"),
        variables={"input": {"id": incident_id, "team": team}},
    )
    return body


async def close(http: httpx.AsyncClient, keys: SigningKeys, incident_id: str) -> dict[str, Any]:
    return await ask(
        http,
        CLOSE,
        token(keys, "emergency", "contributor"),
        variables={"input": {"id": incident_id}},
    )


async def opened_and_acknowledged(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, *departments: str
) -> dict[str, Any]:
    """A larger incident at USCC_CHEMICAL (routed to emergency, park, market, ecology),
    acknowledged by ``departments``."""
    incident = await open_incident(http, keys, figures=figures(injuries=12))
    for department in departments:
        body = await acknowledge(http, keys, incident["id"], department)
        assert body["data"]["acknowledgeIncident"]["errors"] == [], body
    return incident
