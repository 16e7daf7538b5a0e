"""Incidents and what hangs off them: who may see each field, at a glance."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry

from liaison.db.incident_models import IncidentGrade, IncidentStatus
from liaison.schema.reach import reached
from liaison.schema.scalars import Amount
from liaison.schema.shared import shared
from liaison.schema.types.records import EnterpriseRef, _enterprise

strawberry.enum(
    IncidentGrade,
    name="IncidentGrade",
    description="Decree No. 493, art. 3: GENERAL, LARGER, MAJOR, PARTICULARLY_SERIOUS.",
)
strawberry.enum(IncidentStatus, name="IncidentStatus")


def _list_of(record_type: str) -> Any:
    async def resolve(root: Incident, info: strawberry.Info) -> list[Any]:
        rows: list[Any] = await info.context.loaders.children(record_type, "incident").load(
            int(root.id)
        )
        reached(info.context, info.path, record_type, rows)
        return rows

    return resolve


async def _incident(root: Any, info: strawberry.Info) -> Incident | None:
    found: list[Incident] = await info.context.loaders.children("incident", "id").load(
        root.incident_id
    )
    reached(info.context, info.path, "incident", found)
    return found[0] if found else None


@strawberry.type(description="A dangerous chemical involved in an incident.")
class IncidentChemical:
    enterprise_id: strawberry.Private[int]
    incident_id: strawberry.Private[int]
    id: strawberry.ID = shared("incident_chemical.id")
    owner: str = shared("incident_chemical.owner")
    enterprise: EnterpriseRef = shared("incident_chemical.enterprise", resolver=_enterprise)
    incident: Incident | None = shared("incident_chemical.incident", resolver=_incident)
    chemical_name: str | None = shared("incident_chemical.chemical_name")
    cas_number: str | None = shared("incident_chemical.cas_number")
    un_number: str | None = shared("incident_chemical.un_number")


@strawberry.type(
    description="A department an incident was routed to by the emergency roster, and when "
    "it acknowledged (null: not yet)."
)
class IncidentResponse:
    enterprise_id: strawberry.Private[int]
    incident_id: strawberry.Private[int]
    id: strawberry.ID = shared("incident_response.id")
    owner: str = shared("incident_response.owner", "The department coordinating the incident.")
    enterprise: EnterpriseRef = shared("incident_response.enterprise", resolver=_enterprise)
    incident: Incident | None = shared("incident_response.incident", resolver=_incident)
    department: str | None = shared("incident_response.department", "The department called.")
    routed_for: IncidentGrade | None = shared(
        "incident_response.routed_for", "The incident's grade when the department was called."
    )
    routed_at: dt.datetime | None = shared("incident_response.routed_at")
    acknowledged_at: dt.datetime | None = shared("incident_response.acknowledged_at")
    acknowledged_by: str | None = shared("incident_response.acknowledged_by")


@strawberry.type(description="A person a responding department sent to an incident.")
class IncidentTeamMember:
    enterprise_id: strawberry.Private[int]
    incident_id: strawberry.Private[int]
    id: strawberry.ID = shared("incident_team_member.id")
    owner: str = shared("incident_team_member.owner", "The department the person is from.")
    enterprise: EnterpriseRef = shared("incident_team_member.enterprise", resolver=_enterprise)
    incident: Incident | None = shared("incident_team_member.incident", resolver=_incident)
    name: str | None = shared("incident_team_member.name")
    role: str | None = shared("incident_team_member.role")
    phone: str | None = shared("incident_team_member.phone")


@strawberry.type(
    description="A production-safety incident at an enterprise, graded under the State "
    "Council's Decree No. 493 and routed by the emergency roster."
)
class Incident:
    enterprise_id: strawberry.Private[int]
    id: strawberry.ID = shared("incident.id")
    owner: str = shared("incident.owner", "The department that opened and coordinates it.")
    enterprise: EnterpriseRef = shared("incident.enterprise", resolver=_enterprise)
    reference: str | None = shared(
        "incident.reference", "The case reference (Liaison-Case) of its emergency access."
    )
    occurred_at: dt.datetime | None = shared("incident.occurred_at")
    location: str | None = shared("incident.location")
    description: str | None = shared("incident.description")
    deaths: int | None = shared("incident.deaths")
    serious_injuries: int | None = shared(
        "incident.serious_injuries", "Acute industrial poisoning included."
    )
    evacuated: int | None = shared("incident.evacuated")
    direct_loss: Amount | None = shared("incident.direct_loss", "Direct economic loss in CNY.")
    grade: IncidentGrade | None = shared("incident.grade")
    grade_rule: str | None = shared(
        "incident.grade_rule", "The criterion and threshold that decided the grade."
    )
    status: IncidentStatus | None = shared("incident.status")
    opened_at: dt.datetime | None = shared("incident.opened_at")
    closed_at: dt.datetime | None = shared("incident.closed_at")
    chemicals: list[IncidentChemical] = shared(
        "incident.chemicals", resolver=_list_of("incident_chemical")
    )
    responses: list[IncidentResponse] = shared(
        "incident.responses",
        "The departments called, in the order they were called.",
        resolver=_list_of("incident_response"),
    )
    team: list[IncidentTeamMember] = shared(
        "incident.team",
        "The people the acknowledging departments sent.",
        resolver=_list_of("incident_team_member"),
    )
