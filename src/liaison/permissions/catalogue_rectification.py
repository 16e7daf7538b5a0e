"""Rectification and elimination campaigns (cluster upgrading): a campaign of one zone,
which belongs to no enterprise, and its items, each one enterprise listed for
rectification, relocation, merger or shutdown, with a deadline and a lead department.

The lead department takes part in the item (and so in its campaign): it sees them whole."""

from __future__ import annotations

from liaison.permissions.masking import month
from liaison.permissions.record_types import PartyRule, RecordType, record_type

LEAD = PartyRule("lead", "lead department of the rectification item")
LEAD_IN_CAMPAIGN = PartyRule("lead", "lead department of an item of the campaign")

RECTIFICATION_TYPES: tuple[RecordType, ...] = (
    record_type(
        "rectification_campaign",
        "A rectification and elimination campaign in one zone.",
        with_record=("id", "owner", "items"),
        governed={
            "title": None,
            "zone": None,
            "basis": None,
            "started_on": None,
            "ends_on": None,
        },
        parties=(LEAD_IN_CAMPAIGN,),
    ),
    record_type(
        "rectification_item",
        "An enterprise listed in a rectification campaign, and how far it has come.",
        with_record=("id", "owner", "enterprise", "campaign"),
        governed={
            "measure": None,
            "deadline": month(),
            "lead_department": None,
            "status": None,
            "overdue": None,
            "outcome": None,
            "completed_on": month(),
            "note": None,
        },
        parties=(LEAD,),
    ),
)
