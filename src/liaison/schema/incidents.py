"""Coordinated emergency response: the emergency bureau opens an incident (graded under
Decree No. 493, routed by the emergency roster), revises its figures (re-graded, routed
further) and closes it; each department it was routed to acknowledges it with its team.
Invalid input: errors naming the field, and nothing written."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncGenerator

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db import models
from liaison.db.changes import note_change
from liaison.db.incident_models import Incident, IncidentGrade, IncidentStatus
from liaison.db.incidents import (
    COORDINATORS,
    acknowledge,
    close_incident,
    open_incident,
    response_of,
    revise_figures,
)
from liaison.schema.context import Context
from liaison.schema.departments import contributor_department
from liaison.schema.emergency_access import EmergencyAccess, emergency_events, emergency_snapshot
from liaison.schema.filters import Criterion, _enterprise_is, _uscc
from liaison.schema.incident_inputs import (
    AcknowledgeIncidentInput,
    CloseIncidentInput,
    OpenIncidentInput,
    ReviseIncidentFiguresInput,
    chemicals_of,
    figures_of,
    team_of,
)
from liaison.schema.internal_reads import read_records
from liaison.schema.mutations import InputError, Problems, _enterprise_id
from liaison.schema.one_record import one_record
from liaison.schema.pagination import Connection, parse_record_id
from liaison.schema.queries import record_page
from liaison.schema.types.incidents import Incident as IncidentType

Info = strawberry.Info[Context, None]


@strawberry.type
class IncidentPayload:
    incident: IncidentType | None = None
    errors: list[InputError] = strawberry.field(default_factory=list)


@strawberry.input(description="All given conditions must hold.")
class IncidentFilter:
    enterprise_uscc: str | None = None
    owner: str | None = None
    reference: str | None = None
    status: IncidentStatus | None = None
    grade: IncidentGrade | None = None


INCIDENT_CRITERIA: dict[str, Criterion] = {
    "enterprise_uscc": Criterion("enterprise", _enterprise_is, _uscc),
    "reference": Criterion("reference", lambda v: Incident.reference == v),
    "status": Criterion("status", lambda v: Incident.status == str(v.value)),
    "grade": Criterion("grade", lambda v: Incident.grade == str(v.value)),
}


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


async def _coordinator(context: Context, session: AsyncSession) -> models.Department:
    return await contributor_department(
        context, session, kinds=COORDINATORS, does="coordinate incidents"
    )


async def _zone_of(context: Context, problems: Problems, enterprise_id: int) -> str | None:
    """The enterprise's zone, which routes the incident and bounds its emergency access:
    the registry's data, read through the gate (and audited with the operation)."""
    [enterprise] = await read_records(
        context, "enterprise", ["zone"], where=[models.Enterprise.id == enterprise_id]
    )
    if enterprise.zone is None:
        problems.add(
            "uscc",
            "zone",
            "the enterprise's zone is not shared with you for this purpose, so the incident "
            "cannot be routed (state Liaison-Purpose: emergency_response)",
        )
        return None
    return str(enterprise.zone)


async def _own_incident(
    session: AsyncSession, problems: Problems, given: strawberry.ID, owner_id: int
) -> Incident | None:
    key = parse_record_id(given)
    incident = None if key is None else await session.get(Incident, key)
    # Another department's incident is answered like a missing one.
    if incident is None or incident.owner_department_id != owner_id:
        problems.add("id", "exists", "no incident of your department has this id")
        return None
    return incident


async def _noted(session: AsyncSession, record_type: str, ids: list[int]) -> None:
    for record_id in ids:
        await note_change(session, record_type, record_id)


async def _reload(info: Info, incident_id: int) -> IncidentPayload:
    """The incident goes back through the gate like any other read."""
    found = await one_record(info.context, info.path, "incident", incident_id)
    return IncidentPayload(incident=found)


@strawberry.type
class IncidentQuery:
    @strawberry.field(description="One incident, or null if not visible.")
    async def incident(self, info: Info, id: strawberry.ID) -> IncidentType | None:
        key = parse_record_id(id)
        if key is None:
            return None
        found: IncidentType | None = await one_record(info.context, info.path, "incident", key)
        return found

    @strawberry.field(description="Incidents the caller may see, in the order they were opened.")
    async def incidents(
        self,
        info: Info,
        filter: IncidentFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[IncidentType]:
        return await record_page(info, "incident", filter, INCIDENT_CRITERIA, first, after)

    @strawberry.field(
        description="Emergency access of an open incident your department acknowledged "
        "(purpose emergency_response, Liaison-Case: the incident's reference)."
    )
    async def emergency_access(self, info: Info, incident: str) -> EmergencyAccess | None:
        # Nullable: a refusal nulls this field only, never the other fields of the query.
        return await emergency_snapshot(info, incident)


@strawberry.type
class IncidentMutation:
    @strawberry.mutation(
        description="Open an incident (the emergency bureau): graded from its figures under "
        "Decree No. 493 and routed to the departments the emergency roster calls."
    )
    async def open_incident(self, info: Info, input: OpenIncidentInput) -> IncidentPayload:
        context = info.context
        problems = Problems()
        async with context.database() as session:
            department = await _coordinator(context, session)
            enterprise_id = await _enterprise_id(session, problems, input.uscc)
        occurred_at = _aware(input.occurred_at)
        if occurred_at > dt.datetime.now(dt.UTC):
            problems.add("occurredAt", "past", "occurredAt must not be in the future")
        location = problems.text("location", input.location, max_length=300)
        description = problems.text("description", input.description, max_length=4000)
        figures = figures_of(problems, input.figures)
        chemicals = chemicals_of(problems, input.chemicals)
        zone = None if enterprise_id is None else await _zone_of(context, problems, enterprise_id)
        if problems.errors or enterprise_id is None or zone is None:
            return IncidentPayload(errors=problems.errors)
        async with context.database() as session, session.begin_nested():
            incident, chemical_ids, response_ids = await open_incident(
                session,
                owner_id=department.id,
                enterprise_id=enterprise_id,
                zone=zone,
                occurred_at=occurred_at,
                location=location,
                description=description,
                figures=figures,
                chemicals=chemicals,
            )
            incident_id = incident.id
            await note_change(session, "incident", incident_id)
            await _noted(session, "incident_chemical", chemical_ids)
            await _noted(session, "incident_response", response_ids)
        return await _reload(info, incident_id)

    @strawberry.mutation(
        description="Revise an open incident's figures: it is graded again, and routed to "
        "the departments the roster calls for a higher grade."
    )
    async def revise_incident_figures(
        self, info: Info, input: ReviseIncidentFiguresInput
    ) -> IncidentPayload:
        context = info.context
        problems = Problems()
        async with context.database() as session, session.begin_nested():
            department = await _coordinator(context, session)
            incident = await _own_incident(session, problems, input.id, department.id)
            figures = figures_of(problems, input.figures)
            if incident is not None and incident.status != IncidentStatus.OPEN.value:
                problems.add("id", "status", "a closed incident's figures cannot be revised")
            if problems.errors or incident is None:
                return IncidentPayload(errors=problems.errors)
            _, response_ids = await revise_figures(session, incident, figures)
            incident_id = incident.id
            await note_change(session, "incident", incident_id)
            await _noted(session, "incident_response", response_ids)
        return await _reload(info, incident_id)

    @strawberry.mutation(
        description="Acknowledge an incident your department was routed to, with the team "
        "you send. From then on, and until the incident is closed, the memorandum's grants "
        "for emergency_response during an incident apply to your department for its zone."
    )
    async def acknowledge_incident(
        self, info: Info, input: AcknowledgeIncidentInput
    ) -> IncidentPayload:
        context = info.context
        problems = Problems()
        async with context.database() as session, session.begin_nested():
            department = await contributor_department(context, session)
            key = parse_record_id(input.id)
            incident = None if key is None else await session.get(Incident, key)
            response = (
                None if incident is None else await response_of(session, incident.id, department.id)
            )
            team = team_of(problems, input.team)
            # An incident your department was not called to is answered like a missing one.
            if incident is None or response is None:
                problems.add(
                    "id", "routed", "no incident your department was called to has this id"
                )
            elif incident.status != IncidentStatus.OPEN.value:
                problems.add("id", "status", "the incident is closed")
            elif response.acknowledged_at is not None:
                problems.add("id", "acknowledged", "your department has already acknowledged it")
            if problems.errors or incident is None or response is None:
                return IncidentPayload(errors=problems.errors)
            member_ids = await acknowledge(
                session, incident, response, by=context.principal.subject, team=team
            )
            incident_id = incident.id
            await note_change(session, "incident", incident_id)
            await note_change(session, "incident_response", response.id)
            await _noted(session, "incident_team_member", member_ids)
        return await _reload(info, incident_id)

    @strawberry.mutation(
        description="Close an incident your department opened: the emergency access it "
        "opened ends at once."
    )
    async def close_incident(self, info: Info, input: CloseIncidentInput) -> IncidentPayload:
        context = info.context
        problems = Problems()
        async with context.database() as session, session.begin_nested():
            department = await _coordinator(context, session)
            incident = await _own_incident(session, problems, input.id, department.id)
            closed_at = _aware(input.closed_at) if input.closed_at else dt.datetime.now(dt.UTC)
            if incident is not None:
                if incident.status != IncidentStatus.OPEN.value:
                    problems.add("id", "transition", "the incident is already closed")
                elif closed_at < _aware(incident.occurred_at):
                    problems.add("closedAt", "order", "closedAt must not precede occurredAt")
            if closed_at > dt.datetime.now(dt.UTC):
                problems.add("closedAt", "past", "closedAt must not be in the future")
            if problems.errors or incident is None:
                return IncidentPayload(errors=problems.errors)
            await close_incident(session, incident, closed_at)
            incident_id = incident.id
            await note_change(session, "incident", incident_id)
        return await _reload(info, incident_id)


@strawberry.type
class IncidentSubscription:
    @strawberry.subscription(
        description="Emergency access of an open incident your department acknowledged "
        "(purpose emergency_response, Liaison-Case: the incident's reference): everything at "
        "once, then each enterprise again as its records change; ends with INCIDENT_CLOSED "
        "when the incident is closed."
    )
    async def emergency_access(
        self, info: Info, incident: str
    ) -> AsyncGenerator[EmergencyAccess, None]:
        return await emergency_events(info, incident)
