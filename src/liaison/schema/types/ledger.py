"""Alterations of an enterprise's registered details: who may see each field, at a glance."""

from __future__ import annotations

import strawberry

from liaison.schema.scalars import Day
from liaison.schema.shared import shared
from liaison.schema.types.records import EnterpriseRef, _enterprise


@strawberry.type(
    description="An alteration of registered details in the dynamic ledger: for each detail "
    "it changed, the value before and after (both null for a detail it left alone)."
)
class EnterpriseAlteration:
    enterprise_id: strawberry.Private[int]
    id: strawberry.ID = shared("enterprise_alteration.id")
    owner: str = shared("enterprise_alteration.owner", "Code of the registering department.")
    enterprise: EnterpriseRef = shared("enterprise_alteration.enterprise", resolver=_enterprise)
    altered_on: Day | None = shared("enterprise_alteration.altered_on")
    basis: str | None = shared(
        "enterprise_alteration.basis", "The decision or filing it was made on."
    )
    old_name: str | None = shared("enterprise_alteration.old_name")
    new_name: str | None = shared("enterprise_alteration.new_name")
    old_address: str | None = shared("enterprise_alteration.old_address")
    new_address: str | None = shared("enterprise_alteration.new_address")
    old_legal_representative: str | None = shared("enterprise_alteration.old_legal_representative")
    new_legal_representative: str | None = shared("enterprise_alteration.new_legal_representative")
    old_business_scope: str | None = shared("enterprise_alteration.old_business_scope")
    new_business_scope: str | None = shared("enterprise_alteration.new_business_scope")
