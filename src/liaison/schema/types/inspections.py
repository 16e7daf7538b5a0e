"""Joint inspection plans, their participants, checklist items, draws, targets, visits and
results: who may see each field, at a glance."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON

from liaison.db.inspection_models import DrawKind, Outcome, PlanStatus, Response
from liaison.schema.reach import reached
from liaison.schema.scalars import Amount, Day
from liaison.schema.shared import shared
from liaison.schema.types.records import EnterpriseRef, Risk, _enterprise

strawberry.enum(
    PlanStatus,
    name="JointInspectionStatus",
    description="PROPOSED until every participant answers: ACTIVE when all accepted, "
    "DECLINED (for good) as soon as one declined.",
)
strawberry.enum(Response, name="JointInspectionResponse")
strawberry.enum(DrawKind, name="JointInspectionDrawKind")
strawberry.enum(Outcome, name="ChecklistOutcome")


def _children(record_type: str, link: str) -> Any:
    async def resolve(root: Any, info: strawberry.Info) -> list[Any]:
        records: list[Any] = await info.context.loaders.children(record_type, link).load(
            int(root.id)
        )
        reached(info.context, info.path, record_type, records)
        return records

    return resolve


def _one(record_type: str, key_of: str) -> Any:
    async def resolve(root: Any, info: strawberry.Info) -> Any | None:
        key = getattr(root, key_of)
        if key is None:
            return None
        found: list[Any] = await info.context.loaders.children(record_type, "id").load(key)
        reached(info.context, info.path, record_type, found)
        return found[0] if found else None

    return resolve


_plan = _one("joint_inspection_plan", "plan_id")


@strawberry.type(description="A department taking part in a joint inspection plan.")
class JointInspectionParticipant:
    plan_id: strawberry.Private[int]
    id: strawberry.ID = shared("joint_inspection_participant.id")
    owner: str = shared("joint_inspection_participant.owner", "The plan's lead department.")
    plan: JointInspectionPlan | None = shared("joint_inspection_participant.plan", resolver=_plan)
    department: str | None = shared("joint_inspection_participant.department")
    response: Response | None = shared("joint_inspection_participant.response")
    responded_on: Day | None = shared("joint_inspection_participant.responded_on")
    reason: str | None = shared(
        "joint_inspection_participant.reason", "Why it declined, if it did."
    )


@strawberry.type(description="A checklist item a participant brings to a plan.")
class JointInspectionItem:
    plan_id: strawberry.Private[int]
    id: strawberry.ID = shared("joint_inspection_item.id")
    owner: str = shared("joint_inspection_item.owner", "The plan's lead department.")
    plan: JointInspectionPlan | None = shared("joint_inspection_item.plan", resolver=_plan)
    department: str | None = shared(
        "joint_inspection_item.department",
        "The department whose item it is: a non-compliant result opens a risk it owns.",
    )
    code: str | None = shared("joint_inspection_item.code", "e.g. DG-07.")
    aspect: str | None = shared("joint_inspection_item.aspect")
    text: str | None = shared("joint_inspection_item.text")
    legal_reference: str | None = shared("joint_inspection_item.legal_reference")


@strawberry.type(
    description="A reproducible draw: sort nothing, take `pool` as it is, seed Python's "
    "random.Random with `seed` and draw `drawnCount` without replacement, each pick "
    "rng.randrange(total weight) over the remaining members in pool order "
    "(`verifyJointInspectionDraw` does exactly that)."
)
class JointInspectionDraw:
    plan_id: strawberry.Private[int]
    id: strawberry.ID = shared("joint_inspection_draw.id")
    owner: str = shared("joint_inspection_draw.owner", "The department that drew.")
    plan: JointInspectionPlan | None = shared("joint_inspection_draw.plan", resolver=_plan)
    kind: DrawKind | None = shared("joint_inspection_draw.kind")
    department: str | None = shared(
        "joint_inspection_draw.department", "Whose roster inspectors were drawn from."
    )
    seed: str | None = shared("joint_inspection_draw.seed")
    criteria: JSON | None = shared(
        "joint_inspection_draw.criteria", "What the pool was chosen by (zone, industry, ...)."
    )
    pool_size: int | None = shared("joint_inspection_draw.pool_size")
    drawn_count: int | None = shared("joint_inspection_draw.drawn_count")
    pool: JSON | None = shared(
        "joint_inspection_draw.pool",
        "[[key, weight], ...] in draw order: USCCs or inspector badges; weights in halves.",
    )
    drawn: JSON | None = shared("joint_inspection_draw.drawn", "The keys drawn, in order.")
    drawn_on: Day | None = shared("joint_inspection_draw.drawn_on")


@strawberry.type(description="An enterprise to be visited under a joint inspection plan.")
class JointInspectionTarget:
    enterprise_id: strawberry.Private[int]
    plan_id: strawberry.Private[int]
    draw_id: strawberry.Private[int | None]
    id: strawberry.ID = shared("joint_inspection_target.id")
    owner: str = shared("joint_inspection_target.owner")
    enterprise: EnterpriseRef = shared("joint_inspection_target.enterprise", resolver=_enterprise)
    plan: JointInspectionPlan | None = shared("joint_inspection_target.plan", resolver=_plan)
    draw: JointInspectionDraw | None = shared(
        "joint_inspection_target.draw",
        "The draw that picked it; null if named.",
        resolver=_one("joint_inspection_draw", "draw_id"),
    )
    drawn: bool | None = shared("joint_inspection_target.drawn", "Drawn at random, not named.")


@strawberry.type(description="One checklist item's result at a visit.")
class JointInspectionResult:
    enterprise_id: strawberry.Private[int]
    plan_id: strawberry.Private[int]
    visit_id: strawberry.Private[int]
    item_id: strawberry.Private[int]
    risk_id: strawberry.Private[int | None]
    id: strawberry.ID = shared("joint_inspection_result.id")
    owner: str = shared("joint_inspection_result.owner")
    enterprise: EnterpriseRef = shared("joint_inspection_result.enterprise", resolver=_enterprise)
    plan: JointInspectionPlan | None = shared("joint_inspection_result.plan", resolver=_plan)
    visit: JointInspectionVisit | None = shared(
        "joint_inspection_result.visit", resolver=_one("joint_inspection_visit", "visit_id")
    )
    item: JointInspectionItem | None = shared(
        "joint_inspection_result.item", resolver=_one("joint_inspection_item", "item_id")
    )
    risk: Risk | None = shared(
        "joint_inspection_result.risk",
        "The hidden danger a non-compliant result opened, owned by the item's department.",
        resolver=_one("risk", "risk_id"),
    )
    outcome: Outcome | None = shared("joint_inspection_result.outcome")
    note: str | None = shared("joint_inspection_result.note")


@strawberry.type(description="The one visit to an enterprise under a joint inspection plan.")
class JointInspectionVisit:
    enterprise_id: strawberry.Private[int]
    plan_id: strawberry.Private[int]
    id: strawberry.ID = shared("joint_inspection_visit.id")
    owner: str = shared("joint_inspection_visit.owner", "The lead department, which recorded it.")
    enterprise: EnterpriseRef = shared("joint_inspection_visit.enterprise", resolver=_enterprise)
    plan: JointInspectionPlan | None = shared("joint_inspection_visit.plan", resolver=_plan)
    visited_on: Day | None = shared("joint_inspection_visit.visited_on")
    departments: list[str] | None = shared(
        "joint_inspection_visit.departments", "The departments that came."
    )
    inspectors: list[str] | None = shared(
        "joint_inspection_visit.inspectors", "Who came, as 'department: name'."
    )
    departments_present: int | None = shared("joint_inspection_visit.departments_present")
    reception_hours: Amount | None = shared(
        "joint_inspection_visit.reception_hours", "Hours the enterprise spent receiving it."
    )
    results: list[JointInspectionResult] = shared(
        "joint_inspection_visit.results",
        resolver=_children("joint_inspection_result", "visit"),
    )


@strawberry.type(
    description="A joint inspection plan, proposed by its lead department (the owner). It "
    "belongs to no enterprise: its participants see it whole, others only by an unscoped "
    "grant."
)
class JointInspectionPlan:
    id: strawberry.ID = shared("joint_inspection_plan.id")
    owner: str = shared("joint_inspection_plan.owner", "The lead department.")
    title: str | None = shared("joint_inspection_plan.title")
    legal_basis: str | None = shared("joint_inspection_plan.legal_basis")
    window_from: Day | None = shared("joint_inspection_plan.window_from")
    window_until: Day | None = shared("joint_inspection_plan.window_until")
    status: PlanStatus | None = shared("joint_inspection_plan.status")
    proposed_on: Day | None = shared("joint_inspection_plan.proposed_on")
    participants: list[JointInspectionParticipant] = shared(
        "joint_inspection_plan.participants",
        resolver=_children("joint_inspection_participant", "plan"),
    )
    items: list[JointInspectionItem] = shared(
        "joint_inspection_plan.items",
        "The checklist.",
        resolver=_children("joint_inspection_item", "plan"),
    )
    targets: list[JointInspectionTarget] = shared(
        "joint_inspection_plan.targets", resolver=_children("joint_inspection_target", "plan")
    )
    draws: list[JointInspectionDraw] = shared(
        "joint_inspection_plan.draws", resolver=_children("joint_inspection_draw", "plan")
    )
    visits: list[JointInspectionVisit] = shared(
        "joint_inspection_plan.visits", resolver=_children("joint_inspection_visit", "plan")
    )
