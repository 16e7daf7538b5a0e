"""Filters on shared records. Each filter names the element it reads, so the gate can
refuse a filter that would let a caller infer values it may not see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, exists, select

from liaison.codes import InvalidCode, validate_cas, validate_uscc
from liaison.db import models
from liaison.db.scope import RowAccess
from liaison.db.tables import RECORD_TABLES
from liaison.permissions.gate import Gate
from liaison.schema.enums import LifecycleKind, RiskLevel, RiskStatus
from liaison.schema.errors import bad_input, forbidden


@dataclass(frozen=True)
class Criterion:
    element: str  # the catalogue field of the record type being filtered
    predicate: Callable[[Any], ColumnElement[bool]]
    normalize: Callable[[Any], Any] = lambda value: value
    # A condition on an enterprise's records of another type (its credit ratings, say):
    # ``element`` is a field of that type, ``predicate`` a condition on its table, and the
    # enterprise matches when one of those records the caller reaches meets it.
    of: str | None = None


def _uscc(value: str) -> str:
    return validate_uscc(value)


def _enterprise_is(value: str) -> ColumnElement[bool]:
    return models.Enterprise.uscc == value


@strawberry.input(description="All given conditions must hold.")
class EnterpriseFilter:
    zone: str | None = None
    industry: str | None = None
    status: LifecycleKind | None = None
    name_contains: str | None = None
    uscc_in: list[str] | None = None
    credit_grade: str | None = strawberry.field(
        default=None, description="Has a credit rating of this grade (any scheme)."
    )
    safety_grade: str | None = strawberry.field(
        default=None, description="Has an A-D safety grade of this letter (any scheme)."
    )
    standardization_level: int | None = strawberry.field(
        default=None, description="Has a standardization certificate of this level."
    )


E = models.Enterprise
ENTERPRISE_CRITERIA: dict[str, Criterion] = {
    "zone": Criterion("zone", lambda v: E.zone == v),
    "industry": Criterion("industry", lambda v: E.industry == v),
    "status": Criterion("status", lambda v: E.status == str(v.value)),
    "name_contains": Criterion("name", lambda v: E.name.contains(v, autoescape=True)),
    "uscc_in": Criterion(
        "uscc", lambda v: E.uscc.in_(v), lambda v: [validate_uscc(code) for code in v]
    ),
    "credit_grade": Criterion(
        "grade", lambda v: models.CreditRating.grade == v, of="credit_rating"
    ),
    "safety_grade": Criterion("grade", lambda v: models.SafetyGrade.grade == v, of="safety_grade"),
    "standardization_level": Criterion(
        "level",
        lambda v: models.StandardizationCertificate.level == v,
        of="standardization_certificate",
    ),
}


@strawberry.input(description="All given conditions must hold.")
class DangerousChemicalEntryFilter:
    enterprise_uscc: str | None = None
    owner: str | None = None
    cas_number: str | None = None
    hazard_class: str | None = None
    entry_date_from: dt.date | None = None
    entry_date_to: dt.date | None = None


D = models.DangerousChemicalEntry
ENTRY_CRITERIA: dict[str, Criterion] = {
    "enterprise_uscc": Criterion("enterprise", _enterprise_is, _uscc),
    "cas_number": Criterion("cas_number", lambda v: D.cas_number == v, validate_cas),
    "hazard_class": Criterion("hazard_class", lambda v: D.hazard_class == v),
    "entry_date_from": Criterion("entry_date", lambda v: D.entry_date >= v),
    "entry_date_to": Criterion("entry_date", lambda v: D.entry_date <= v),
}


@strawberry.input(description="All given conditions must hold.")
class CreditRatingFilter:
    enterprise_uscc: str | None = None
    owner: str | None = None
    scheme: str | None = None
    grade: str | None = None


C = models.CreditRating
RATING_CRITERIA: dict[str, Criterion] = {
    "enterprise_uscc": Criterion("enterprise", _enterprise_is, _uscc),
    "scheme": Criterion("scheme", lambda v: C.scheme == v),
    "grade": Criterion("grade", lambda v: C.grade == v),
}


@strawberry.input(description="All given conditions must hold.")
class RiskFilter:
    enterprise_uscc: str | None = None
    owner: str | None = None
    level: RiskLevel | None = None
    status: RiskStatus | None = None
    overdue: bool | None = None


R = models.Risk
RISK_CRITERIA: dict[str, Criterion] = {
    "enterprise_uscc": Criterion("enterprise", _enterprise_is, _uscc),
    "level": Criterion("level", lambda v: R.level == str(v.value)),
    "status": Criterion("status", lambda v: R.status == str(v.value)),
    "overdue": Criterion(
        "overdue",
        lambda v: (
            (R.status != "closed") & (R.rectification_deadline < dt.date.today())
            if v
            else (R.status == "closed") | (R.rectification_deadline >= dt.date.today())
        ),
    ),
}


def owners_of_enterprises() -> Any:
    return select(models.Enterprise.owner_department_id).distinct()


def where_clauses(
    gate: Gate,
    record_type: str,
    given: object | None,
    criteria: dict[str, Criterion],
    *,
    other_owners: Iterable[str],
    owner_ids: dict[str, int],
    owner_column: Any,
    access: RowAccess | None = None,
) -> list[ColumnElement[bool]]:
    """SQL conditions for a filter input, after checking the caller may filter on them.
    ``access`` is needed by criteria on related records (``Criterion.of``)."""
    if given is None:
        return []
    values = {k: v for k, v in vars(given).items() if v is not None}
    used = [criteria[k] for k in values if k in criteria]
    refused = [
        f"{record_type}.{name}"
        for name in gate.not_fully_granted(
            record_type, {c.element for c in used if c.of is None}, other_owners
        )
    ]
    for related in (c for c in used if c.of is not None):
        assert related.of is not None
        if gate.not_fully_granted(related.of, {related.element}, gate.policy.providers(related.of)):
            refused.append(f"{related.of}.{related.element}")
    if refused:
        raise forbidden(
            "Filtering on "
            + ", ".join(sorted(refused))
            + " needs it shared at full level by every department whose records are in view.",
            elements=sorted(refused),
        )
    clauses = []
    for key, value in values.items():
        if key == "owner":
            clauses.append(owner_column == owner_ids.get(value, -1))
            continue
        criterion = criteria[key]
        try:
            normalized = criterion.normalize(value)
        except InvalidCode as exc:
            raise bad_input(str(exc), field=f"filter.{strawberry_name(key)}") from None
        condition = criterion.predicate(normalized)
        if criterion.of is not None:
            assert access is not None, "a criterion on related records needs the access"
            condition = _has_related(access, criterion.of, condition)
        clauses.append(condition)
    return clauses


def _has_related(
    access: RowAccess, record_type: str, condition: ColumnElement[bool]
) -> ColumnElement[bool]:
    """The enterprise has a record of ``record_type`` the caller reaches that meets
    ``condition``. Only reached records count (row scope in SQL, as a list applies it), so
    the filter reveals nothing of records out of the caller's scope."""
    table = RECORD_TABLES[record_type]
    assert table.enterprise is not None, "related records belong to an enterprise"
    of_enterprise: ColumnElement[bool] = table.enterprise == models.Enterprise.id
    return exists(
        select(table.id).where(
            of_enterprise,
            access.reachable(record_type, table.owner),
            condition,
        )
    )


def strawberry_name(python_name: str) -> str:
    head, *rest = python_name.split("_")
    return head + "".join(part.title() for part in rest)
