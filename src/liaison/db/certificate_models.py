"""Tables of certificates with a lifecycle and the joint discipline list (migration 0019).

A certificate's status is derived: ``state`` is what its latest event left it in (valid,
suspended, revoked), and expiry is read off ``valid_until`` when the statement runs (see
``db.certificate_tables``). A joint discipline entry is one enterprise's stay on the list,
from what put it there to its credit repair; its measures are copied from each department's
standing measures (``discipline_measure_rule``) when it is entered."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from liaison.db.models import Base, OwnedRecord, _enum_values


class CertificateKind(enum.StrEnum):
    SAFETY_PRODUCTION_LICENCE = "safety_production_licence"
    DANGEROUS_CHEMICAL_OPERATION_LICENCE = "dangerous_chemical_operation_licence"
    ENVIRONMENTAL_MANAGEMENT_SYSTEM = "environmental_management_system"
    QUALITY_MANAGEMENT_SYSTEM = "quality_management_system"


class CertificateState(enum.StrEnum):
    """What the latest event left a certificate in (stored)."""

    VALID = "valid"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


class CertificateStatus(enum.StrEnum):
    """What a certificate is today (derived): its state, or expired once valid_until has
    passed, unless it was revoked first."""

    VALID = "valid"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"


class CertificateEventKind(enum.StrEnum):
    ISSUED = "issued"
    SUPERVISION_AUDIT = "supervision_audit"
    SUSPENDED = "suspended"
    RESUMED = "resumed"
    REVOKED = "revoked"


class ReasonCategory(enum.StrEnum):
    ROUTINE = "routine"
    SAFETY_VIOLATION = "safety_violation"
    ENVIRONMENTAL_VIOLATION = "environmental_violation"
    QUALITY_VIOLATION = "quality_violation"
    FALSE_INFORMATION = "false_information"
    HOLDER_REQUEST = "holder_request"
    RECTIFIED = "rectified"


class DisciplineTrigger(enum.StrEnum):
    CREDIT_RATING = "credit_rating"
    CERTIFICATE_REVOCATION = "certificate_revocation"


class DisciplineStatus(enum.StrEnum):
    LISTED = "listed"
    REPAIRED = "repaired"


class DisciplineMeasure(enum.StrEnum):
    NO_FACILITATION = "no_facilitation"
    HIGHER_INSPECTION_FREQUENCY = "higher_inspection_frequency"
    NO_AEO_RECOGNITION = "no_aeo_recognition"
    RESTRICTED_LICENSING = "restricted_licensing"


class Certificate(OwnedRecord, Base):
    """Owned by the issuing department."""

    __tablename__ = "certificate"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_enum_values(CertificateKind)})", name="kind"),
        CheckConstraint(f"state IN ({_enum_values(CertificateState)})", name="state"),
        CheckConstraint("valid_until > valid_from", name="validity"),
        UniqueConstraint("owner_department_id", "kind", "number"),
        Index("ix_certificate_enterprise", "enterprise_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    kind: Mapped[str] = mapped_column(String(48))
    number: Mapped[str] = mapped_column(String(64))
    issuing_body: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date] = mapped_column(Date)
    # Rewritten in the same transaction as every event appended.
    state: Mapped[str] = mapped_column(String(16))


class CertificateEvent(OwnedRecord, Base):
    """One step in a certificate's life, owned by the certificate's issuer."""

    __tablename__ = "certificate_event"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_enum_values(CertificateEventKind)})", name="kind"),
        CheckConstraint(
            f"reason_category IN ({_enum_values(ReasonCategory)})", name="reason_category"
        ),
        Index("ix_certificate_event_certificate", "certificate_id", "occurred_on", "id"),
        Index("ix_certificate_event_enterprise", "enterprise_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificate.id"))
    # The certificate's enterprise: row scope and the audit index need it on the row itself.
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    kind: Mapped[str] = mapped_column(String(24))
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    reason_category: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)


class JointDisciplineEntry(OwnedRecord, Base):
    """Owned by the department whose rating or revocation put the enterprise on the list
    (and which records its credit repair)."""

    __tablename__ = "joint_discipline_entry"
    __table_args__ = (
        CheckConstraint(
            f"trigger_kind IN ({_enum_values(DisciplineTrigger)})", name="trigger_kind"
        ),
        CheckConstraint(f"status IN ({_enum_values(DisciplineStatus)})", name="status"),
        # Exactly the record that put it there.
        CheckConstraint(
            "(trigger_kind = 'credit_rating' AND credit_rating_id IS NOT NULL"
            " AND certificate_event_id IS NULL) OR (trigger_kind = 'certificate_revocation'"
            " AND certificate_event_id IS NOT NULL AND credit_rating_id IS NULL)",
            name="trigger_record",
        ),
        CheckConstraint(
            "(status = 'repaired') = (repaired_on IS NOT NULL AND repair_basis IS NOT NULL)",
            name="repair",
        ),
        CheckConstraint("repaired_on IS NULL OR repaired_on >= since", name="repair_order"),
        Index("ix_joint_discipline_entry_enterprise", "enterprise_id", "id"),
        # One stay on the list at a time: two writers racing to list one enterprise collide
        # here rather than listing it twice.
        Index(
            "uq_joint_discipline_entry_listed",
            "enterprise_id",
            unique=True,
            sqlite_where=text("status = 'listed'"),
            postgresql_where=text("status = 'listed'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    since: Mapped[dt.date] = mapped_column(Date)
    trigger_kind: Mapped[str] = mapped_column(String(32))
    credit_rating_id: Mapped[int | None] = mapped_column(ForeignKey("credit_rating.id"))
    certificate_event_id: Mapped[int | None] = mapped_column(ForeignKey("certificate_event.id"))
    status: Mapped[str] = mapped_column(String(16))
    repaired_on: Mapped[dt.date | None] = mapped_column(Date)
    repair_basis: Mapped[str | None] = mapped_column(Text)


class JointDisciplineMeasure(OwnedRecord, Base):
    """A measure one department applies to a listed enterprise; owned by the entry's owner."""

    __tablename__ = "joint_discipline_measure"
    __table_args__ = (
        CheckConstraint(f"measure IN ({_enum_values(DisciplineMeasure)})", name="measure"),
        UniqueConstraint("entry_id", "department_id", "measure"),
        # The party rules look an entry's departments up.
        Index("ix_joint_discipline_measure_department", "department_id", "entry_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("joint_discipline_entry.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    measure: Mapped[str] = mapped_column(String(32))


class DisciplineMeasureRule(Base):
    """A measure a department applies to every enterprise on the list (standing data, not a
    shared record: each department's memorandum commitments)."""

    __tablename__ = "discipline_measure_rule"
    __table_args__ = (
        CheckConstraint(f"measure IN ({_enum_values(DisciplineMeasure)})", name="measure"),
        UniqueConstraint("department_id", "measure"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    measure: Mapped[str] = mapped_column(String(32))
