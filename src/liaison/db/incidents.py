"""An incident's life, as plain functions on a session: opened (graded, routed by the
roster), acknowledged by the departments it was routed to (each with its team), re-graded
when its figures change (and routed further if its grade rises), closed.

Opening, acknowledging and closing change who may see what during the incident (see
``permissions.incident_access``): each moves the policy epoch in the same transaction, so
every process recompiles before its next request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db import models
from liaison.db.agreements import bump_policy_epoch
from liaison.db.changes import Change
from liaison.db.incident_grading import Grading, at_least, grade_incident
from liaison.db.incident_models import (
    EmergencyRosterEntry,
    Incident,
    IncidentChemical,
    IncidentResponse,
    IncidentStatus,
    IncidentTeamMember,
)
from liaison.permissions.incident_access import OpenIncident

# Which kinds of department open and coordinate incidents (and keep the roster).
COORDINATORS = frozenset({"emergency_management"})


@dataclass(frozen=True)
class Figures:
    deaths: int
    serious_injuries: int
    evacuated: int
    direct_loss: Decimal

    def grading(self) -> Grading:
        return grade_incident(
            deaths=self.deaths,
            serious_injuries=self.serious_injuries,
            direct_loss=self.direct_loss,
        )


@dataclass(frozen=True)
class Chemical:
    name: str
    cas_number: str
    un_number: str


@dataclass(frozen=True)
class TeamMember:
    name: str
    role: str
    phone: str


async def load_open_incidents(session: AsyncSession) -> dict[str, OpenIncident]:
    """Every open incident by reference, with the departments that acknowledged it: what
    the policy is compiled with (read with the agreements, at each policy epoch)."""
    rows = await session.execute(
        select(Incident.reference, Incident.zone, models.Department.code)
        .outerjoin(
            IncidentResponse,
            (IncidentResponse.incident_id == Incident.id)
            & IncidentResponse.acknowledged_at.is_not(None),
        )
        .outerjoin(models.Department, models.Department.id == IncidentResponse.department_id)
        .where(Incident.status == IncidentStatus.OPEN.value)
    )
    zones: dict[str, str] = {}
    responders: dict[str, set[str]] = {}
    for reference, zone, department in rows:
        zones[reference] = zone
        found = responders.setdefault(reference, set())
        if department is not None:
            found.add(department)
    return {
        reference: OpenIncident(reference, zone, frozenset(responders[reference]))
        for reference, zone in zones.items()
    }


async def _next_reference(session: AsyncSession, year: int) -> str:
    # Every mutation holds the writers' lock to its commit (db.audit.hold_writes),
    # so no other transaction numbers an incident between this count and the insert.
    prefix = f"INC-{year}-"
    taken = await session.scalar(
        select(func.count()).select_from(Incident).where(Incident.reference.like(f"{prefix}%"))
    )
    return f"{prefix}{int(taken or 0) + 1:04d}"


async def called_departments(session: AsyncSession, zone: str, grade: str) -> list[int]:
    """Department ids the roster calls for an incident of ``grade`` in ``zone``."""
    rows = await session.execute(
        select(EmergencyRosterEntry.department_id, EmergencyRosterEntry.minimum_grade).where(
            (EmergencyRosterEntry.zone.is_(None)) | (EmergencyRosterEntry.zone == zone)
        )
    )
    return sorted({department for department, minimum in rows if at_least(grade, minimum)})


async def _route(session: AsyncSession, incident: Incident, now: dt.datetime) -> list[int]:
    """Calls the departments the roster names for the incident's grade that were not called
    yet (a grade that falls calls nobody off). Returns the new responses' ids."""
    called = set(
        await session.scalars(
            select(IncidentResponse.department_id).where(
                IncidentResponse.incident_id == incident.id
            )
        )
    )
    added = [
        IncidentResponse(
            incident_id=incident.id,
            enterprise_id=incident.enterprise_id,
            owner_department_id=incident.owner_department_id,
            department_id=department,
            routed_for=incident.grade,
            routed_at=now,
        )
        for department in await called_departments(session, incident.zone, incident.grade)
        if department not in called
    ]
    session.add_all(added)
    await session.flush()
    return [response.id for response in added]


async def open_incident(
    session: AsyncSession,
    *,
    owner_id: int,
    enterprise_id: int,
    zone: str,
    occurred_at: dt.datetime,
    location: str,
    description: str,
    figures: Figures,
    chemicals: Sequence[Chemical],
) -> tuple[Incident, list[int], list[int]]:
    """The incident, the ids of its chemicals and of its responses (the departments called)."""
    now = dt.datetime.now(dt.UTC)
    grading = figures.grading()
    incident = Incident(
        owner_department_id=owner_id,
        enterprise_id=enterprise_id,
        reference=await _next_reference(session, occurred_at.year),
        zone=zone,
        occurred_at=occurred_at,
        location=location,
        description=description,
        deaths=figures.deaths,
        serious_injuries=figures.serious_injuries,
        evacuated=figures.evacuated,
        direct_loss=figures.direct_loss,
        grade=grading.grade.value,
        grade_rule=grading.rule,
        status=IncidentStatus.OPEN.value,
        opened_at=now,
    )
    session.add(incident)
    await session.flush()
    rows = [
        IncidentChemical(
            incident_id=incident.id,
            enterprise_id=enterprise_id,
            owner_department_id=owner_id,
            chemical_name=chemical.name,
            cas_number=chemical.cas_number,
            un_number=chemical.un_number,
        )
        for chemical in chemicals
    ]
    session.add_all(rows)
    await session.flush()
    responses = await _route(session, incident, now)
    await bump_policy_epoch(session)
    return incident, [row.id for row in rows], responses


async def revise_figures(
    session: AsyncSession, incident: Incident, figures: Figures
) -> tuple[bool, list[int]]:
    """Re-grades the incident on its new figures; routes it further if the grade rose.
    Returns whether the grade changed, and the new responses' ids."""
    grading = figures.grading()
    changed = grading.grade.value != incident.grade
    incident.deaths = figures.deaths
    incident.serious_injuries = figures.serious_injuries
    incident.evacuated = figures.evacuated
    incident.direct_loss = figures.direct_loss
    incident.grade, incident.grade_rule = grading.grade.value, grading.rule
    await session.flush()
    return changed, await _route(session, incident, dt.datetime.now(dt.UTC))


async def response_of(
    session: AsyncSession, incident_id: int, department_id: int
) -> IncidentResponse | None:
    found: IncidentResponse | None = await session.scalar(
        select(IncidentResponse).where(
            IncidentResponse.incident_id == incident_id,
            IncidentResponse.department_id == department_id,
        )
    )
    return found


async def acknowledge(
    session: AsyncSession,
    incident: Incident,
    response: IncidentResponse,
    *,
    by: str,
    team: Sequence[TeamMember],
) -> list[int]:
    """Marks the department's call answered and records its team (its own records).
    Returns the team members' ids. Callers check the incident is open and the call not
    answered yet."""
    response.acknowledged_at = dt.datetime.now(dt.UTC)
    response.acknowledged_by = by
    members = [
        IncidentTeamMember(
            incident_id=incident.id,
            enterprise_id=incident.enterprise_id,
            owner_department_id=response.department_id,
            name=member.name,
            role=member.role,
            phone=member.phone,
        )
        for member in team
    ]
    session.add_all(members)
    await session.flush()
    await bump_policy_epoch(session)
    return [member.id for member in members]


async def close_incident(session: AsyncSession, incident: Incident, at: dt.datetime) -> None:
    """Ends the incident and with it the emergency access it opened. Callers check it is
    open."""
    incident.status = IncidentStatus.CLOSED.value
    incident.closed_at = at
    await session.flush()
    await bump_policy_epoch(session)


async def enterprises_of_zone(session: AsyncSession, zone: str, first: int) -> list[int]:
    """The incident's enterprise first, then its neighbours (the others of its zone): ids
    only, for the emergency access to read through the gate."""
    ids = list(
        await session.scalars(
            select(models.Enterprise.id)
            .where(models.Enterprise.zone == zone, models.Enterprise.id != first)
            .order_by(models.Enterprise.id)
        )
    )
    return [first, *ids]


@dataclass(frozen=True)
class AccessState:
    """Where a department stands towards an incident, for emergency access."""

    incident_id: int
    enterprise_id: int
    zone: str
    open: bool
    routed: bool
    acknowledged: bool


async def access_state(
    session: AsyncSession, reference: str, department_id: int
) -> AccessState | None:
    row = (
        await session.execute(
            select(
                Incident.id,
                Incident.enterprise_id,
                Incident.zone,
                Incident.status,
                IncidentResponse.id.label("response_id"),
                IncidentResponse.acknowledged_at,
            )
            .outerjoin(
                IncidentResponse,
                (IncidentResponse.incident_id == Incident.id)
                & (IncidentResponse.department_id == department_id),
            )
            .where(Incident.reference == reference)
        )
    ).first()
    if row is None:
        return None
    return AccessState(
        incident_id=row.id,
        enterprise_id=row.enterprise_id,
        zone=row.zone,
        open=row.status == IncidentStatus.OPEN.value,
        routed=row.response_id is not None,
        acknowledged=row.acknowledged_at is not None,
    )


# What emergency access delivers, and the record types whose changes may change it.
ACCESS_FEED = ("incident", "enterprise", "dangerous_chemical_entry", "risk")


async def enterprises_touched(session: AsyncSession, changes: Sequence[Change]) -> set[int]:
    """The enterprises whose records (or themselves) the changes concern."""
    by_type: dict[str, set[int]] = {}
    for change in changes:
        by_type.setdefault(change.record_type, set()).add(change.record_id)
    touched = set(by_type.get("enterprise", ()))
    for record_type, model in (
        ("dangerous_chemical_entry", models.DangerousChemicalEntry),
        ("risk", models.Risk),
    ):
        ids = by_type.get(record_type)
        if ids:
            touched.update(
                await session.scalars(select(model.enterprise_id).where(model.id.in_(sorted(ids))))
            )
    return touched
