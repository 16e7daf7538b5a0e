"""Tables of mutual recognition and graded supervision (migration 0018)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from liaison.db.models import Base, OwnedRecord


def _values(kind: type[enum.StrEnum]) -> str:
    return ", ".join(f"'{member.value}'" for member in kind)


class ResultType(enum.StrEnum):
    """The kinds of supervision result a recognition can rest on."""

    DANGEROUS_CHEMICAL_ENTRY = "dangerous_chemical_entry"
    STANDARDIZATION_CERTIFICATE = "standardization_certificate"
    CREDIT_RATING = "credit_rating"


class Facilitation(enum.StrEnum):
    PROCEDURE_SIMPLIFICATION = "procedure_simplification"
    TRUST_SUPERVISION = "trust_supervision"
    REDUCED_INSPECTION_FREQUENCY = "reduced_inspection_frequency"
    FAST_RELEASE = "fast_release"


class RecognitionStatus(enum.StrEnum):
    ACTIVE = "active"
    LAPSED = "lapsed"


# Exactly one result link is set, the one its result_type names.
_ONE_RESULT = " OR ".join(
    f"(result_type = '{kind.value}' AND "
    + " AND ".join(
        f"{other.value}_id IS {'NOT ' if other is kind else ''}NULL" for other in ResultType
    )
    + ")"
    for kind in ResultType
)


class Recognition(OwnedRecord, Base):
    """Owned by the recognising department; ``recognised_department_id`` owns the result."""

    __tablename__ = "recognition"
    __table_args__ = (
        CheckConstraint(f"result_type IN ({_values(ResultType)})", name="result_type"),
        CheckConstraint(f"facilitation IN ({_values(Facilitation)})", name="facilitation"),
        CheckConstraint(f"status IN ({_values(RecognitionStatus)})", name="status"),
        CheckConstraint(_ONE_RESULT, name="one_result"),
        CheckConstraint("valid_until >= valid_from", name="validity_order"),
        CheckConstraint("recognised_department_id <> owner_department_id", name="not_own"),
        CheckConstraint(
            "(status = 'lapsed') = (lapsed_on IS NOT NULL AND lapse_reason IS NOT NULL)",
            name="lapsed_with_reason",
        ),
        Index("ix_recognition_enterprise", "enterprise_id", "id"),
        # The party rule's lookups, and "recognitions of my results".
        Index("ix_recognition_recognised", "recognised_department_id", "id"),
        # The lapse check reads the active recognitions only.
        Index("ix_recognition_status", "status", "result_type"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    recognised_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    result_type: Mapped[str] = mapped_column(String(32))
    dangerous_chemical_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("dangerous_chemical_entry.id")
    )
    standardization_certificate_id: Mapped[int | None] = mapped_column(
        ForeignKey("standardization_certificate.id")
    )
    credit_rating_id: Mapped[int | None] = mapped_column(ForeignKey("credit_rating.id"))
    facilitation: Mapped[str] = mapped_column(String(32))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date] = mapped_column(Date)
    legal_basis: Mapped[str] = mapped_column(Text)
    recorded_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    lapsed_on: Mapped[dt.date | None] = mapped_column(Date)
    lapse_reason: Mapped[str | None] = mapped_column(Text)


class InspectionRule(Base):
    """Graded supervision as data: how often a department of ``department_kind`` inspects
    an enterprise graded ``grade`` under ``scheme`` (scheme ``default``, grade ``unknown``:
    the enterprise has no grade the department may see). Not a shared record: the rules
    are the platform's, read by every department and edited by its administrators."""

    __tablename__ = "inspection_rule"
    __table_args__ = (
        UniqueConstraint("department_kind", "scheme", "grade"),
        CheckConstraint("per_year BETWEEN 1 AND 52", name="per_year"),
        CheckConstraint("reduced_per_year BETWEEN 1 AND per_year", name="reduced_per_year"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department_kind: Mapped[str] = mapped_column(String(64))
    scheme: Mapped[str] = mapped_column(String(64))
    grade: Mapped[str] = mapped_column(String(32))
    per_year: Mapped[int] = mapped_column(Integer)
    # What a recognition with reduced_inspection_frequency lowers it to.
    reduced_per_year: Mapped[int] = mapped_column(Integer)
    on_site_guidance: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text)
