"""How recognitions are stored, and the SQL behind their party rule (see
``permissions.catalogue_recognition``): the department whose result is recognised."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, case

from liaison.db.recognition_models import Recognition, RecognitionStatus
from liaison.db.record_tables import RecordTable, child_table, today


def in_force() -> ColumnElement[bool]:
    """Derived, never stored: active, and today within its validity."""
    return case(
        (
            and_(
                Recognition.status == RecognitionStatus.ACTIVE.value,
                Recognition.valid_from <= today(),
                Recognition.valid_until >= today(),
            ),
            True,
        ),
        else_=False,
    )


def _recognised(department_id: int) -> ColumnElement[bool]:
    return Recognition.recognised_department_id == department_id


RECOGNITION_TABLES: dict[str, RecordTable] = {
    "recognition": child_table(
        Recognition,
        "result_type",
        "facilitation",
        "valid_from",
        "valid_until",
        "legal_basis",
        "recorded_on",
        "status",
        "lapsed_on",
        "lapse_reason",
        links=("dangerous_chemical_entry", "standardization_certificate", "credit_rating"),
        parties={"recognised": _recognised},
        recognised=Recognition.recognised_department_id,
        in_force=in_force(),
    ),
}
