"""Mutual recognition of supervision results: what each field of a recognition is, how it
may be shared, and who sees it by its part in it.

A recognition is the recogniser's (the owner's) statement that it relies on another
department's result for an enterprise. The recognised department is a party: it sees the
recognition whole, so it knows who relies on its result and what that result buys the
enterprise, whatever the agreements say. Anyone else sees it only through a grant.
"""

from __future__ import annotations

from liaison.permissions.masking import month
from liaison.permissions.record_types import LINKS, PartyRule, RecordType, record_type

RECOGNISED = PartyRule("recognised", "department whose result is recognised")

# The record types whose records a recognition can rest on (one of them, by its link).
RECOGNISABLE = ("dangerous_chemical_entry", "standardization_certificate", "credit_rating")

RECOGNITION_TYPES: tuple[RecordType, ...] = (
    record_type(
        "recognition",
        "A department's (the owner's) recognition of another department's supervision "
        "result for an enterprise, the facilitation it grants, and whether it still stands.",
        with_record=(*LINKS, *RECOGNISABLE),
        governed={
            "recognised": None,
            "result_type": None,
            "facilitation": None,
            "valid_from": month(),
            "valid_until": month(),
            "legal_basis": None,
            "recorded_on": month(),
            "status": None,
            "in_force": None,
            "lapsed_on": month(),
            "lapse_reason": None,
        },
        parties=(RECOGNISED,),
    ),
)
