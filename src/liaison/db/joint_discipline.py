"""The joint discipline list of discredited enterprises, as plain functions on a session.

An enterprise enters the list when it is rated seriously dishonest, or when a certificate
of its is revoked for a safety or environmental violation, in the transaction that wrote
the rating or the revocation. Each department applies the measures it stands by
(``discipline_measure_rule``), copied onto the entry when it is entered, so the entry keeps
what applied then. It leaves the list by a documented credit repair; the entry stays,
REPAIRED. One stay at a time: an enterprise already listed stays on its first entry."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db import models
from liaison.db.certificate_models import (
    DisciplineMeasureRule,
    DisciplineStatus,
    DisciplineTrigger,
    JointDisciplineEntry,
    JointDisciplineMeasure,
)
from liaison.db.changes import note_change
from liaison.db.recognition import lapse_for_enterprise

# Grades that put an enterprise on the list, whatever the scheme they were issued under.
DISCREDITED_GRADES = frozenset({"seriously_dishonest"})


async def listed_entry(session: AsyncSession, enterprise_id: int) -> JointDisciplineEntry | None:
    found: JointDisciplineEntry | None = await session.scalar(
        select(JointDisciplineEntry).where(
            JointDisciplineEntry.enterprise_id == enterprise_id,
            JointDisciplineEntry.status == DisciplineStatus.LISTED,
        )
    )
    return found


async def enter_list(
    session: AsyncSession,
    *,
    enterprise_id: int,
    owner_id: int,
    since: dt.date,
    trigger: DisciplineTrigger,
    record_id: int,
) -> int | None:
    """Lists the enterprise with every department's standing measures; notes the entry
    and its measures. Returns the entry's id, or None when it was already listed."""
    if await listed_entry(session, enterprise_id) is not None:
        return None
    entry = JointDisciplineEntry(
        enterprise_id=enterprise_id,
        owner_department_id=owner_id,
        since=since,
        trigger_kind=trigger.value,
        credit_rating_id=record_id if trigger is DisciplineTrigger.CREDIT_RATING else None,
        certificate_event_id=(
            record_id if trigger is DisciplineTrigger.CERTIFICATE_REVOCATION else None
        ),
        status=DisciplineStatus.LISTED.value,
    )
    session.add(entry)
    await session.flush()
    rules = (
        await session.execute(
            select(DisciplineMeasureRule.department_id, DisciplineMeasureRule.measure).order_by(
                DisciplineMeasureRule.department_id, DisciplineMeasureRule.measure
            )
        )
    ).all()
    measures = [
        JointDisciplineMeasure(
            entry_id=entry.id,
            enterprise_id=enterprise_id,
            owner_department_id=owner_id,
            department_id=department_id,
            measure=measure,
        )
        for department_id, measure in rules
    ]
    session.add_all(measures)
    await session.flush()
    await note_change(session, "joint_discipline_entry", entry.id)
    for measure_row in measures:
        await note_change(session, "joint_discipline_measure", measure_row.id)
    await _on_discipline_entered(session, entry)
    return entry.id


async def _on_discipline_entered(session: AsyncSession, entry: JointDisciplineEntry) -> None:
    """The mutual recognitions that rest on the enterprise's good standing lapse, in the
    same transaction as its entry on the list. The reason names the list and the day, not
    what put the enterprise there: the recogniser may not be granted that record."""
    await lapse_for_enterprise(
        session,
        entry.enterprise_id,
        f"the enterprise entered the joint discipline list on {entry.since.isoformat()}",
    )


async def enter_on_rating(session: AsyncSession, rating: models.CreditRating) -> int | None:
    """Called by the credit rating's write, in its transaction."""
    if rating.grade not in DISCREDITED_GRADES:
        return None
    return await enter_list(
        session,
        enterprise_id=rating.enterprise_id,
        owner_id=rating.owner_department_id,
        since=rating.effective_on,
        trigger=DisciplineTrigger.CREDIT_RATING,
        record_id=rating.id,
    )


async def repair_credit(
    session: AsyncSession, entry: JointDisciplineEntry, *, on: dt.date, basis: str
) -> None:
    """Takes the enterprise off the list; callers check the entry and the date first."""
    entry.status = DisciplineStatus.REPAIRED.value
    entry.repaired_on = on
    entry.repair_basis = basis
    await session.flush()
    await note_change(session, "joint_discipline_entry", entry.id)
