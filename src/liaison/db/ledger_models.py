"""Tables of the ledger's alterations and of departments' places (migration 0017)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from liaison.db.models import Base, OwnedRecord


class DepartmentLevel(enum.StrEnum):
    PROVINCE = "province"
    CITY = "city"
    DISTRICT = "district"
    TOWN = "town"
    PARK = "park"


class StandardizationCertificateStatus(enum.StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"


# The registered details an alteration may change; the USCC is never one of them.
ALTERABLE = ("name", "address", "legal_representative", "business_scope")


class EnterpriseAlteration(OwnedRecord, Base):
    """One alteration of an enterprise's registered details: for each detail it changed,
    the value before and after (both NULL for a detail it left alone)."""

    __tablename__ = "enterprise_alteration"
    __table_args__ = (
        Index("ix_enterprise_alteration_enterprise", "enterprise_id", "altered_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    altered_on: Mapped[dt.date] = mapped_column(Date)
    basis: Mapped[str] = mapped_column(String(300))
    old_name: Mapped[str | None] = mapped_column(String(200))
    new_name: Mapped[str | None] = mapped_column(String(200))
    old_address: Mapped[str | None] = mapped_column(String(300))
    new_address: Mapped[str | None] = mapped_column(String(300))
    old_legal_representative: Mapped[str | None] = mapped_column(String(100))
    new_legal_representative: Mapped[str | None] = mapped_column(String(100))
    old_business_scope: Mapped[str | None] = mapped_column(Text)
    new_business_scope: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class DepartmentPlace(Base):
    """Where a department sits: its administrative level and the department above it."""

    __tablename__ = "department_place"
    __table_args__ = (
        CheckConstraint(
            "level IN (" + ", ".join(f"'{v.value}'" for v in DepartmentLevel) + ")",
            name="level",
        ),
    )

    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
