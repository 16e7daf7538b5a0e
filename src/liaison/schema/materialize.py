"""Rows to GraphQL objects, through the gate: the only way a shared record is built."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.engine import RowMapping

from liaison.db.records import DEPARTMENT_FIELDS
from liaison.permissions.gate import Gate
from liaison.schema.types.enterprise import Enterprise
from liaison.schema.types.records import (
    CreditRating,
    DangerousChemicalEntry,
    LifecycleEvent,
    Risk,
    SafetyGrade,
    StandardizationCertificate,
)

GRAPHQL_TYPES: dict[str, type[Any]] = {
    "enterprise": Enterprise,
    "lifecycle_event": LifecycleEvent,
    "dangerous_chemical_entry": DangerousChemicalEntry,
    "credit_rating": CreditRating,
    "risk": Risk,
    "safety_grade": SafetyGrade,
    "standardization_certificate": StandardizationCertificate,
}

# Resolved fields: never passed to the constructor.
_RESOLVED = frozenset(
    {
        "enterprise",
        "lifecycle",
        "dangerous_chemical_entries",
        "credit_ratings",
        "risks",
        "safety_grades",
        "standardization_certificates",
    }
)


def materialize(
    gate: Gate, codes: dict[int, str], record_type: str, rows: Iterable[RowMapping]
) -> list[Any]:
    build = GRAPHQL_TYPES[record_type]
    objects = []
    for row in rows:
        values = dict(row)
        for name in DEPARTMENT_FIELDS & values.keys():
            values[name] = codes.get(values[name])
        view = gate.view(record_type, values["owner"], values["scope_bits"])
        shown = view.present(values["id"], values)
        for name in _RESOLVED & shown.keys():
            del shown[name]
        shown["id"] = values["id"]
        shown["owner"] = values["owner"]
        if record_type != "enterprise":
            shown["enterprise_id"] = values["enterprise"]
        objects.append(build(**shown))
    return objects
