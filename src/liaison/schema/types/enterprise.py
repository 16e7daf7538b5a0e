from __future__ import annotations

import strawberry

from liaison.schema.enums import LifecycleKind
from liaison.schema.reach import reached
from liaison.schema.scalars import Day
from liaison.schema.shared import shared
from liaison.schema.types.ledger import EnterpriseAlteration
from liaison.schema.types.records import (
    CreditRating,
    DangerousChemicalEntry,
    LifecycleEvent,
    Risk,
    SafetyGrade,
    StandardizationCertificate,
)


def _children(record_type: str) -> object:
    async def resolve(root: Enterprise, info: strawberry.Info) -> list[object]:
        rows: list[object] = await info.context.loaders.children(record_type).load(root.id)
        reached(info.context, info.path, record_type, rows)
        return rows

    return resolve


@strawberry.type(
    description="An enterprise handling dangerous chemicals. USCC and name are visible to "
    "every department so records can be joined; everything else is governed."
)
class Enterprise:
    id: strawberry.ID = shared("enterprise.id")
    uscc: str = shared("enterprise.uscc", "Unified social credit code (GB 32100-2015).")
    name: str = shared("enterprise.name")
    owner: str = shared("enterprise.owner", "Code of the registering department.")
    zone: str | None = shared("enterprise.zone", "Park or zone.")
    address: str | None = shared("enterprise.address")
    legal_representative: str | None = shared("enterprise.legal_representative")
    contact_phone: str | None = shared("enterprise.contact_phone")
    industry: str | None = shared("enterprise.industry")
    registered_on: Day | None = shared("enterprise.registered_on")
    status: LifecycleKind | None = shared(
        "enterprise.status", "Current lifecycle status, derived from the ledger."
    )
    status_since: Day | None = shared("enterprise.status_since")
    business_scope: str | None = shared("enterprise.business_scope", "Scope of business.")
    lifecycle: list[LifecycleEvent] = shared(
        "enterprise.lifecycle",
        "The dynamic ledger, oldest first: every event the caller may see.",
        resolver=_children("lifecycle_event"),
    )
    dangerous_chemical_entries: list[DangerousChemicalEntry] = shared(
        "enterprise.dangerous_chemical_entries", resolver=_children("dangerous_chemical_entry")
    )
    credit_ratings: list[CreditRating] = shared(
        "enterprise.credit_ratings", resolver=_children("credit_rating")
    )
    risks: list[Risk] = shared("enterprise.risks", resolver=_children("risk"))
    safety_grades: list[SafetyGrade] = shared(
        "enterprise.safety_grades", resolver=_children("safety_grade")
    )
    standardization_certificates: list[StandardizationCertificate] = shared(
        "enterprise.standardization_certificates",
        resolver=_children("standardization_certificate"),
    )
    alterations: list[EnterpriseAlteration] = shared(
        "enterprise.alterations",
        "Alterations of its registered details, oldest first: each the caller may see.",
        resolver=_children("enterprise_alteration"),
    )
