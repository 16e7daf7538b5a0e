"""Joint inspections, read: plans and visits (lists and by id), the standard checklist,
a draw re-run to verify it, the reception effect per enterprise or zone, and the
``jointInspectionPlanChanged`` subscription. Written by ``schema.inspection_mutations``."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import strawberry
from strawberry.scalars import JSON

from liaison.codes import InvalidCode, validate_uscc
from liaison.db.inspection_checklist import STANDARD_CHECKLIST
from liaison.db.inspection_draw import draw, members
from liaison.db.inspection_models import (
    JointInspectionDraw,
    JointInspectionPlan,
    JointInspectionVisit,
    PlanStatus,
)
from liaison.schema.context import Context
from liaison.schema.errors import bad_input
from liaison.schema.filters import Criterion, _enterprise_is, _uscc
from liaison.schema.inspection_effect import ReceptionEffect, reception_effect
from liaison.schema.internal_reads import read_records
from liaison.schema.one_record import one_record
from liaison.schema.pagination import Connection, parse_record_id
from liaison.schema.queries import record_page
from liaison.schema.subscriptions import record_changes
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


@strawberry.input(description="All given conditions must hold.")
class JointInspectionPlanFilter:
    owner: str | None = None
    status: PlanStatus | None = None


@strawberry.input(description="All given conditions must hold.")
class JointInspectionVisitFilter:
    plan: strawberry.ID | None = None
    enterprise_uscc: str | None = None
    owner: str | None = None


P, V = JointInspectionPlan, JointInspectionVisit
PLAN_CRITERIA: dict[str, Criterion] = {
    "status": Criterion("status", lambda v: P.status == str(v.value)),
}
VISIT_CRITERIA: dict[str, Criterion] = {
    "plan": Criterion("plan", lambda v: V.plan_id == v, lambda v: parse_record_id(v) or -1),
    "enterprise_uscc": Criterion("enterprise", _enterprise_is, _uscc),
}


@strawberry.type(description="An item of the standard joint inspection checklist.")
class StandardChecklistItem:
    code: str
    aspect: str
    department_kind: str = strawberry.field(description="Who brings it by default.")
    text: str
    legal_reference: str


@strawberry.type(description="A draw re-run from its record (seed, pool, weights).")
class DrawVerification:
    draw: DrawType | None
    recomputed: JSON | None = strawberry.field(
        description="What the recipe gives; null if the seed or the pool is withheld."
    )
    matches: bool | None


async def _by_id(info: Info, record_type: str, given: strawberry.ID) -> Any:
    key = parse_record_id(given)
    if key is None:
        return None
    return await one_record(info.context, info.path, record_type, key)


@strawberry.type
class InspectionQuery:
    @strawberry.field(
        description="Joint inspection plans you may see: yours, those you take part in."
    )
    async def joint_inspection_plans(
        self,
        info: Info,
        filter: JointInspectionPlanFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[PlanType]:
        return await record_page(info, "joint_inspection_plan", filter, PLAN_CRITERIA, first, after)

    @strawberry.field(description="One joint inspection plan, or null if not visible.")
    async def joint_inspection_plan(self, info: Info, id: strawberry.ID) -> PlanType | None:
        found: PlanType | None = await _by_id(info, "joint_inspection_plan", id)
        return found

    @strawberry.field(description="Joint inspection visits you may see.")
    async def joint_inspection_visits(
        self,
        info: Info,
        filter: JointInspectionVisitFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[VisitType]:
        return await record_page(
            info, "joint_inspection_visit", filter, VISIT_CRITERIA, first, after
        )

    @strawberry.field(description="One joint inspection visit, or null if not visible.")
    async def joint_inspection_visit(self, info: Info, id: strawberry.ID) -> VisitType | None:
        found: VisitType | None = await _by_id(info, "joint_inspection_visit", id)
        return found

    @strawberry.field(description="The standard checklist plans copy their items from.")
    def standard_checklist(self) -> list[StandardChecklistItem]:
        return [
            StandardChecklistItem(
                code=i.code,
                aspect=i.aspect,
                department_kind=i.department_kind,
                text=i.text,
                legal_reference=i.legal_reference,
            )
            for i in STANDARD_CHECKLIST
        ]

    @strawberry.field(
        description="Re-run a draw from what it recorded and say whether it gives the same list."
    )
    async def verify_joint_inspection_draw(
        self, info: Info, id: strawberry.ID
    ) -> DrawVerification | None:
        found: DrawType | None = await _by_id(info, "joint_inspection_draw", id)
        if found is None:
            return None
        # What the recipe needs, whatever the response selects: through the gate, audited.
        [stored] = await read_records(
            info.context,
            "joint_inspection_draw",
            ["seed", "pool", "drawn"],
            where=[JointInspectionDraw.id == int(found.id)],
        )
        if stored.seed is None or stored.pool is None or stored.drawn is None:
            return DrawVerification(draw=found, recomputed=None, matches=None)
        # JSON values as stored: [[key, weight], ...] and [key, ...].
        pool: Any = stored.pool
        recorded: Any = stored.drawn
        recomputed: Any = draw(members(pool), len(recorded), stored.seed)
        return DrawVerification(draw=found, recomputed=recomputed, matches=recomputed == recorded)

    @strawberry.field(
        description="Receptions of joint inspections in a year and the reception hours they "
        "saved, of one enterprise (uscc) or a zone, counted from what you may see."
    )
    async def reception_effect(
        self, info: Info, year: int, uscc: str | None = None, zone: str | None = None
    ) -> ReceptionEffect:
        if (uscc is None) == (zone is None):
            raise bad_input("Give one of uscc or zone.", field="uscc")
        code = None
        if uscc is not None:
            try:
                code = validate_uscc(uscc)
            except InvalidCode as exc:
                raise bad_input(str(exc), field="uscc") from None
        return await reception_effect(info, year, uscc=code, zone=zone)


@strawberry.type
class InspectionSubscription:
    @strawberry.subscription(
        description="Each joint inspection plan you may see, from now on, as it is proposed, "
        "answered and made active or declined."
    )
    async def joint_inspection_plan_changed(self, info: Info) -> AsyncGenerator[PlanType, None]:
        return record_changes(info, "joint_inspection_plan", [])
