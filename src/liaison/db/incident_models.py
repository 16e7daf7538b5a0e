"""Coordinated emergency response: incidents, the departments they are routed to, the
chemicals involved, the response teams, and the emergency roster (migration 0011)."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from liaison.db.models import Base, OwnedRecord, _enum_values


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A moment in UTC, read back aware on every database (SQLite hands back naive ones),
    so the API answers alike on both."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        # SQLite keeps a moment's digits and drops its offset: store them in UTC.
        return None if value is None else _utc(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        return None if value is None else _utc(value)


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class IncidentGrade(enum.StrEnum):
    """The four grades of the State Council's Decree No. 493, art. 3, least serious first."""

    GENERAL = "general"
    LARGER = "larger"
    MAJOR = "major"
    PARTICULARLY_SERIOUS = "particularly_serious"


class IncidentStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Incident(OwnedRecord, Base):
    __tablename__ = "incident"
    __table_args__ = (
        CheckConstraint(f"grade IN ({_enum_values(IncidentGrade)})", name="grade"),
        CheckConstraint(f"status IN ({_enum_values(IncidentStatus)})", name="status"),
        CheckConstraint(
            "deaths >= 0 AND serious_injuries >= 0 AND evacuated >= 0 AND direct_loss >= 0",
            name="figures",
        ),
        Index("ix_incident_enterprise", "enterprise_id", "id"),
        # The open incidents every policy compilation reads.
        Index("ix_incident_status", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    # The case reference requests name it by (Liaison-Case), e.g. INC-2026-0001.
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    # The enterprise's zone when the incident was opened: the zone its emergency access covers.
    zone: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    location: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    deaths: Mapped[int] = mapped_column(Integer)
    serious_injuries: Mapped[int] = mapped_column(Integer)
    evacuated: Mapped[int] = mapped_column(Integer)
    direct_loss: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    grade: Mapped[str] = mapped_column(String(32))
    grade_rule: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16))
    opened_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class IncidentChemical(OwnedRecord, Base):
    """A dangerous chemical involved in an incident; owned by the incident's owner."""

    __tablename__ = "incident_chemical"
    __table_args__ = (Index("ix_incident_chemical_incident", "incident_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    chemical_name: Mapped[str] = mapped_column(String(200))
    cas_number: Mapped[str] = mapped_column(String(12))
    un_number: Mapped[str] = mapped_column(String(6))


class IncidentResponse(OwnedRecord, Base):
    """A department the incident was routed to by the roster, and whether it acknowledged.
    Owned by the incident's owner, who keeps the roll of who was called and who answered."""

    __tablename__ = "incident_response"
    __table_args__ = (
        UniqueConstraint("incident_id", "department_id"),
        # Party conditions look a consumer up by (incident, department).
        Index("ix_incident_response_department", "department_id", "incident_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    # The incident's grade when the department was called.
    routed_for: Mapped[str] = mapped_column(String(32))
    routed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))


class IncidentTeamMember(OwnedRecord, Base):
    """One person of a responding department's team; owned by that department."""

    __tablename__ = "incident_team_member"
    __table_args__ = (Index("ix_incident_team_member_incident", "incident_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(32))


class EmergencyRosterEntry(Base):
    """Configuration, not a shared record: for a zone (NULL: every zone) and an incident of
    at least ``minimum_grade``, the department that is called."""

    __tablename__ = "emergency_roster_entry"
    __table_args__ = (
        CheckConstraint(f"minimum_grade IN ({_enum_values(IncidentGrade)})", name="minimum_grade"),
        UniqueConstraint("zone", "minimum_grade", "department_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    zone: Mapped[str | None] = mapped_column(String(64))
    minimum_grade: Mapped[str] = mapped_column(String(32))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
