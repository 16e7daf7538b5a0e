"""Tables. Alembic migrations create them; nothing calls ``metadata.create_all``."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _enum_values(kind: type[enum.StrEnum]) -> str:
    return ", ".join(f"'{member.value}'" for member in kind)


class LifecycleKind(enum.StrEnum):
    REGISTERED = "registered"
    UNDER_CONSTRUCTION = "under_construction"
    PILOT_PRODUCTION = "pilot_production"
    IN_OPERATION = "in_operation"
    SUSPENDED = "suspended"
    RELOCATED = "relocated"
    CANCELLED = "cancelled"


class RiskLevel(enum.StrEnum):
    GENERAL = "general"
    MAJOR = "major"


class RiskStatus(enum.StrEnum):
    REPORTED = "reported"
    RECTIFYING = "rectifying"
    PENDING_ACCEPTANCE = "pending_acceptance"
    CLOSED = "closed"


class SafetyGradeScheme(enum.StrEnum):
    # The two schemes read the letters in opposite directions: under enterprise supervision
    # A is the best-managed enterprise; under park risk grading A is the highest risk.
    ENTERPRISE_SUPERVISION = "enterprise_supervision"
    PARK_RISK = "park_risk"


class Department(Base):
    __tablename__ = "department"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(64))


class OwnedRecord:
    """Every shared record names the department that owns it."""

    owner_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)


class Enterprise(OwnedRecord, Base):
    __tablename__ = "enterprise"
    __table_args__ = (
        Index("ix_enterprise_zone_id", "zone", "id"),
        Index("ix_enterprise_industry_id", "industry", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    zone: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(300))
    legal_representative: Mapped[str] = mapped_column(String(100))
    contact_phone: Mapped[str] = mapped_column(String(32))
    industry: Mapped[str] = mapped_column(String(100))
    registered_on: Mapped[dt.date] = mapped_column(Date)
    business_scope: Mapped[str | None] = mapped_column(Text)  # migration 0017
    # Derived from the ledger: rewritten in the same transaction as every appended event.
    status: Mapped[str] = mapped_column(String(32), index=True)
    status_since: Mapped[dt.date] = mapped_column(Date)


class LifecycleEvent(OwnedRecord, Base):
    __tablename__ = "lifecycle_event"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_enum_values(LifecycleKind)})", name="kind"),
        Index("ix_lifecycle_event_enterprise", "enterprise_id", "effective_on", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    kind: Mapped[str] = mapped_column(String(32))
    effective_on: Mapped[dt.date] = mapped_column(Date)
    pilot_production_ends_on: Mapped[dt.date | None] = mapped_column(Date)
    document_number: Mapped[str] = mapped_column(String(64))
    products: Mapped[str | None] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class DangerousChemicalEntry(OwnedRecord, Base):
    __tablename__ = "dangerous_chemical_entry"
    __table_args__ = (
        Index("ix_dangerous_chemical_entry_enterprise", "enterprise_id", "id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    declaration_number: Mapped[str] = mapped_column(String(32), unique=True)
    chemical_name: Mapped[str] = mapped_column(String(200))
    cas_number: Mapped[str] = mapped_column(String(12), index=True)
    un_number: Mapped[str] = mapped_column(String(6))
    hazard_class: Mapped[str] = mapped_column(String(4))
    packing_group: Mapped[str | None] = mapped_column(String(3))
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    unit: Mapped[str] = mapped_column(String(8))
    port: Mapped[str] = mapped_column(String(100))
    entry_date: Mapped[dt.date] = mapped_column(Date)
    storage_location: Mapped[str] = mapped_column(String(300))
    declared_value: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    consignee: Mapped[str] = mapped_column(String(200))


class CreditRating(OwnedRecord, Base):
    __tablename__ = "credit_rating"
    __table_args__ = (Index("ix_credit_rating_enterprise", "enterprise_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    scheme: Mapped[str] = mapped_column(String(64))
    rule_set: Mapped[str] = mapped_column(String(64))
    grade: Mapped[str] = mapped_column(String(32))
    score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    reasons: Mapped[str | None] = mapped_column(Text)
    effective_on: Mapped[dt.date] = mapped_column(Date)
    expires_on: Mapped[dt.date | None] = mapped_column(Date)


class Risk(OwnedRecord, Base):
    __tablename__ = "risk"
    __table_args__ = (
        CheckConstraint(f"level IN ({_enum_values(RiskLevel)})", name="level"),
        CheckConstraint(f"status IN ({_enum_values(RiskStatus)})", name="status"),
        Index("ix_risk_enterprise", "enterprise_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    category: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(16))
    found_on: Mapped[dt.date] = mapped_column(Date)
    rectification_deadline: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(32))
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    supervising_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    evidence: Mapped[str | None] = mapped_column(Text)


class SafetyGrade(OwnedRecord, Base):
    __tablename__ = "safety_grade"
    __table_args__ = (
        CheckConstraint("grade IN ('A', 'B', 'C', 'D')", name="grade"),
        CheckConstraint(f"scheme IN ({_enum_values(SafetyGradeScheme)})", name="scheme"),
        Index("ix_safety_grade_enterprise", "enterprise_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    scheme: Mapped[str] = mapped_column(String(32))
    grade: Mapped[str] = mapped_column(String(1))
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    # The enterprise's own assessment the bureau's grade follows (migration 0017).
    self_assessment_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    self_assessed_on: Mapped[dt.date | None] = mapped_column(Date)


class StandardizationCertificate(OwnedRecord, Base):
    __tablename__ = "standardization_certificate"
    __table_args__ = (
        CheckConstraint("level IN (1, 2, 3)", name="level"),
        Index("ix_standardization_certificate_enterprise", "enterprise_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    level: Mapped[int] = mapped_column(Integer)
    certificate_number: Mapped[str] = mapped_column(String(64), unique=True)
    issued_on: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date] = mapped_column(Date)
    # Expiry is derived from valid_until; revocation is recorded (migration 0017).
    revoked_on: Mapped[dt.date | None] = mapped_column(Date)
    revocation_reason: Mapped[str | None] = mapped_column(Text)


class Agreement(Base):
    """A memorandum. Its terms live in versions; an amendment adds a version."""

    __tablename__ = "agreement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    current_version: Mapped[int] = mapped_column(Integer)


class AgreementVersion(Base):
    __tablename__ = "agreement_version"
    __table_args__ = (UniqueConstraint("agreement_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    legal_basis: Mapped[str] = mapped_column(Text)
    purposes: Mapped[list[Any]] = mapped_column(JSON)
    valid_from: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    created_by: Mapped[str] = mapped_column(String(200))


class AgreementParty(Base):
    __tablename__ = "agreement_party"
    __table_args__ = (UniqueConstraint("agreement_version_id", "department_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_version_id: Mapped[int] = mapped_column(ForeignKey("agreement_version.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    signed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    signed_by: Mapped[str | None] = mapped_column(String(200))


class Grant(Base):
    __tablename__ = "grant"
    __table_args__ = (CheckConstraint("during IS NULL OR during = 'incident'", name="during"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_version_id: Mapped[int] = mapped_column(
        ForeignKey("agreement_version.id"), index=True
    )
    provider_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    consumer_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    record_type: Mapped[str] = mapped_column(String(64))
    # {"cas_number": "full", "quantity": "masked"}: an explicit list, never a wildcard.
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    # {"zones": [...], "industries": [...], "enterprises": [uscc, ...]}; {} is every one.
    scope: Mapped[dict[str, Any]] = mapped_column(JSON)
    purposes: Mapped[list[Any]] = mapped_column(JSON)
    # NULL: a standing grant; 'incident': only during an incident (migration 0011, see
    # permissions.incident_access).
    during: Mapped[str | None] = mapped_column(String(16))


class PolicyEpoch(Base):
    """One row whose counter moves whenever any agreement changes, so every process
    sharing the database knows its compiled policy is stale."""

    __tablename__ = "policy_epoch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    epoch: Mapped[int] = mapped_column(BigInteger)


class RecordChange(Base):
    """One row per record a mutation created or changed, in commit order: the feed that
    subscriptions read. Every mutation holds the writers' lock from its first statement to
    its commit (``db.audit.hold_writes``), so ``seq`` is assigned in commit order and a
    reader that has seen ``seq`` n has seen every change before it."""

    __tablename__ = "record_change"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    record_type: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[int] = mapped_column(BigInteger)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
