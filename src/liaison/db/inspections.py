"""Joint inspections, written: plans, answers, draws and visits as plain functions on a
session. The callers (``schema.inspection_mutations``) collect every problem first and
write nothing while there is one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db import models
from liaison.db.inspection_checklist import StandardItem
from liaison.db.inspection_models import (
    JointInspectionDraw,
    JointInspectionItem,
    JointInspectionParticipant,
    JointInspectionPlan,
    JointInspectionResult,
    JointInspectionTarget,
    JointInspectionVisit,
    Outcome,
    PlanStatus,
    Response,
)

# A finding's deadline: the risk workflow moves it on from there.
RECTIFICATION_DAYS = 30


async def departments(session: AsyncSession) -> dict[str, models.Department]:
    found = await session.scalars(select(models.Department))
    return {d.code: d for d in found}


async def agreed_with(session: AsyncSession, lead_id: int, on: dt.datetime) -> set[int]:
    """Departments that are parties, with ``lead_id``, to an agreement active at ``on``:
    the ones a plan of the lead's may invite."""
    version, party = models.AgreementVersion, models.AgreementParty
    agreement = models.Agreement
    current = (
        select(version.id)
        .join(
            agreement,
            and_(
                agreement.id == version.agreement_id, agreement.current_version == version.version
            ),
        )
        .where(version.status == "active", version.valid_from <= on, version.valid_until > on)
    )
    leads = select(party.agreement_version_id).where(
        party.department_id == lead_id, party.agreement_version_id.in_(current)
    )
    found = await session.scalars(
        select(party.department_id).where(party.agreement_version_id.in_(leads))
    )
    return set(found) - {lead_id}


@dataclass(frozen=True)
class NewPlan:
    lead_id: int
    title: str
    legal_basis: str
    window_from: dt.date
    window_until: dt.date
    participant_ids: Sequence[int]  # the others; the lead takes part from the start
    items: Sequence[tuple[int, StandardItem]]  # (department, item)
    target_ids: Sequence[int]


@dataclass
class Written:
    """Ids of what one write added, by record type (for ``note_change``)."""

    ids: dict[str, list[int]]

    def add(self, record_type: str, *ids: int) -> None:
        self.ids.setdefault(record_type, []).extend(ids)


async def propose_plan(session: AsyncSession, plan: NewPlan, today: dt.date) -> tuple[int, Written]:
    row = JointInspectionPlan(
        owner_department_id=plan.lead_id,
        title=plan.title,
        legal_basis=plan.legal_basis,
        window_from=plan.window_from,
        window_until=plan.window_until,
        status=PlanStatus.PROPOSED.value,
        proposed_on=today,
    )
    session.add(row)
    await session.flush()
    owned = {"plan_id": row.id, "owner_department_id": plan.lead_id}
    participants = [
        JointInspectionParticipant(
            **owned,
            department_id=plan.lead_id,
            response=Response.ACCEPTED.value,
            responded_on=today,
        ),
        *(
            JointInspectionParticipant(
                **owned, department_id=department_id, response=Response.PENDING.value
            )
            for department_id in plan.participant_ids
        ),
    ]
    items = [
        JointInspectionItem(
            **owned,
            department_id=department_id,
            code=item.code,
            aspect=item.aspect,
            text=item.text,
            legal_reference=item.legal_reference,
        )
        for department_id, item in plan.items
    ]
    targets = [JointInspectionTarget(**owned, enterprise_id=e) for e in plan.target_ids]
    session.add_all([*participants, *items, *targets])
    await session.flush()
    written = Written({"joint_inspection_plan": [row.id]})
    written.add("joint_inspection_participant", *(p.id for p in participants))
    written.add("joint_inspection_item", *(i.id for i in items))
    written.add("joint_inspection_target", *(t.id for t in targets))
    return row.id, written


async def participants_of(
    session: AsyncSession, plan_id: int
) -> Sequence[JointInspectionParticipant]:
    return (
        await session.scalars(
            select(JointInspectionParticipant).where(JointInspectionParticipant.plan_id == plan_id)
        )
    ).all()


def answer(
    plan: JointInspectionPlan,
    participants: Sequence[JointInspectionParticipant],
    mine: JointInspectionParticipant,
    response: Response,
    reason: str | None,
    today: dt.date,
) -> None:
    """Records a checked answer and moves the plan: declined as soon as one declines,
    active once every participant accepted."""
    mine.response, mine.responded_on, mine.reason = response.value, today, reason
    if response is Response.DECLINED:
        plan.status = PlanStatus.DECLINED.value
    elif all(p.response == Response.ACCEPTED for p in participants):
        plan.status = PlanStatus.ACTIVE.value


@dataclass(frozen=True)
class NewDraw:
    plan_id: int
    owner_id: int
    kind: str
    department_id: int
    seed: str
    criteria: dict[str, object]
    pool: list[list[object]]
    drawn: list[str]
    drawn_on: dt.date


async def record_draw(
    session: AsyncSession, new: NewDraw, target_ids: Sequence[int] = ()
) -> tuple[int, Written]:
    row = JointInspectionDraw(
        plan_id=new.plan_id,
        owner_department_id=new.owner_id,
        kind=new.kind,
        department_id=new.department_id,
        seed=new.seed,
        criteria=new.criteria,
        pool_size=len(new.pool),
        drawn_count=len(new.drawn),
        pool=new.pool,
        drawn=new.drawn,
        drawn_on=new.drawn_on,
    )
    session.add(row)
    await session.flush()
    targets = [
        JointInspectionTarget(
            plan_id=new.plan_id,
            owner_department_id=new.owner_id,
            enterprise_id=enterprise_id,
            draw_id=row.id,
        )
        for enterprise_id in target_ids
    ]
    session.add_all(targets)
    await session.flush()
    written = Written({"joint_inspection_draw": [row.id]})
    written.add("joint_inspection_target", *(t.id for t in targets))
    return row.id, written


@dataclass(frozen=True)
class Finding:
    item: JointInspectionItem
    outcome: Outcome
    note: str | None


@dataclass(frozen=True)
class NewVisit:
    plan: JointInspectionPlan
    enterprise_id: int
    visited_on: dt.date
    departments: list[str]
    inspectors: list[str]
    reception_hours: Decimal
    findings: Sequence[Finding]


async def record_visit(session: AsyncSession, visit: NewVisit) -> tuple[int, Written]:
    """Writes a checked visit and its results. Each non-compliant result opens a hidden
    danger owned by the item's department, not the lead's: the deliberate exception to
    "a department writes only its own records", made here for the department that brought
    the item, and named in the operation's audit event (see ``recordJointInspectionVisit``)."""
    plan = visit.plan
    row = JointInspectionVisit(
        plan_id=plan.id,
        owner_department_id=plan.owner_department_id,
        enterprise_id=visit.enterprise_id,
        visited_on=visit.visited_on,
        departments=visit.departments,
        inspectors=visit.inspectors,
        departments_present=len(visit.departments),
        reception_hours=visit.reception_hours,
    )
    session.add(row)
    await session.flush()
    written = Written({"joint_inspection_visit": [row.id]})
    for finding in visit.findings:
        risk_id = None
        item = finding.item
        if finding.outcome is Outcome.NON_COMPLIANT:
            risk = models.Risk(
                enterprise_id=visit.enterprise_id,
                owner_department_id=item.department_id,
                category=item.aspect,
                description=f"{item.code} {item.text}: {finding.note}",
                level="general",
                found_on=visit.visited_on,
                rectification_deadline=visit.visited_on + dt.timedelta(days=RECTIFICATION_DAYS),
                status="reported",
                supervising_department_id=item.department_id,
                evidence=f"joint inspection plan {plan.id}, visit {row.id}, item {item.code} "
                f"({item.legal_reference})",
            )
            session.add(risk)
            await session.flush()
            risk_id = risk.id
            written.add("risk", risk.id)
        result = JointInspectionResult(
            plan_id=plan.id,
            owner_department_id=plan.owner_department_id,
            visit_id=row.id,
            enterprise_id=visit.enterprise_id,
            item_id=item.id,
            outcome=finding.outcome.value,
            note=finding.note,
            risk_id=risk_id,
        )
        session.add(result)
        await session.flush()
        written.add("joint_inspection_result", result.id)
    return row.id, written
