"""How referrals, their attachments and public reports are stored, and the SQL behind each
party rule (see ``permissions.catalogue_referrals``): the receiver of a referral; of one in
hand (not returned, not withdrawn), its attachments, the report it carries and the
sender's records it refers to."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, case, select, tuple_

from liaison.db import models
from liaison.db.record_tables import PartyCondition, RecordTable, child_table, today
from liaison.db.referral_models import (
    PublicReport,
    Referral,
    ReferralAttachment,
    ReferredRecord,
)
from liaison.db.referral_rules import AWAITING_FEEDBACK, DISCLOSING


def _overdue() -> ColumnElement[bool]:
    # Derived, never stored: past its feedback deadline and still awaiting the feedback.
    return case(
        (
            and_(Referral.status.in_(AWAITING_FEEDBACK), Referral.feedback_deadline < today()),
            True,
        ),
        else_=False,
    )


def _in_hand_for(receiver_id: int) -> Any:
    """Ids of the referrals in hand of ``receiver_id``."""
    return select(Referral.id).where(
        Referral.receiver_department_id == receiver_id, Referral.status.in_(DISCLOSING)
    )


def _receiver(receiver_id: int) -> ColumnElement[bool]:
    return Referral.receiver_department_id == receiver_id


def _evidence_receiver(receiver_id: int) -> ColumnElement[bool]:
    return ReferralAttachment.referral_id.in_(_in_hand_for(receiver_id))


def _carried_to(receiver_id: int) -> ColumnElement[bool]:
    carried = select(Referral.report_id).where(
        Referral.receiver_department_id == receiver_id,
        Referral.status.in_(DISCLOSING),
        Referral.report_id.is_not(None),
    )
    return PublicReport.id.in_(carried)


def _referred(model: Any, record_type: str) -> PartyCondition:
    def condition(receiver_id: int) -> ColumnElement[bool]:
        # The referral's sender must own the record: a referral never discloses another
        # department's records, whatever its rows say. Not correlated with the row, so the
        # database reads the receiver's referred records once per statement, not per row.
        referred = (
            select(ReferredRecord.record_id, Referral.owner_department_id)
            .join(Referral, Referral.id == ReferredRecord.referral_id)
            .where(
                ReferredRecord.record_type == record_type,
                Referral.receiver_department_id == receiver_id,
                Referral.status.in_(DISCLOSING),
            )
        )
        return tuple_(model.id, model.owner_department_id).in_(referred)

    return condition


# Where an attachment's content is: "database:<sha256>" or "directory:<sha256>", read as
# the value of the governed field ``content`` (null where it is withheld), which the
# GraphQL field turns into the content itself.
CONTENT_KEY = ReferralAttachment.stored_in + ":" + ReferralAttachment.sha256

REFERRAL_TABLES: dict[str, RecordTable] = {
    "referral": child_table(
        Referral,
        "category",
        "description",
        "legal_basis",
        "sent_on",
        "feedback_deadline",
        "status",
        "accepted_on",
        "returned_on",
        "return_reason",
        "handled_on",
        "feedback",
        "penalty_decision",
        "withdrawn_on",
        links=("report",),
        parties={"receiver": _receiver},
        receiver=Referral.receiver_department_id,
        overdue=_overdue(),
    ),
    "referral_attachment": child_table(
        ReferralAttachment,
        "name",
        "media_type",
        "size_bytes",
        "sha256",
        links=("referral",),
        parties={"receiver": _evidence_receiver},
        content=CONTENT_KEY,
    ),
    "public_report": child_table(
        PublicReport,
        "channel",
        "received_on",
        "anonymous",
        "reporter_name",
        "reporter_contact",
        "category",
        "content",
        parties={"carried": _carried_to},
        enterprise_optional=True,
    ),
}

# The conditions of the party rule this workflow adds to the record types it refers to.
REFERRED_CONDITIONS: dict[str, dict[str, PartyCondition]] = {
    "risk": {"referred": _referred(models.Risk, "risk")},
    "lifecycle_event": {"referred": _referred(models.LifecycleEvent, "lifecycle_event")},
    "credit_rating": {"referred": _referred(models.CreditRating, "credit_rating")},
}
