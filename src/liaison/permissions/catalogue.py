"""The shared elements: every field of every shared record type, and how it may be shared.

Agreements grant elements by name (``dangerous_chemical_entry.cas_number``); the GraphQL
schema declares each field through the same names, and a test fails on any field without
one. An element missing here cannot be granted, so a field added later is never shared
by accident.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from liaison.permissions.masking import (
    Mask,
    band,
    district,
    keep_ends,
    month,
    person_name,
    phone,
)


class Access(enum.Enum):
    PUBLIC = "public"  # any authenticated department: joins records across departments
    WITH_RECORD = "with_record"  # keys and links: visible wherever the record itself is
    GOVERNED = "governed"  # only the owner, or through a grant


@dataclass(frozen=True, slots=True)
class Element:
    record_type: str
    field: str
    access: Access
    mask: Mask | None = None

    @property
    def name(self) -> str:
        return f"{self.record_type}.{self.field}"


@dataclass(frozen=True, slots=True)
class RecordType:
    name: str
    description: str
    elements: dict[str, Element]
    # Listed to every department (so records can be joined), governed fields aside.
    always_listed: bool = False

    def governed(self) -> list[Element]:
        return [e for e in self.elements.values() if e.access is Access.GOVERNED]


def _record_type(
    name: str,
    description: str,
    *,
    public: tuple[str, ...] = (),
    with_record: tuple[str, ...] = (),
    governed: dict[str, Mask | None],
    always_listed: bool = False,
) -> RecordType:
    elements = [Element(name, f, Access.PUBLIC) for f in public]
    elements += [Element(name, f, Access.WITH_RECORD) for f in with_record]
    elements += [Element(name, f, Access.GOVERNED, mask) for f, mask in governed.items()]
    return RecordType(name, description, {e.field: e for e in elements}, always_listed)


_LINKS = ("id", "owner", "enterprise")

RECORD_TYPES: dict[str, RecordType] = {
    t.name: t
    for t in (
        _record_type(
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
            },
        ),
        _record_type(
            "lifecycle_event",
            "An entry of the dynamic ledger: one step in an enterprise's life.",
            with_record=_LINKS,
            governed={
                "kind": None,
                "effective_on": month(),
                "pilot_production_ends_on": month(),
                "document_number": keep_ends(4, 2),
                "products": None,
                "note": None,
            },
        ),
        _record_type(
            "dangerous_chemical_entry",
            "A dangerous chemical declared at entry.",
            with_record=_LINKS,
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
        _record_type(
            "credit_rating",
            "A credit rating issued under a scheme and the rule set in force when issued.",
            with_record=_LINKS,
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
        _record_type(
            "risk",
            "A risk or hidden danger found by a department, and its rectification.",
            with_record=_LINKS,
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
        _record_type(
            "safety_grade",
            "An A-D safety grade under a grading scheme.",
            with_record=_LINKS,
            governed={
                "scheme": None,
                "grade": None,
                "assessed_on": month(),
                "valid_until": month(),
            },
        ),
        _record_type(
            "standardization_certificate",
            "A work-safety standardization level (1 highest) with its certificate.",
            with_record=_LINKS,
            governed={
                "level": None,
                "certificate_number": keep_ends(4, 2),
                "issued_on": month(),
                "valid_until": month(),
            },
        ),
    )
}


class UnknownElement(KeyError):
    """A ``record_type.field`` name the catalogue does not hold."""


def element(name: str) -> Element:
    record_type, _, field = name.partition(".")
    try:
        return RECORD_TYPES[record_type].elements[field]
    except KeyError:
        raise UnknownElement(f"no shared element named {name!r}") from None
