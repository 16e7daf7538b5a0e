"""Certificates with a lifecycle and the joint discipline list: what each of their fields
is, how it may be shared, and who sees an entry of the list by their part in it.

A certificate and its events belong to the issuing department and are shared only through
grants. An entry of the joint discipline list belongs to the department whose rating or
revocation put the enterprise there; every department that applies a measure to the
enterprise takes part in the entry and sees it whole, with every department's measures."""

from __future__ import annotations

from liaison.permissions.masking import keep_ends, month
from liaison.permissions.record_types import LINKS, PartyRule, RecordType, record_type

APPLIES_MEASURES = PartyRule("disciplining", "applies measures of joint discipline")

CERTIFICATE_TYPES: tuple[RecordType, ...] = (
    record_type(
        "certificate",
        "A licence or a management-system certification issued to an enterprise, and what "
        "its events have made of it (valid, suspended, revoked, or expired).",
        with_record=(*LINKS, "events"),
        governed={
            "kind": None,
            "number": keep_ends(4, 2),
            "issuing_body": None,
            "scope": None,
            "valid_from": month(),
            "valid_until": month(),
            "status": None,
        },
    ),
    record_type(
        "certificate_event",
        "One step in a certificate's life: issue, supervision audit, suspension, resumption "
        "or revocation, with its reason and legal basis.",
        with_record=(*LINKS, "certificate"),
        governed={
            "kind": None,
            "occurred_on": month(),
            "reason_category": None,
            "reason": None,
            "legal_basis": None,
        },
    ),
    record_type(
        "joint_discipline_entry",
        "An enterprise's stay on the joint discipline list of discredited enterprises: what "
        "put it there, since when, and its credit repair.",
        with_record=(*LINKS, "measures", "credit_rating", "certificate_event"),
        governed={
            "since": None,
            "trigger": None,
            "status": None,
            "repaired_on": None,
            "repair_basis": None,
        },
        parties=(APPLIES_MEASURES,),
    ),
    record_type(
        "joint_discipline_measure",
        "A measure one department applies to an enterprise on the joint discipline list.",
        with_record=(*LINKS, "entry"),
        governed={"department": None, "measure": None},
        parties=(APPLIES_MEASURES,),
    ),
)
