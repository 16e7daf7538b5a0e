"""How joint inspection records are stored for the gate, and the SQL behind their party
rules (see ``permissions.catalogue_inspections``): a department takes part in a plan when
it is one of its participants; a risk was found jointly when a result of a visit under a
plan the department takes part in opened it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select

from liaison.db import models
from liaison.db.incident_tables import department_code
from liaison.db.inspection_models import (
    JointInspectionDraw,
    JointInspectionItem,
    JointInspectionParticipant,
    JointInspectionPlan,
    JointInspectionResult,
    JointInspectionTarget,
    JointInspectionVisit,
)
from liaison.db.record_tables import PartyCondition, RecordTable, child_table, columns_of

_PARTICIPANT = JointInspectionParticipant


def plans_of(consumer_id: int) -> Any:
    """Ids of the plans ``consumer_id`` takes part in (not correlated with the row read, so
    the database reads them once per statement)."""
    return select(_PARTICIPANT.plan_id).where(_PARTICIPANT.department_id == consumer_id)


def _in_plan(plan_id: Any) -> PartyCondition:
    def condition(consumer_id: int) -> ColumnElement[bool]:
        found: ColumnElement[bool] = plan_id.in_(plans_of(consumer_id))
        return found

    return condition


def _found_jointly(consumer_id: int) -> ColumnElement[bool]:
    result = JointInspectionResult
    opened = select(result.risk_id).where(
        result.risk_id.is_not(None), result.plan_id.in_(plans_of(consumer_id))
    )
    return models.Risk.id.in_(opened)


def _of_plan(model: Any, *names: str, **computed: Any) -> RecordTable:
    """A record of a plan, of no enterprise."""
    columns = columns_of(model, ("id", *names))
    columns["owner"] = model.owner_department_id
    columns["plan"] = model.plan_id
    columns.update(computed)
    return RecordTable(model, columns, ("plan",), {"participant": _in_plan(model.plan_id)})


def _of_enterprise(model: Any, *names: str, links: tuple[str, ...], **computed: Any) -> RecordTable:
    return child_table(
        model,
        *names,
        links=("plan", *links),
        parties={"participant": _in_plan(model.plan_id)},
        **computed,
    )


INSPECTION_TABLES: dict[str, RecordTable] = {
    "joint_inspection_plan": RecordTable(
        JointInspectionPlan,
        {
            **columns_of(
                JointInspectionPlan,
                ("id", "title", "legal_basis", "window_from", "window_until", "status"),
            ),
            "proposed_on": JointInspectionPlan.proposed_on,
            "owner": JointInspectionPlan.owner_department_id,
        },
        parties={"participant": _in_plan(JointInspectionPlan.id)},
    ),
    "joint_inspection_participant": _of_plan(
        _PARTICIPANT,
        "response",
        "responded_on",
        "reason",
        department=department_code(_PARTICIPANT.department_id),
    ),
    "joint_inspection_item": _of_plan(
        JointInspectionItem,
        "code",
        "aspect",
        "text",
        "legal_reference",
        department=department_code(JointInspectionItem.department_id),
    ),
    "joint_inspection_draw": _of_plan(
        JointInspectionDraw,
        "kind",
        "seed",
        "criteria",
        "pool_size",
        "drawn_count",
        "pool",
        "drawn",
        "drawn_on",
        department=department_code(JointInspectionDraw.department_id),
    ),
    "joint_inspection_target": _of_enterprise(
        JointInspectionTarget,
        links=("draw",),
        drawn=JointInspectionTarget.draw_id.is_not(None),
    ),
    "joint_inspection_visit": _of_enterprise(
        JointInspectionVisit,
        "visited_on",
        "departments",
        "inspectors",
        "departments_present",
        "reception_hours",
        links=(),
    ),
    "joint_inspection_result": _of_enterprise(
        JointInspectionResult,
        "outcome",
        "note",
        links=("visit", "item", "risk"),
    ),
}

# The condition of the party rule this workflow adds to risks.
INSPECTION_CONDITIONS: dict[str, dict[str, PartyCondition]] = {
    "risk": {"inspection": _found_jointly}
}
