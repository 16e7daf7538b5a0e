"""The shared elements: every field of every shared record type, and how it may be shared.

Agreements grant elements by name (``dangerous_chemical_entry.cas_number``); the GraphQL
schema declares each field through the same names, and a test fails on any field without
one. An element missing here cannot be granted, so a field added later is never shared
by accident.
"""

from __future__ import annotations

from liaison.permissions.catalogue_certificates import CERTIFICATE_TYPES
from liaison.permissions.catalogue_incidents import INCIDENT_TYPES
from liaison.permissions.catalogue_inspections import INSPECTION_PARTIES, INSPECTION_TYPES
from liaison.permissions.catalogue_ledger import LEDGER_TYPES
from liaison.permissions.catalogue_recognition import RECOGNITION_TYPES
from liaison.permissions.catalogue_rectification import RECTIFICATION_TYPES
from liaison.permissions.catalogue_referrals import REFERRAL_TYPES, REFERRED_PARTIES
from liaison.permissions.masking import (
    band,
    district,
    keep_ends,
    month,
    person_name,
    phone,
)
from liaison.permissions.record_types import (
    LINKS,
    Access,
    Element,
    PartyRule,
    RecordType,
    add_parties,
    record_type,
)

CORE_TYPES: tuple[RecordType, ...] = (
    record_type(
        "enterprise",
        "An enterprise handling dangerous chemicals, as registered by the registry.",
        always_listed=True,
        public=("id", "uscc", "name"),
        with_record=(
            "owner",
            "lifecycle",
            "dangerous_chemical_entries",
            "credit_ratings",
            "risks",
            "safety_grades",
            "standardization_certificates",
            "alterations",
        ),
        governed={
            "zone": None,
            "address": district(),
            "legal_representative": person_name(),
            "contact_phone": phone(),
            "industry": None,
            "registered_on": month(),
            "status": None,
            "status_since": month(),
            "business_scope": None,
        },
    ),
    record_type(
        "lifecycle_event",
        "An entry of the dynamic ledger: one step in an enterprise's life.",
        with_record=LINKS,
        governed={
            "kind": None,
            "effective_on": month(),
            "pilot_production_ends_on": month(),
            "document_number": keep_ends(4, 2),
            "products": None,
            "note": None,
        },
    ),
    record_type(
        "dangerous_chemical_entry",
        "A dangerous chemical declared at entry.",
        with_record=LINKS,
        governed={
            "declaration_number": keep_ends(4, 2),
            "chemical_name": None,
            "cas_number": None,
            "un_number": None,
            "hazard_class": None,
            "packing_group": None,
            "quantity": band(1000),
            "unit": None,
            "port": None,
            "entry_date": month(),
            "storage_location": district(),
            "declared_value": band(100_000),
            "consignee": None,
        },
    ),
    record_type(
        "credit_rating",
        "A credit rating issued under a scheme and the rule set in force when issued.",
        with_record=LINKS,
        governed={
            "scheme": None,
            "rule_set": None,
            "grade": None,
            "score": band(10),
            "reasons": None,
            "effective_on": month(),
            "expires_on": month(),
        },
    ),
    record_type(
        "risk",
        "A risk or hidden danger found by a department, and its rectification.",
        with_record=LINKS,
        governed={
            "category": None,
            "description": None,
            "level": None,
            "found_on": month(),
            "rectification_deadline": month(),
            "status": None,
            "overdue": None,
            "closed_on": month(),
            "supervising_department": None,
            "evidence": None,
        },
    ),
    record_type(
        "safety_grade",
        "An A-D safety grade under a grading scheme.",
        with_record=LINKS,
        governed={
            "scheme": None,
            "grade": None,
            "assessed_on": month(),
            "valid_until": month(),
            "self_assessment_score": band(10),
            "self_assessed_on": month(),
        },
    ),
    record_type(
        "standardization_certificate",
        "A work-safety standardization level (1 highest) with its certificate.",
        with_record=LINKS,
        governed={
            "level": None,
            "certificate_number": keep_ends(4, 2),
            "issued_on": month(),
            "valid_until": month(),
            "status": None,
            "revoked_on": month(),
            "revocation_reason": None,
        },
    ),
)

RECORD_TYPES: dict[str, RecordType] = {
    t.name: t
    for t in (
        *CORE_TYPES,
        *REFERRAL_TYPES,
        *INCIDENT_TYPES,
        *RECTIFICATION_TYPES,
        *INSPECTION_TYPES,
        *LEDGER_TYPES,
        *RECOGNITION_TYPES,
        *CERTIFICATE_TYPES,
    )
}
RECORD_TYPES = add_parties(RECORD_TYPES, REFERRED_PARTIES)
RECORD_TYPES = add_parties(RECORD_TYPES, INSPECTION_PARTIES)


class UnknownElement(KeyError):
    """A ``record_type.field`` name the catalogue does not hold."""


def element(name: str) -> Element:
    type_name, _, field = name.partition(".")
    try:
        return RECORD_TYPES[type_name].elements[field]
    except KeyError:
        raise UnknownElement(f"no shared element named {name!r}") from None


__all__ = ["RECORD_TYPES", "Access", "Element", "PartyRule", "RecordType", "element"]
