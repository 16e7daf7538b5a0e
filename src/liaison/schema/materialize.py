"""Rows to GraphQL objects, through the gate: the only way a shared record is built.

For each view the gate decided (one per owner and set of matching grants) a builder is
made once; each row then costs one dictionary and one object, with no decision in it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.engine import Row

from liaison.db.records import DEPARTMENT_FIELDS
from liaison.permissions.gate import Gate, RecordView
from liaison.schema.reach import VIEW
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

# Resolved by their own resolvers, never set on the object.
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

Build = Callable[[Row[Any]], Any]


def _builder(
    view: RecordView, build: type[Any], columns: dict[str, int], codes: dict[int, str]
) -> Build:
    """One view's row-to-object function: which columns are copied, masked or nulled was
    decided when the view was; per row there is only copying."""
    id_at, enterprise_at = columns["id"], columns.get("enterprise")
    copied = [
        (name, columns[name]) for name in view.raw if name in columns and name not in _RESOLVED
    ]
    translated = [(name, at) for name, at in copied if name in DEPARTMENT_FIELDS]
    copied = [(name, at) for name, at in copied if name not in DEPARTMENT_FIELDS]
    masked = [(name, columns[name], mask) for name, mask in view.masked if name in columns]
    withheld = {name: None for name in view.withheld if name not in _RESOLVED}
    # The view travels with the record so resolvers can report where it is shown.
    fixed: dict[str, Any] = {"owner": view.owner, VIEW: view, **withheld}
    disclosed = view.keys.append
    new = object.__new__

    def make(row: Row[Any]) -> Any:
        record_id = row[id_at]
        disclosed(record_id)
        values = {name: row[at] for name, at in copied}
        values.update(fixed)
        for name, at in translated:
            values[name] = codes.get(row[at])
        for name, at, mask in masked:
            values[name] = mask(row[at])
        values["id"] = record_id
        if enterprise_at is not None:
            values["enterprise_id"] = row[enterprise_at]
        # The dataclass __init__ would only assign the same attributes, one call per field.
        record = new(build)
        record.__dict__ = values
        return record

    return make


def materialize(
    gate: Gate, codes: dict[int, str], record_type: str, rows: Sequence[Row[Any]]
) -> list[Any]:
    if not rows:
        return []
    columns = {name: at for at, name in enumerate(rows[0]._fields)}
    owner_at, bits_at = columns["owner"], columns["scope_bits"]
    build = GRAPHQL_TYPES[record_type]
    builders: dict[tuple[int, int], Build] = {}
    objects: list[Any] = []
    append = objects.append
    for row in rows:
        key = (row[owner_at], row[bits_at])
        make = builders.get(key)
        if make is None:
            view = gate.view(record_type, codes[key[0]], key[1])
            make = builders[key] = _builder(view, build, columns, codes)
        append(make(row))
    return objects
