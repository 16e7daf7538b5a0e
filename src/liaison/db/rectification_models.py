"""Rectification and elimination campaigns (cluster upgrading): a campaign per zone, its
enterprises listed for rectification, relocation, merger or shutdown (migration 0011)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from liaison.db.models import Base, OwnedRecord, _enum_values


class Measure(enum.StrEnum):
    RECTIFICATION = "rectification"
    RELOCATION = "relocation"
    MERGER = "merger"
    SHUTDOWN = "shutdown"


class ItemStatus(enum.StrEnum):
    LISTED = "listed"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class Outcome(enum.StrEnum):
    RECTIFIED = "rectified"
    RELOCATED = "relocated"  # moved out of the zone: the ledger records RELOCATED
    MERGED = "merged"
    CANCELLED = "cancelled"  # shut down, eliminated: the ledger records CANCELLED


class RectificationCampaign(OwnedRecord, Base):
    """A campaign of one zone; it belongs to no enterprise."""

    __tablename__ = "rectification_campaign"
    __table_args__ = (
        CheckConstraint("ends_on >= started_on", name="window"),
        Index("ix_rectification_campaign_zone", "zone", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    zone: Mapped[str] = mapped_column(String(64))
    basis: Mapped[str] = mapped_column(Text)
    started_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)


class RectificationItem(OwnedRecord, Base):
    """One enterprise listed in a campaign; owned by the campaign's owner."""

    __tablename__ = "rectification_item"
    __table_args__ = (
        CheckConstraint(f"measure IN ({_enum_values(Measure)})", name="measure"),
        CheckConstraint(f"status IN ({_enum_values(ItemStatus)})", name="status"),
        CheckConstraint(f"outcome IS NULL OR outcome IN ({_enum_values(Outcome)})", name="outcome"),
        CheckConstraint(
            "(status = 'completed') = (outcome IS NOT NULL AND completed_on IS NOT NULL)",
            name="completion",
        ),
        Index("ix_rectification_item_campaign", "campaign_id", "id"),
        Index("ix_rectification_item_enterprise", "enterprise_id", "id"),
        # The overdue list: items not completed, by deadline.
        Index("ix_rectification_item_status_deadline", "status", "deadline"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("rectification_campaign.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    measure: Mapped[str] = mapped_column(String(16))
    deadline: Mapped[dt.date] = mapped_column(Date)
    lead_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(16))
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    # The ledger event its completion appended (RELOCATED, CANCELLED), if any.
    lifecycle_event_id: Mapped[int | None] = mapped_column(ForeignKey("lifecycle_event.id"))
