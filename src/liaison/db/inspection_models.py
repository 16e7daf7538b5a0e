"""Tables of joint inspections (migration 0015): a plan with its participants, checklist
items, targets and draws, the visits made under it and each item's result there, and the
per-department inspector rosters draws pick from."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from liaison.db.models import Base, OwnedRecord, _enum_values


class PlanStatus(enum.StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    DECLINED = "declined"


class Response(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class DrawKind(enum.StrEnum):
    TARGETS = "targets"
    INSPECTORS = "inspectors"


class Outcome(enum.StrEnum):
    COMPLIANT = "compliant"
    NON_COMPLIANT = "non_compliant"
    NOT_APPLICABLE = "not_applicable"


class JointInspectionPlan(OwnedRecord, Base):
    """Owned by the lead department; it belongs to no enterprise."""

    __tablename__ = "joint_inspection_plan"
    __table_args__ = (
        CheckConstraint(f"status IN ({_enum_values(PlanStatus)})", name="status"),
        CheckConstraint("window_until >= window_from", name="window"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    legal_basis: Mapped[str] = mapped_column(Text)
    window_from: Mapped[dt.date] = mapped_column(Date)
    window_until: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    proposed_on: Mapped[dt.date] = mapped_column(Date)


class _OfPlan:
    plan_id: Mapped[int] = mapped_column(ForeignKey("joint_inspection_plan.id"), index=True)


class JointInspectionParticipant(_OfPlan, OwnedRecord, Base):
    """A department taking part in a plan (the lead among them, accepted from the start);
    owned by the plan's owner."""

    __tablename__ = "joint_inspection_participant"
    __table_args__ = (
        CheckConstraint(f"response IN ({_enum_values(Response)})", name="response"),
        UniqueConstraint("plan_id", "department_id"),
        # The party rules look a department's plans up.
        Index("ix_joint_inspection_participant_department", "department_id", "plan_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    response: Mapped[str] = mapped_column(String(16))
    responded_on: Mapped[dt.date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)


class JointInspectionItem(_OfPlan, OwnedRecord, Base):
    """A checklist item a participant brings to the plan (copied from the standard list)."""

    __tablename__ = "joint_inspection_item"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    code: Mapped[str] = mapped_column(String(16))
    aspect: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    legal_reference: Mapped[str] = mapped_column(String(300))


class JointInspectionDraw(_OfPlan, OwnedRecord, Base):
    """A reproducible random draw, owned by the department that made it: the seed, the pool
    in order with each member's weight, and what was drawn (see ``db.inspection_draw``)."""

    __tablename__ = "joint_inspection_draw"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_enum_values(DrawKind)})", name="kind"),
        CheckConstraint("drawn_count >= 0 AND drawn_count <= pool_size", name="counts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    # Whose roster an inspector draw picked from; a target draw's is its owner.
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    seed: Mapped[str] = mapped_column(String(64))
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON)
    pool_size: Mapped[int] = mapped_column(Integer)
    drawn_count: Mapped[int] = mapped_column(Integer)
    # [[key, weight], ...] in the pool's order; weights in halves (see db.inspection_draw).
    pool: Mapped[list[Any]] = mapped_column(JSON)
    drawn: Mapped[list[Any]] = mapped_column(JSON)
    drawn_on: Mapped[dt.date] = mapped_column(Date)


class JointInspectionTarget(_OfPlan, OwnedRecord, Base):
    """An enterprise to be visited under the plan, named or drawn."""

    __tablename__ = "joint_inspection_target"
    __table_args__ = (
        UniqueConstraint("plan_id", "enterprise_id"),
        Index("ix_joint_inspection_target_enterprise", "enterprise_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("joint_inspection_draw.id"))


class JointInspectionVisit(_OfPlan, OwnedRecord, Base):
    """The one visit to an enterprise under a plan, recorded by the lead department."""

    __tablename__ = "joint_inspection_visit"
    __table_args__ = (
        # One visit per enterprise per plan: the point of a joint inspection.
        UniqueConstraint("plan_id", "enterprise_id"),
        CheckConstraint("reception_hours >= 0", name="hours"),
        CheckConstraint("departments_present >= 1", name="present"),
        Index("ix_joint_inspection_visit_enterprise", "enterprise_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    visited_on: Mapped[dt.date] = mapped_column(Date)
    # ["customs", ...] and ["customs: 张伟", ...]: who came from which department.
    departments: Mapped[list[str]] = mapped_column(JSON)
    inspectors: Mapped[list[str]] = mapped_column(JSON)
    departments_present: Mapped[int] = mapped_column(Integer)
    reception_hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))


class JointInspectionResult(_OfPlan, OwnedRecord, Base):
    """One checklist item's result at a visit; a non-compliant one opened ``risk_id``."""

    __tablename__ = "joint_inspection_result"
    __table_args__ = (
        CheckConstraint(f"outcome IN ({_enum_values(Outcome)})", name="outcome"),
        CheckConstraint("(outcome = 'non_compliant') = (risk_id IS NOT NULL)", name="finding"),
        UniqueConstraint("visit_id", "item_id"),
        Index("ix_joint_inspection_result_visit", "visit_id", "id"),
        Index("ix_joint_inspection_result_risk", "risk_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("joint_inspection_visit.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("joint_inspection_item.id"))
    outcome: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    risk_id: Mapped[int | None] = mapped_column(ForeignKey("risk.id"))


class Inspector(Base):
    """A department's inspector roster, which inspector draws pick from. Not a shared
    record: a department draws only from its own roster."""

    __tablename__ = "inspector"
    __table_args__ = (UniqueConstraint("department_id", "badge"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    badge: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean)
