"""Tables of clue referrals and public reports (migration 0010)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from liaison.db.models import Base, OwnedRecord


def _values(kind: type[enum.StrEnum]) -> str:
    return ", ".join(f"'{member.value}'" for member in kind)


class ReferralStatus(enum.StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    HANDLED = "handled"
    WITHDRAWN = "withdrawn"


class ReportChannel(enum.StrEnum):
    TELEPHONE = "telephone"
    MAILBOX = "mailbox"
    ONLINE = "online"


class AttachmentStorage(enum.StrEnum):
    DATABASE = "database"
    DIRECTORY = "directory"


class ReferredType(enum.StrEnum):
    """Record types of the sender's a referral can refer to by reference."""

    RISK = "risk"
    LIFECYCLE_EVENT = "lifecycle_event"
    CREDIT_RATING = "credit_rating"


class PublicReport(OwnedRecord, Base):
    """Owned by the department that received the report."""

    __tablename__ = "public_report"
    __table_args__ = (
        CheckConstraint(f"channel IN ({_values(ReportChannel)})", name="channel"),
        # An anonymous reporter left neither name nor contact.
        CheckConstraint(
            "NOT anonymous OR (reporter_name IS NULL AND reporter_contact IS NULL)",
            name="anonymous",
        ),
        Index("ix_public_report_enterprise", "enterprise_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The enterprise if known: a report of none reaches only unscoped grants.
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"))
    channel: Mapped[str] = mapped_column(String(16))
    received_on: Mapped[dt.date] = mapped_column(Date)
    anonymous: Mapped[bool] = mapped_column(Boolean)
    reporter_name: Mapped[str | None] = mapped_column(String(100))
    reporter_contact: Mapped[str | None] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)


class Referral(OwnedRecord, Base):
    """Owned by its sender; ``receiver_department_id`` is the department it is referred to."""

    __tablename__ = "referral"
    __table_args__ = (
        CheckConstraint(f"status IN ({_values(ReferralStatus)})", name="status"),
        CheckConstraint("receiver_department_id <> owner_department_id", name="not_to_oneself"),
        CheckConstraint("feedback_deadline >= sent_on", name="deadline_order"),
        Index("ix_referral_enterprise", "enterprise_id", "id"),
        # "Referrals I received" (the sender's are ix_referral_owner_department_id), and the
        # party rules' lookups by receiver.
        Index("ix_referral_receiver", "receiver_department_id", "id"),
        Index("ix_referral_report", "report_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    receiver_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("public_report.id"))
    category: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    sent_on: Mapped[dt.date] = mapped_column(Date)
    feedback_deadline: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    accepted_on: Mapped[dt.date | None] = mapped_column(Date)
    returned_on: Mapped[dt.date | None] = mapped_column(Date)
    return_reason: Mapped[str | None] = mapped_column(Text)
    handled_on: Mapped[dt.date | None] = mapped_column(Date)
    feedback: Mapped[str | None] = mapped_column(Text)
    penalty_decision: Mapped[str | None] = mapped_column(String(64))
    withdrawn_on: Mapped[dt.date | None] = mapped_column(Date)


class ReferredRecord(Base):
    """A record of the sender's that a referral refers to by reference (not a shared record
    itself: what it points at is read through the gate)."""

    __tablename__ = "referred_record"
    __table_args__ = (
        CheckConstraint(f"record_type IN ({_values(ReferredType)})", name="record_type"),
        UniqueConstraint("referral_id", "record_type", "record_id"),
        # The party rules look a record up by its type and id.
        Index("ix_referred_record_record", "record_type", "record_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"))
    record_type: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[int] = mapped_column(Integer)


class AttachmentBlob(Base):
    """Attachment content kept in the database, by its SHA-256 (one copy of each file)."""

    __tablename__ = "attachment_blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class ReferralAttachment(OwnedRecord, Base):
    """Evidence sent with a referral, owned by the sender. Its content is in
    ``attachment_blob`` or in the configured directory (``stored_in``), by ``sha256``."""

    __tablename__ = "referral_attachment"
    __table_args__ = (
        CheckConstraint(f"stored_in IN ({_values(AttachmentStorage)})", name="stored_in"),
        CheckConstraint("size_bytes >= 0", name="size"),
        Index("ix_referral_attachment_referral", "referral_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"))
    # The referral's enterprise: row scope and the audit index need it on the row itself.
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    name: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(127))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    stored_in: Mapped[str] = mapped_column(String(16))
