"""The ledger's alterations of registered details: what each field is and how it may be
shared. An alteration is governed like the lifecycle events beside it; each old/new value
keeps the mask of the enterprise field it was (an address to its district, a person's name
to its surname), so the history discloses no more than the current details would."""

from __future__ import annotations

from liaison.permissions.masking import district, keep_ends, month, person_name
from liaison.permissions.record_types import LINKS, RecordType, record_type

LEDGER_TYPES: tuple[RecordType, ...] = (
    record_type(
        "enterprise_alteration",
        "An alteration of an enterprise's registered details in the dynamic ledger: the "
        "value before and after of each detail it changed, when, and on what basis.",
        with_record=LINKS,
        governed={
            "altered_on": month(),
            "basis": keep_ends(4, 2),
            "old_name": None,
            "new_name": None,
            "old_address": district(),
            "new_address": district(),
            "old_legal_representative": person_name(),
            "new_legal_representative": person_name(),
            "old_business_scope": None,
            "new_business_scope": None,
        },
    ),
)
