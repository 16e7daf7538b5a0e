"""Joint inspections' mutation inputs and payloads (schema.inspection_mutations)."""

from __future__ import annotations

import datetime as dt
import enum

import strawberry

from liaison.db.inspection_models import Outcome
from liaison.db.models import LifecycleKind
from liaison.schema.mutations import InputError
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
