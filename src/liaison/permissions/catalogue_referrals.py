"""Clue referrals and public reports: what each of their fields is, how it may be shared,
and who sees them by their part in them.

A referral is an explicit, one-time disclosure from its sender (the owner) to its receiver:
the receiver sees the referral whole, whatever the standing agreements say, with the
evidence attached to it, the public report it carries and the sender's records it refers
to by reference. The evidence, the report and the referred records stay disclosed while the
referral is in hand (sent, accepted, handled); a referral the receiver returned, or the
sender withdrew, keeps only its own record (what was referred and the answer) for the
receiver: the receiver declined it, so it has no further need of the evidence.
Nobody else sees any of it unless a grant says so.
"""

from __future__ import annotations

from liaison.permissions.masking import keep_ends, month, person_name, phone
from liaison.permissions.record_types import LINKS, PartyRule, RecordType, record_type

RECEIVER = PartyRule("receiver", "receiver of referral")
CARRIED = PartyRule("carried", "carried by a referral to its receiver")
# The sender's own records that a referral refers to by reference.
REFERRED = PartyRule("referred", "referred by a referral to its receiver")

# Record types of other workflows whose records a referral can refer to (catalogue name ->
# what the input calls it).
REFERABLE = ("risk", "lifecycle_event", "credit_rating")

REFERRAL_TYPES: tuple[RecordType, ...] = (
    record_type(
        "referral",
        "A clue referred by one department (the owner, its sender) to the department whose "
        "functions it concerns, and that department's answer.",
        with_record=(
            *LINKS,
            "report",
            "attachments",
            "referred_risks",
            "referred_lifecycle_events",
            "referred_credit_ratings",
        ),
        governed={
            "receiver": None,
            "category": None,
            "description": None,
            "legal_basis": None,
            "sent_on": month(),
            "feedback_deadline": month(),
            "status": None,
            "overdue": None,
            "accepted_on": month(),
            "returned_on": month(),
            "return_reason": None,
            "handled_on": month(),
            "feedback": None,
            "penalty_decision": keep_ends(4, 2),
            "withdrawn_on": month(),
        },
        parties=(RECEIVER,),
    ),
    record_type(
        "referral_attachment",
        "A file of evidence sent with a referral: its metadata and its content.",
        with_record=(*LINKS, "referral"),
        governed={
            "name": None,
            "media_type": None,
            "size_bytes": None,
            "sha256": None,
            "content": None,
        },
        parties=(RECEIVER,),
    ),
    record_type(
        "public_report",
        "A report from the public (reporting telephone, mailbox, online form), entered by "
        "the department that received it (the owner); the enterprise if known.",
        with_record=(*LINKS, "referrals"),
        governed={
            "channel": None,
            "received_on": month(),
            "anonymous": None,
            "reporter_name": person_name(),
            "reporter_contact": phone(),
            "category": None,
            "content": None,
        },
        parties=(CARRIED,),
    ),
)

# Party rules this workflow adds to record types it does not define.
REFERRED_PARTIES: dict[str, tuple[PartyRule, ...]] = {name: (REFERRED,) for name in REFERABLE}
