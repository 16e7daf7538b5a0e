"""Joint inspections, written: the lead department proposes a plan, each participant
accepts or declines it, targets and inspectors are drawn, and the lead records the one
visit to each target, whose non-compliant items open hidden dangers for the departments
that brought them. Invalid input: errors naming the field, and nothing written."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db import models
from liaison.db.changes import note_change
from liaison.db.inspection_draw import Member, draw
from liaison.db.inspection_models import (
    DrawKind,
    Inspector,
    JointInspectionPlan,
    JointInspectionTarget,
    PlanStatus,
    Response,
)
from liaison.db.inspections import (
    NewDraw,
    NewPlan,
    Written,
    agreed_with,
    answer,
    departments,
    participants_of,
    propose_plan,
    record_draw,
    record_visit,
)
from liaison.schema.context import Context
from liaison.schema.departments import contributor_department
from liaison.schema.inspection_checks import checked_visit, checklist, named_targets
from liaison.schema.inspection_inputs import (
    Answer,
    DrawJointInspectionInspectorsInput,
    DrawJointInspectionTargetsInput,
    JointInspectionDrawPayload,
    JointInspectionPlanPayload,
    JointInspectionVisitPayload,
    ProposeJointInspectionInput,
    RecordJointInspectionVisitInput,
    RespondToJointInspectionInput,
)
from liaison.schema.inspection_weights import target_pool
from liaison.schema.internal_reads import read_records
from liaison.schema.mutations import Problems
from liaison.schema.one_record import one_record
from liaison.schema.pagination import parse_record_id

Info = strawberry.Info[Context, None]

MAX_DRAW = 100


async def _writer(context: Context) -> models.Department:
    async with context.database() as session:
        return await contributor_department(context, session)


async def _noted(session: AsyncSession, written: Written) -> None:
    for record_type, ids in written.ids.items():
        for record_id in ids:
            await note_change(session, record_type, record_id)


async def _lead_plan(
    session: AsyncSession, problems: Problems, lead_id: int, given: strawberry.ID, field: str
) -> JointInspectionPlan | None:
    """The caller's own plan; another department's is answered like a missing one."""
    key = parse_record_id(given)
    plan = None if key is None else await session.get(JointInspectionPlan, key)
    if plan is None or plan.owner_department_id != lead_id:
        problems.add(field, "exists", "no joint inspection plan of your department has this id")
        return None
    return plan


def _seed(problems: Problems, given: str | None) -> str:
    if given is None:
        return secrets.token_hex(16)
    return problems.text("seed", given, max_length=64)


def _count(problems: Problems, count: int) -> None:
    if not 1 <= count <= MAX_DRAW:
        problems.add("count", "range", f"count must be from 1 to {MAX_DRAW}")


async def _plan_payload(info: Info, plan_id: int) -> JointInspectionPlanPayload:
    found = await one_record(info.context, info.path, "joint_inspection_plan", plan_id)
    return JointInspectionPlanPayload(plan=found)


@strawberry.type
class InspectionMutation:
    @strawberry.mutation(
        description="Propose a joint inspection plan as its lead department: the other "
        "departments (each a party with you to an active agreement), the window, the "
        "checklist each brings, and any targets named. It is active once all accept."
    )
    async def propose_joint_inspection(
        self, info: Info, input: ProposeJointInspectionInput
    ) -> JointInspectionPlanPayload:
        context = info.context
        problems = Problems()
        lead = await _writer(context)
        title = problems.text("title", input.title, max_length=200)
        basis = problems.text("legalBasis", input.legal_basis, max_length=4000)
        if input.window_until < input.window_from:
            problems.add("windowUntil", "order", "windowUntil must not precede windowFrom")
        async with context.database() as session, session.begin_nested():
            known = await departments(session)
            agreed = await agreed_with(session, lead.id, dt.datetime.now(dt.UTC))
            taking_part = {lead.code: lead}
            if not input.participants:
                problems.add("participants", "required", "a joint inspection has other departments")
            for n, code in enumerate(input.participants):
                field = f"participants[{n}]"
                department = known.get(code)
                if department is None:
                    problems.add(field, "exists", "no such department code")
                elif code in taking_part:
                    problems.add(field, "unique", "the department already takes part")
                elif department.id not in agreed:
                    problems.add(
                        field,
                        "agreement",
                        f"{code} is not a party with {lead.code} to an active agreement",
                    )
                else:
                    taking_part[code] = department
            items = checklist(problems, input.items, taking_part)
            targets = await named_targets(session, problems, input.targets)
            if problems.errors:
                return JointInspectionPlanPayload(errors=problems.errors)
            plan_id, written = await propose_plan(
                session,
                NewPlan(
                    lead_id=lead.id,
                    title=title,
                    legal_basis=basis,
                    window_from=input.window_from,
                    window_until=input.window_until,
                    participant_ids=[d.id for c, d in taking_part.items() if c != lead.code],
                    items=items,
                    target_ids=targets,
                ),
                dt.date.today(),
            )
            await _noted(session, written)
        return await _plan_payload(info, plan_id)

    @strawberry.mutation(
        description="Accept or decline (with a reason) a joint inspection plan your "
        "department is invited to. One decline and the plan cannot become active."
    )
    async def respond_to_joint_inspection(
        self, info: Info, input: RespondToJointInspectionInput
    ) -> JointInspectionPlanPayload:
        context = info.context
        problems = Problems()
        me = await _writer(context)
        async with context.database() as session, session.begin_nested():
            key = parse_record_id(input.id)
            plan = None if key is None else await session.get(JointInspectionPlan, key)
            participants = [] if plan is None else await participants_of(session, plan.id)
            mine = next((p for p in participants if p.department_id == me.id), None)
            if plan is None or mine is None:
                problems.add("id", "exists", "no joint inspection plan invites your department")
                return JointInspectionPlanPayload(errors=problems.errors)
            reason = None
            if input.answer is Answer.DECLINE:
                reason = problems.text("reason", input.reason or "", max_length=4000)
            if plan.status != PlanStatus.PROPOSED:
                problems.add("id", "status", f"the plan is {plan.status}: it takes no answers")
            elif mine.response != Response.PENDING:
                problems.add("id", "answered", f"your department has {mine.response} it")
            if problems.errors:
                return JointInspectionPlanPayload(errors=problems.errors)
            response = Response.ACCEPTED if input.answer is Answer.ACCEPT else Response.DECLINED
            answer(plan, participants, mine, response, reason, dt.date.today())
            await session.flush()
            plan_id = plan.id
            await note_change(session, "joint_inspection_participant", mine.id)
            await note_change(session, "joint_inspection_plan", plan_id)
        return await _plan_payload(info, plan_id)

    @strawberry.mutation(
        description="Draw targets for your plan at random from a pool (zone, industry, "
        "lifecycle status), weighted by risk as far as you may see it; the draw records "
        "its seed, pool and weights so anyone can re-run it (verifyJointInspectionDraw)."
    )
    async def draw_joint_inspection_targets(
        self, info: Info, input: DrawJointInspectionTargetsInput
    ) -> JointInspectionDrawPayload:
        context = info.context
        problems = Problems()
        lead = await _writer(context)
        _count(problems, input.count)
        seed = _seed(problems, input.seed)
        async with context.database() as session:
            plan = await _lead_plan(session, problems, lead.id, input.plan_id, "planId")
            if plan is not None and plan.status == PlanStatus.DECLINED:
                problems.add("planId", "status", "the plan was declined")
            taken: set[int] = set()
            if plan is not None:
                taken = set(
                    await session.scalars(
                        select(JointInspectionTarget.enterprise_id).where(
                            JointInspectionTarget.plan_id == plan.id
                        )
                    )
                )
        criteria: dict[str, Any] = {
            name: value
            for name, value in (
                ("zone", input.zone),
                ("industry", input.industry),
                ("status", None if input.status is None else input.status.value),
            )
            if value is not None
        }
        if not criteria:
            problems.add("zone", "required", "name the pool: a zone, an industry or a status")
        if problems.errors or plan is None:
            return JointInspectionDrawPayload(errors=problems.errors)
        # Outside the write: the pool and its weights are read through the gate (audited).
        pool, ids = await target_pool(context, criteria, exclude=taken)
        if not pool:
            problems.add("zone", "empty", "no enterprise you may see matches the pool")
            return JointInspectionDrawPayload(errors=problems.errors)
        drawn = draw(pool, input.count, seed)
        async with context.database() as session, session.begin_nested():
            draw_id, written = await record_draw(
                session,
                NewDraw(
                    plan_id=plan.id,
                    owner_id=lead.id,
                    kind=DrawKind.TARGETS.value,
                    department_id=lead.id,
                    seed=seed,
                    criteria=criteria,
                    pool=[[m.key, m.weight] for m in pool],
                    drawn=drawn,
                    drawn_on=dt.date.today(),
                ),
                [ids[key] for key in drawn],
            )
            await _noted(session, written)
        found = await one_record(context, info.path, "joint_inspection_draw", draw_id)
        return JointInspectionDrawPayload(draw=found)

    @strawberry.mutation(
        description="Draw your department's inspectors for a plan it takes part in, at "
        "random from its roster (equal weights), recorded so anyone can re-run it."
    )
    async def draw_joint_inspection_inspectors(
        self, info: Info, input: DrawJointInspectionInspectorsInput
    ) -> JointInspectionDrawPayload:
        context = info.context
        problems = Problems()
        me = await _writer(context)
        _count(problems, input.count)
        seed = _seed(problems, input.seed)
        async with context.database() as session, session.begin_nested():
            key = parse_record_id(input.plan_id)
            plan = None if key is None else await session.get(JointInspectionPlan, key)
            participants = [] if plan is None else await participants_of(session, plan.id)
            if plan is None or all(p.department_id != me.id for p in participants):
                problems.add("planId", "exists", "no joint inspection plan invites your department")
                return JointInspectionDrawPayload(errors=problems.errors)
            if plan.status == PlanStatus.DECLINED:
                problems.add("planId", "status", "the plan was declined")
            roster = (
                await session.scalars(
                    select(Inspector)
                    .where(Inspector.department_id == me.id, Inspector.active)
                    .order_by(Inspector.badge)
                )
            ).all()
            if not roster:
                problems.add("planId", "roster", "your department's inspector roster is empty")
            if problems.errors:
                return JointInspectionDrawPayload(errors=problems.errors)
            pool = [Member(f"{i.badge} {i.name}", 2) for i in roster]
            draw_id, written = await record_draw(
                session,
                NewDraw(
                    plan_id=plan.id,
                    owner_id=me.id,
                    kind=DrawKind.INSPECTORS.value,
                    department_id=me.id,
                    seed=seed,
                    criteria={"roster": me.code},
                    pool=[[m.key, m.weight] for m in pool],
                    drawn=draw(pool, input.count, seed),
                    drawn_on=dt.date.today(),
                ),
            )
            await _noted(session, written)
        found = await one_record(context, info.path, "joint_inspection_draw", draw_id)
        return JointInspectionDrawPayload(draw=found)

    @strawberry.mutation(
        description="Record the one visit to a target of your active plan: who came from "
        "which department, the reception hours, and each checklist item's result. A "
        "non-compliant item opens a hidden danger (a Risk) owned by the department whose "
        "item it is, linked to the visit; its rectification runs as any risk's."
    )
    async def record_joint_inspection_visit(
        self, info: Info, input: RecordJointInspectionVisitInput
    ) -> JointInspectionVisitPayload:
        context = info.context
        problems = Problems()
        lead = await _writer(context)
        async with context.database() as session, session.begin_nested():
            plan = await _lead_plan(session, problems, lead.id, input.plan_id, "planId")
            if plan is None:
                return JointInspectionVisitPayload(errors=problems.errors)
            visit = await checked_visit(session, problems, plan, input)
            if problems.errors or visit is None:
                return JointInspectionVisitPayload(errors=problems.errors)
            visit_id, written = await record_visit(session, visit)
            await _noted(session, written)
        risks = written.ids.get("risk", [])
        if risks:
            # The risks written for other departments, read back through the gate: the
            # operation's audit event names each of them with its owner (reason: party,
            # found on a joint inspection visit), whatever the response selects.
            await read_records(
                context,
                "risk",
                ["category", "status", "evidence"],
                where=[models.Risk.id.in_(risks)],
            )
        found = await one_record(context, info.path, "joint_inspection_visit", visit_id)
        return JointInspectionVisitPayload(visit=found)
