"""The emergency roster: configuration, not a shared record. Anyone reads it; the emergency
bureau's steward replaces it."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db import models
from liaison.db.incident_models import EmergencyRosterEntry, IncidentGrade
from liaison.db.incidents import COORDINATORS
from liaison.permissions.principal import Role
from liaison.schema.context import Context
from liaison.schema.errors import forbidden
from liaison.schema.mutations import InputError, Problems
from liaison.schema.types import incidents as _declares_the_enums  # noqa: F401

Info = strawberry.Info[Context, None]


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
class EmergencyRosterPayload:
    entries: list[EmergencyRosterEntryType] = strawberry.field(default_factory=list)
    errors: list[InputError] = strawberry.field(default_factory=list)


async def _entries(session: AsyncSession) -> list[EmergencyRosterEntryType]:
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
class EmergencyRosterQuery:
    @strawberry.field(description="The emergency roster: who is called to which incidents.")
    async def emergency_roster(self, info: Info) -> list[EmergencyRosterEntryType]:
        async with info.context.database() as session:
            return await _entries(session)


@strawberry.type
class EmergencyRosterMutation:
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
            return EmergencyRosterPayload(entries=await _entries(session))
