"""How certificates and the joint discipline list are stored for the gate: columns, the
derived ``status``, and the part a department applying measures takes in an entry."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists

from liaison.db.certificate_models import (
    Certificate,
    CertificateEvent,
    JointDisciplineEntry,
    JointDisciplineMeasure,
)
from liaison.db.incident_tables import department_code
from liaison.db.record_tables import PartyCondition, RecordTable, child_table, today


def certificate_status() -> ColumnElement[str]:
    # Derived when the statement runs, never stored: a certificate not revoked has expired
    # once its valid_until has passed, whatever it was suspended or valid.
    c = Certificate
    return case((and_(c.state != "revoked", c.valid_until < today()), "expired"), else_=c.state)


def _applies_measures_to(entry_id: Any) -> PartyCondition:
    def condition(consumer_id: int) -> ColumnElement[bool]:
        measure = JointDisciplineMeasure.__table__.alias("applied")
        return exists().where(
            measure.c.entry_id == entry_id, measure.c.department_id == consumer_id
        )

    return condition


CERTIFICATE_TABLES: dict[str, RecordTable] = {
    "certificate": child_table(
        Certificate,
        "kind",
        "number",
        "issuing_body",
        "scope",
        "valid_from",
        "valid_until",
        status=certificate_status(),
    ),
    "certificate_event": child_table(
        CertificateEvent,
        "kind",
        "occurred_on",
        "reason_category",
        "reason",
        "legal_basis",
        links=("certificate",),
    ),
    "joint_discipline_entry": child_table(
        JointDisciplineEntry,
        "since",
        "status",
        "repaired_on",
        "repair_basis",
        links=("credit_rating", "certificate_event"),
        parties={"disciplining": _applies_measures_to(JointDisciplineEntry.id)},
        trigger=JointDisciplineEntry.trigger_kind,
    ),
    "joint_discipline_measure": child_table(
        JointDisciplineMeasure,
        "measure",
        links=("entry",),
        parties={"disciplining": _applies_measures_to(JointDisciplineMeasure.entry_id)},
        department=department_code(JointDisciplineMeasure.department_id),
    ),
}
