"""How incidents and what hangs off them are stored for the gate: their columns, and the
SQL condition behind each party rule (who was routed, who acknowledged, who coordinates)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import aliased

from liaison.db import models
from liaison.db.incident_models import (
    Incident,
    IncidentChemical,
    IncidentResponse,
    IncidentTeamMember,
)
from liaison.db.record_tables import PartyCondition, RecordTable, child_table

_CALLED = aliased(IncidentResponse, name="called")


def department_code(department_id: Any) -> ColumnElement[str]:
    """A department id column as the department's code, looked up where the row is read."""
    return (
        select(models.Department.code)
        .where(models.Department.id == department_id)
        .scalar_subquery()
    )


def _routed(incident_id: Any, *, acknowledged: bool) -> PartyCondition:
    def condition(consumer_id: int) -> ColumnElement[bool]:
        clauses = [_CALLED.incident_id == incident_id, _CALLED.department_id == consumer_id]
        if acknowledged:
            clauses.append(_CALLED.acknowledged_at.is_not(None))
        return exists().where(*clauses)

    return condition


def _coordinator(incident_id: Any) -> PartyCondition:
    def condition(consumer_id: int) -> ColumnElement[bool]:
        return exists().where(
            Incident.id == incident_id, Incident.owner_department_id == consumer_id
        )

    return condition


INCIDENT_TABLES: dict[str, RecordTable] = {
    "incident": child_table(
        Incident,
        "reference",
        "occurred_at",
        "location",
        "description",
        "deaths",
        "serious_injuries",
        "evacuated",
        "direct_loss",
        "grade",
        "grade_rule",
        "status",
        "opened_at",
        "closed_at",
        parties={
            "responder": _routed(Incident.id, acknowledged=True),
            "routed": _routed(Incident.id, acknowledged=False),
        },
    ),
    "incident_chemical": child_table(
        IncidentChemical,
        "chemical_name",
        "cas_number",
        "un_number",
        links=("incident",),
        parties={
            "responder": _routed(IncidentChemical.incident_id, acknowledged=True),
            "routed": _routed(IncidentChemical.incident_id, acknowledged=False),
        },
    ),
    "incident_response": child_table(
        IncidentResponse,
        "routed_for",
        "routed_at",
        "acknowledged_at",
        "acknowledged_by",
        links=("incident",),
        parties={"routed": _routed(IncidentResponse.incident_id, acknowledged=False)},
        department=department_code(IncidentResponse.department_id),
    ),
    "incident_team_member": child_table(
        IncidentTeamMember,
        "name",
        "role",
        "phone",
        links=("incident",),
        parties={
            "routed": _routed(IncidentTeamMember.incident_id, acknowledged=False),
            "coordinator": _coordinator(IncidentTeamMember.incident_id),
        },
    ),
}
