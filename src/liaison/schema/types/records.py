"""Records other departments own and share: who may see each field, at a glance."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Protocol

import strawberry

from liaison.schema.enums import (
    LifecycleKind,
    RiskLevel,
    RiskStatus,
    SafetyGradeScheme,
    StandardizationCertificateStatus,
)
from liaison.schema.reach import reached
from liaison.schema.scalars import Amount, Day
from liaison.schema.shared import shared

if TYPE_CHECKING:
    from liaison.schema.types.enterprise import Enterprise

EnterpriseRef = Annotated["Enterprise", strawberry.lazy("liaison.schema.types.enterprise")]


class _OfEnterprise(Protocol):
    enterprise_id: int


async def _enterprise(root: _OfEnterprise, info: strawberry.Info) -> EnterpriseRef:
    enterprise: Enterprise = await info.context.loaders.enterprise.load(root.enterprise_id)
    reached(info.context, info.path, "enterprise", [enterprise])
    return enterprise


@strawberry.type(description="One step in an enterprise's life, as recorded in the dynamic ledger.")
class LifecycleEvent:
    enterprise_id: strawberry.Private[int]
    id: strawberry.ID = shared("lifecycle_event.id")
    owner: str = shared("lifecycle_event.owner", "Code of the department that recorded it.")
    enterprise: EnterpriseRef = shared("lifecycle_event.enterprise", resolver=_enterprise)
    kind: LifecycleKind | None = shared("lifecycle_event.kind")
    effective_on: Day | None = shared("lifecycle_event.effective_on")
    pilot_production_ends_on: Day | None = shared(
        "lifecycle_event.pilot_production_ends_on", "Set for PILOT_PRODUCTION."
    )
    document_number: str | None = shared("lifecycle_event.document_number")
    products: str | None = shared("lifecycle_event.products")
    note: str | None = shared("lifecycle_event.note")


@strawberry.type(description="A dangerous chemical declared at entry by customs.")
class DangerousChemicalEntry:
    enterprise_id: strawberry.Private[int]
    id: strawberry.ID = shared("dangerous_chemical_entry.id")
    owner: str = shared("dangerous_chemical_entry.owner")
    enterprise: EnterpriseRef = shared("dangerous_chemical_entry.enterprise", resolver=_enterprise)
    declaration_number: str | None = shared("dangerous_chemical_entry.declaration_number")
    chemical_name: str | None = shared("dangerous_chemical_entry.chemical_name")
    cas_number: str | None = shared("dangerous_chemical_entry.cas_number")
    un_number: str | None = shared("dangerous_chemical_entry.un_number")
    hazard_class: str | None = shared("dangerous_chemical_entry.hazard_class")
    packing_group: str | None = shared("dangerous_chemical_entry.packing_group")
    quantity: Amount | None = shared("dangerous_chemical_entry.quantity")
    unit: str | None = shared("dangerous_chemical_entry.unit")
    port: str | None = shared("dangerous_chemical_entry.port")
    entry_date: Day | None = shared("dangerous_chemical_entry.entry_date")
    storage_location: str | None = shared("dangerous_chemical_entry.storage_location")
    declared_value: Amount | None = shared(
        "dangerous_chemical_entry.declared_value", "Declared value in CNY."
    )
    consignee: str | None = shared("dangerous_chemical_entry.consignee")


@strawberry.type(description="A credit rating, tagged with the rule set it was issued under.")
class CreditRating:
    enterprise_id: strawberry.Private[int]
    id: strawberry.ID = shared("credit_rating.id")
    owner: str = shared("credit_rating.owner", "Code of the issuing department.")
    enterprise: EnterpriseRef = shared("credit_rating.enterprise", resolver=_enterprise)
    scheme: str | None = shared("credit_rating.scheme")
    rule_set: str | None = shared("credit_rating.rule_set")
    grade: str | None = shared("credit_rating.grade")
    score: Amount | None = shared("credit_rating.score")
    reasons: str | None = shared("credit_rating.reasons")
    effective_on: Day | None = shared("credit_rating.effective_on")
    expires_on: Day | None = shared("credit_rating.expires_on")


@strawberry.type(description="A risk or hidden danger, and how far its rectification has come.")
class Risk:
    enterprise_id: strawberry.Private[int]
    id: strawberry.ID = shared("risk.id")
    owner: str = shared("risk.owner", "Code of the department that found it.")
    enterprise: EnterpriseRef = shared("risk.enterprise", resolver=_enterprise)
    category: str | None = shared("risk.category")
    description: str | None = shared("risk.description")
    level: RiskLevel | None = shared("risk.level")
    found_on: Day | None = shared("risk.found_on")
    rectification_deadline: Day | None = shared("risk.rectification_deadline")
    status: RiskStatus | None = shared("risk.status")
    overdue: bool | None = shared("risk.overdue", "Past its deadline and not closed.")
    closed_on: Day | None = shared("risk.closed_on")
    supervising_department: str | None = shared("risk.supervising_department")
    evidence: str | None = shared("risk.evidence")


@strawberry.type(description="An A-D safety grade under one of two grading schemes.")
class SafetyGrade:
    enterprise_id: strawberry.Private[int]
    id: strawberry.ID = shared("safety_grade.id")
    owner: str = shared("safety_grade.owner")
    enterprise: EnterpriseRef = shared("safety_grade.enterprise", resolver=_enterprise)
    scheme: SafetyGradeScheme | None = shared("safety_grade.scheme")
    grade: str | None = shared("safety_grade.grade")
    assessed_on: Day | None = shared("safety_grade.assessed_on", "When the bureau graded it.")
    valid_until: Day | None = shared("safety_grade.valid_until")
    self_assessment_score: Amount | None = shared(
        "safety_grade.self_assessment_score",
        "The enterprise's self-assessment score (0-100) the grade follows.",
    )
    self_assessed_on: Day | None = shared("safety_grade.self_assessed_on")


@strawberry.type(
    description="Work-safety standardization level (1 is the highest) and certificate."
)
class StandardizationCertificate:
    enterprise_id: strawberry.Private[int]
    id: strawberry.ID = shared("standardization_certificate.id")
    owner: str = shared("standardization_certificate.owner")
    enterprise: EnterpriseRef = shared(
        "standardization_certificate.enterprise", resolver=_enterprise
    )
    level: int | None = shared("standardization_certificate.level")
    certificate_number: str | None = shared("standardization_certificate.certificate_number")
    issued_on: Day | None = shared("standardization_certificate.issued_on")
    valid_until: Day | None = shared("standardization_certificate.valid_until")
    status: StandardizationCertificateStatus | None = shared("standardization_certificate.status")
    revoked_on: Day | None = shared("standardization_certificate.revoked_on")
    revocation_reason: str | None = shared("standardization_certificate.revocation_reason")
