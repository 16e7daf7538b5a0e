"""Coordinated emergency response: the emergency bureau opens an incident (graded under
Decree No. 493, routed by the emergency roster), revises its figures (re-graded, routed
further) and closes it; each department it was routed to acknowledges it with its team.
Invalid input: errors naming the field, and nothing written."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncGenerator
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.codes import validate_cas, validate_un_number
from liaison.db import models
from liaison.db.changes import note_change
from liaison.db.incident_models import (
    EmergencyRosterEntry,
    Incident,
    IncidentGrade,
    IncidentStatus,
)
from liaison.db.incidents import (
    Chemical,
    Figures,
    TeamMember,
    acknowledge,
    close_incident,
    open_incident,
    response_of,
    revise_figures,
)
from liaison.permissions.principal import Role
from liaison.schema.context import Context
from liaison.schema.emergency_access import EmergencyAccess, emergency_events, emergency_snapshot
from liaison.schema.errors import forbidden
from liaison.schema.filters import Criterion, _enterprise_is, _uscc
from liaison.schema.internal_reads import read_records
from liaison.schema.mutations import InputError, Problems, _enterprise_id
from liaison.schema.one_record import one_record
from liaison.schema.pagination import Connection, parse_record_id
from liaison.schema.queries import _page
from liaison.schema.scalars import Amount
from liaison.schema.types.incidents import Incident as IncidentType

Info = strawberry.Info[Context, None]

# Which kinds of department open and coordinate incidents.
COORDINATORS = frozenset({"emergency_management"})


@strawberry.input
class IncidentChemicalInput:
    chemical_name: str
    cas_number: str
    un_number: str


@strawberry.input(description="Casualty and loss figures as reported so far.")
class IncidentFiguresInput:
    deaths: int
    serious_injuries: int
    evacuated: int
    direct_loss: Amount


@strawberry.input
class OpenIncidentInput:
    uscc: str
    occurred_at: dt.datetime
    location: str
    description: str
    figures: IncidentFiguresInput
    chemicals: list[IncidentChemicalInput] = strawberry.field(default_factory=list)


@strawberry.input
class ReviseIncidentFiguresInput:
    id: strawberry.ID
    figures: IncidentFiguresInput


@strawberry.input
class TeamMemberInput:
    name: str
    role: str
    phone: str


@strawberry.input
class AcknowledgeIncidentInput:
    id: strawberry.ID
    team: list[TeamMemberInput]


@strawberry.input
class CloseIncidentInput:
    id: strawberry.ID
    closed_at: dt.datetime | None = None


@strawberry.input
class EmergencyRosterEntryInput:
    zone: str | None
    minimum_grade: IncidentGrade
    department: str


@strawberry.type(
    name="EmergencyRosterEntry",
    description="Who the roster calls: for a zone (null: every zone), the department "
    "called to incidents of at least the grade given.",
)
class EmergencyRosterEntryType:
    zone: str | None
    minimum_grade: IncidentGrade
    department: str


@strawberry.type
class IncidentPayload:
    incident: IncidentType | None = None
    errors: list[InputError] = strawberry.field(default_factory=list)


@strawberry.type
class EmergencyRosterPayload:
    entries: list[EmergencyRosterEntryType] = strawberry.field(default_factory=list)
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


async def _department(context: Context, session: AsyncSession) -> models.Department:
    if not context.principal.has(Role.CONTRIBUTOR):
        raise forbidden("Writing records needs the contributor role.", role="contributor")
    department = await session.scalar(
        select(models.Department).where(models.Department.code == context.department)
    )
    if department is None:
        raise forbidden(f"Department {context.department} is not registered.")
    return department


async def _coordinator(context: Context, session: AsyncSession) -> models.Department:
    department = await _department(context, session)
    if department.kind not in COORDINATORS:
        raise forbidden(f"Department {context.department} does not coordinate incidents.")
    return department


def _figures(problems: Problems, given: IncidentFiguresInput) -> Figures:
    for name, value in (
        ("deaths", given.deaths),
        ("seriousInjuries", given.serious_injuries),
        ("evacuated", given.evacuated),
    ):
        if value < 0:
            problems.add(f"figures.{name}", "non_negative", f"{name} must not be negative")
    loss = Decimal(given.direct_loss)
    if not loss.is_finite() or loss < 0:
        problems.add("figures.directLoss", "non_negative", "directLoss must not be negative")
    elif loss >= Decimal("1e14"):
        problems.add("figures.directLoss", "range", "directLoss must be below 10^14 yuan")
    return Figures(given.deaths, given.serious_injuries, given.evacuated, loss)


def _chemicals(problems: Problems, given: list[IncidentChemicalInput]) -> list[Chemical]:
    found = []
    for n, chemical in enumerate(given):
        at = f"chemicals[{n}]"
        found.append(
            Chemical(
                name=problems.text(f"{at}.chemicalName", chemical.chemical_name, max_length=200),
                cas_number=problems.code(f"{at}.casNumber", validate_cas, chemical.cas_number),
                un_number=problems.code(f"{at}.unNumber", validate_un_number, chemical.un_number),
            )
        )
    return found


def _team(problems: Problems, given: list[TeamMemberInput]) -> list[TeamMember]:
    if not given:
        problems.add("team", "required", "a response team needs at least one person")
    team = []
    for n, member in enumerate(given):
        at = f"team[{n}]"
        phone = problems.text(f"{at}.phone", member.phone, max_length=32)
        if phone and not all(c.isdigit() or c in "+- " for c in phone):
            problems.add(f"{at}.phone", "phone", "phone must be digits, spaces, + and -")
        team.append(
            TeamMember(
                name=problems.text(f"{at}.name", member.name, max_length=100),
                role=problems.text(f"{at}.role", member.role, max_length=100),
                phone=phone,
            )
        )
    return team


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
        return await _page(info, "incident", filter, INCIDENT_CRITERIA, first, after)

    @strawberry.field(description="The emergency roster: who is called to which incidents.")
    async def emergency_roster(self, info: Info) -> list[EmergencyRosterEntryType]:
        async with info.context.database() as session:
            return await _roster(session)

    @strawberry.field(
        description="Emergency access of an open incident your department acknowledged "
        "(purpose emergency_response, Liaison-Case: the incident's reference)."
    )
    async def emergency_access(self, info: Info, incident: str) -> EmergencyAccess | None:
        # Nullable: a refusal nulls this field only, never the other fields of the query.
        return await emergency_snapshot(info, incident)


async def _roster(session: AsyncSession) -> list[EmergencyRosterEntryType]:
    rows = await session.execute(
        select(EmergencyRosterEntry, models.Department.code)
        .join(models.Department, models.Department.id == EmergencyRosterEntry.department_id)
        .order_by(EmergencyRosterEntry.id)
    )
    return [
        EmergencyRosterEntryType(
            zone=entry.zone, minimum_grade=IncidentGrade(entry.minimum_grade), department=code
        )
        for entry, code in rows
    ]


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
        figures = _figures(problems, input.figures)
        chemicals = _chemicals(problems, input.chemicals)
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
            figures = _figures(problems, input.figures)
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
            department = await _department(context, session)
            key = parse_record_id(input.id)
            incident = None if key is None else await session.get(Incident, key)
            response = (
                None if incident is None else await response_of(session, incident.id, department.id)
            )
            team = _team(problems, input.team)
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

    @strawberry.mutation(
        description="Replace the emergency roster (a steward of the emergency bureau)."
    )
    async def set_emergency_roster(
        self, info: Info, entries: list[EmergencyRosterEntryInput]
    ) -> EmergencyRosterPayload:
        context = info.context
        if not context.principal.has(Role.STEWARD):
            raise forbidden("Setting the emergency roster needs the steward role.", role="steward")
        problems = Problems()
        async with context.database() as session, session.begin_nested():
            own = await session.scalar(
                select(models.Department.kind).where(models.Department.code == context.department)
            )
            if own not in COORDINATORS:
                raise forbidden(f"Department {context.department} does not keep the roster.")
            ids = {
                code: id_
                for code, id_ in await session.execute(
                    select(models.Department.code, models.Department.id)
                )
            }
            rows: list[dict[str, Any]] = []
            seen: set[tuple[str | None, str, str]] = set()
            for n, entry in enumerate(entries):
                zone = None if entry.zone is None else entry.zone.strip() or None
                key = (zone, entry.minimum_grade.value, entry.department)
                if entry.department not in ids:
                    problems.add(f"entries[{n}].department", "exists", "no such department code")
                elif key in seen:
                    problems.add(f"entries[{n}]", "unique", "this entry is already listed")
                seen.add(key)
                rows.append(
                    {
                        "zone": zone,
                        "minimum_grade": entry.minimum_grade.value,
                        "department_id": ids.get(entry.department),
                    }
                )
            if problems.errors:
                return EmergencyRosterPayload(errors=problems.errors)
            await session.execute(delete(EmergencyRosterEntry))
            session.add_all(EmergencyRosterEntry(**row) for row in rows)
            await session.flush()
            return EmergencyRosterPayload(entries=await _roster(session))


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
