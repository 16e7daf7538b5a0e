"""Joint inspections, written: the lead department proposes a plan, each participant
accepts or declines it, targets and inspectors are drawn, and the lead records the one
visit to each target, whose non-compliant items open hidden dangers for the departments
that brought them. Invalid input: errors naming the field, and nothing written."""

from __future__ import annotations

import datetime as dt
import enum
import secrets
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.codes import InvalidCode, validate_uscc
from liaison.db import models
from liaison.db.changes import note_change
from liaison.db.inspection_checklist import BY_CODE, StandardItem, default_items
from liaison.db.inspection_draw import Member, draw
from liaison.db.inspection_models import (
    DrawKind,
    Inspector,
    JointInspectionItem,
    JointInspectionPlan,
    JointInspectionTarget,
    JointInspectionVisit,
    Outcome,
    PlanStatus,
    Response,
)
from liaison.db.inspections import (
    Finding,
    NewDraw,
    NewPlan,
    NewVisit,
    Written,
    agreed_with,
    answer,
    departments,
    participants_of,
    propose_plan,
    record_draw,
    record_visit,
)
from liaison.db.models import LifecycleKind
from liaison.schema.context import Context
from liaison.schema.departments import contributor_department
from liaison.schema.inspection_weights import target_pool
from liaison.schema.internal_reads import read_records
from liaison.schema.mutations import InputError, Problems
from liaison.schema.one_record import one_record
from liaison.schema.pagination import parse_record_id
from liaison.schema.scalars import Amount
from liaison.schema.types.inspections import (
    JointInspectionDraw as DrawType,
)
from liaison.schema.types.inspections import (
    JointInspectionPlan as PlanType,
)
from liaison.schema.types.inspections import (
    JointInspectionVisit as VisitType,
)

Info = strawberry.Info[Context, None]

MAX_DRAW = 100
MAX_HOURS = Decimal("1000")


class Answer(enum.Enum):
    ACCEPT = "accept"
    DECLINE = "decline"


strawberry.enum(Answer, name="JointInspectionAnswer")


@strawberry.input(
    description="A standard checklist item (see `standardChecklist`) and who brings it."
)
class ChecklistItemInput:
    department: str
    code: str


@strawberry.input
class ProposeJointInspectionInput:
    title: str
    legal_basis: str
    window_from: dt.date
    window_until: dt.date
    participants: list[str] = strawberry.field(
        description="The other departments (codes); the lead takes part from the start."
    )
    items: list[ChecklistItemInput] | None = strawberry.field(
        default=None,
        description="Left out: each participant brings the standard items of its kind.",
    )
    targets: list[str] = strawberry.field(
        default_factory=list, description="Enterprises (USCC) named as targets."
    )


@strawberry.input
class RespondToJointInspectionInput:
    id: strawberry.ID
    answer: Answer
    reason: str | None = None


@strawberry.input(description="The pool: every enterprise the conditions given match.")
class DrawJointInspectionTargetsInput:
    plan_id: strawberry.ID
    count: int
    zone: str | None = None
    industry: str | None = None
    status: LifecycleKind | None = None
    seed: str | None = strawberry.field(default=None, description="Left out: a random one.")


@strawberry.input
class DrawJointInspectionInspectorsInput:
    plan_id: strawberry.ID
    count: int
    seed: str | None = None


@strawberry.input
class VisitInspectorInput:
    department: str
    name: str


@strawberry.input
class ChecklistResultInput:
    item_code: str
    outcome: Outcome
    note: str | None = None


@strawberry.input
class RecordJointInspectionVisitInput:
    plan_id: strawberry.ID
    uscc: str
    visited_on: dt.date
    reception_hours: Amount
    inspectors: list[VisitInspectorInput]
    results: list[ChecklistResultInput]


@strawberry.type
class JointInspectionPlanPayload:
    plan: PlanType | None = None
    errors: list[InputError] = strawberry.field(default_factory=list)


@strawberry.type
class JointInspectionDrawPayload:
    draw: DrawType | None = None
    errors: list[InputError] = strawberry.field(default_factory=list)


@strawberry.type
class JointInspectionVisitPayload:
    visit: VisitType | None = None
    errors: list[InputError] = strawberry.field(default_factory=list)


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


def _items(
    problems: Problems,
    given: list[ChecklistItemInput] | None,
    taking_part: dict[str, models.Department],
) -> list[tuple[int, StandardItem]]:
    if given is None:
        chosen = [
            (department.id, item)
            for department in taking_part.values()
            for item in default_items(department.kind)
        ]
        if not chosen:
            problems.add("items", "required", "no participant brings a standard item: name them")
        return chosen
    if not given:
        problems.add("items", "required", "a plan checks at least one item")
    chosen, seen = [], set()
    for n, entry in enumerate(given):
        item = BY_CODE.get(entry.code)
        department = taking_part.get(entry.department)
        if item is None:
            problems.add(f"items[{n}].code", "exists", "no standard checklist item has this code")
        elif entry.code in seen:
            problems.add(f"items[{n}].code", "unique", "the item is already in the plan")
        if department is None:
            problems.add(
                f"items[{n}].department", "participant", "the department does not take part"
            )
        seen.add(entry.code)
        if item is not None and department is not None:
            chosen.append((department.id, item))
    return chosen


async def _targets(session: AsyncSession, problems: Problems, given: list[str]) -> list[int]:
    ids: list[int] = []
    for n, uscc in enumerate(given):
        field = f"targets[{n}]"
        try:
            code = validate_uscc(uscc)
        except InvalidCode as exc:
            problems.add(field, exc.kind, str(exc))
            continue
        # USCCs are public: looking one up discloses nothing.
        found = await session.scalar(
            select(models.Enterprise.id).where(models.Enterprise.uscc == code)
        )
        if found is None:
            problems.add(field, "exists", f"no enterprise is registered under {code}")
        elif found in ids:
            problems.add(field, "unique", "the enterprise is already a target")
        else:
            ids.append(found)
    return ids


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
            items = _items(problems, input.items, taking_part)
            targets = await _targets(session, problems, input.targets)
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
            visit = await _checked_visit(session, problems, plan, input)
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


async def _checked_visit(
    session: AsyncSession,
    problems: Problems,
    plan: JointInspectionPlan,
    given: RecordJointInspectionVisitInput,
) -> NewVisit | None:
    if plan.status != PlanStatus.ACTIVE:
        problems.add("planId", "status", f"the plan is {plan.status}, not active")
    if not plan.window_from <= given.visited_on <= plan.window_until:
        problems.add(
            "visitedOn",
            "window",
            f"the plan's window is {plan.window_from.isoformat()} to "
            f"{plan.window_until.isoformat()}",
        )
    hours = Decimal(given.reception_hours)
    if not hours.is_finite() or not Decimal(0) <= hours <= MAX_HOURS:
        problems.add("receptionHours", "range", f"receptionHours must be from 0 to {MAX_HOURS}")
    enterprise_id = None
    code = problems.code("uscc", validate_uscc, given.uscc)
    if not any(e.field == "uscc" for e in problems.errors):
        enterprise_id = await session.scalar(
            select(JointInspectionTarget.enterprise_id)
            .join(models.Enterprise, models.Enterprise.id == JointInspectionTarget.enterprise_id)
            .where(JointInspectionTarget.plan_id == plan.id, models.Enterprise.uscc == code)
        )
        if enterprise_id is None:
            problems.add("uscc", "target", "the enterprise is not a target of the plan")
        elif await session.scalar(
            select(JointInspectionVisit.id).where(
                JointInspectionVisit.plan_id == plan.id,
                JointInspectionVisit.enterprise_id == enterprise_id,
            )
        ):
            problems.add("uscc", "unique", "the enterprise was already visited under the plan")
    accepted = {
        d.code
        for d in (await departments(session)).values()
        if d.id in {p.department_id for p in await participants_of(session, plan.id)}
    }
    came: list[str] = []
    inspectors: list[str] = []
    if not given.inspectors:
        problems.add("inspectors", "required", "name who came")
    for n, inspector in enumerate(given.inspectors):
        if inspector.department not in accepted:
            problems.add(
                f"inspectors[{n}].department", "participant", "the department does not take part"
            )
        name = problems.text(f"inspectors[{n}].name", inspector.name, max_length=100)
        inspectors.append(f"{inspector.department}: {name}")
        if inspector.department not in came:
            came.append(inspector.department)
    items = {
        item.code: item
        for item in await session.scalars(
            select(JointInspectionItem).where(JointInspectionItem.plan_id == plan.id)
        )
    }
    findings, seen = [], set()
    for n, result in enumerate(given.results):
        at = f"results[{n}]"
        item = items.get(result.item_code)
        if item is None:
            problems.add(f"{at}.itemCode", "item", "the item is not in the plan's checklist")
        elif result.item_code in seen:
            problems.add(f"{at}.itemCode", "unique", "the item has a result already")
        seen.add(result.item_code)
        note = (result.note or "").strip() or None
        if note is not None and len(note) > 4000:
            problems.add(f"{at}.note", "length", "note must be at most 4000 characters")
        if result.outcome is Outcome.NON_COMPLIANT and note is None:
            problems.add(f"{at}.note", "required", "a non-compliant item says what was found")
        if item is not None:
            findings.append(Finding(item, result.outcome, note))
    if problems.errors or enterprise_id is None:
        return None
    return NewVisit(
        plan=plan,
        enterprise_id=enterprise_id,
        visited_on=given.visited_on,
        departments=came,
        inspectors=inspectors,
        reception_hours=hours,
        findings=findings,
    )
