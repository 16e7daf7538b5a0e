"""Joint inspections' input checks that need the database: the checklist a proposal
brings, the targets it names, and everything a visit must satisfy. Each problem is added to
``problems``; nothing is written here."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.codes import InvalidCode, validate_uscc
from liaison.db import models
from liaison.db.inspection_checklist import BY_CODE, StandardItem, default_items
from liaison.db.inspection_models import (
    JointInspectionItem,
    JointInspectionPlan,
    JointInspectionTarget,
    JointInspectionVisit,
    Outcome,
    PlanStatus,
)
from liaison.db.inspections import Finding, NewVisit, departments, participants_of
from liaison.schema.inspection_inputs import ChecklistItemInput, RecordJointInspectionVisitInput
from liaison.schema.mutations import Problems

MAX_HOURS = Decimal("1000")


def checklist(
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


async def named_targets(session: AsyncSession, problems: Problems, given: list[str]) -> list[int]:
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


async def checked_visit(
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
    # On an active plan every participant has accepted.
    taking_part = {
        d.code
        for d in (await departments(session)).values()
        if d.id in {p.department_id for p in await participants_of(session, plan.id)}
    }
    came: list[str] = []
    inspectors: list[str] = []
    if not given.inspectors:
        problems.add("inspectors", "required", "name who came")
    for n, inspector in enumerate(given.inspectors):
        if inspector.department not in taking_part:
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
