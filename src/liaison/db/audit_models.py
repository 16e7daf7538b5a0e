"""The audit trail's tables (migrations 0002, 0004, 0012 and 0014; append-only in the database).

Chained (covered by the events' hashes, never updated or deleted): ``audit_event``,
``audit_disclosure`` and ``audit_disclosed`` (the keys of the records disclosed, one row per
provider and record type); and ``audit_record``, the rows of events before
``audit_head.compact_from`` (written by 0002-era appends, whose hash covers them).

Derived (rebuildable from the chain): ``audit_enterprise``, one row per enterprise, provider
and record type of each event, written by the indexer
(:func:`liaison.db.audit_log.index_pending`) up to ``audit_index_head.indexed_seq``.

``seq`` is both the chain position and time order: an append takes ``max(now, head time)``
so ``occurred_at`` never decreases along the chain, and every ``(x, seq)`` index below
answers "x, in this period" once the period is turned into a ``seq`` range.
No foreign keys point outside the audit tables: an event names departments, enterprises
and agreements as they were, and outlives them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from liaison.db.models import Base

GENESIS_HASH = "0" * 64


class AuditHead(Base):
    """The one row every append locks and moves: the chain's length, last hash and time."""

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))
    last_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # The first event in the compact form (its records as ``audit_disclosed`` keys); earlier
    # events were chained with their ``audit_record`` rows. Set once by migration 0004.
    compact_from: Mapped[int] = mapped_column(BigInteger)


class AuditIndexHead(Base):
    """How far the derived index (``audit_enterprise``) has been built: every event up to
    ``indexed_seq`` is expanded. The indexer locks and moves this row."""

    __tablename__ = "audit_index_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indexed_seq: Mapped[int] = mapped_column(BigInteger)


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (
        CheckConstraint("outcome IN ('ok', 'partial', 'denied', 'error')", name="outcome"),
        Index("ix_audit_event_occurred_at", "occurred_at"),
        Index("ix_audit_event_consumer_seq", "principal_department", "seq"),
        Index("ix_audit_event_purpose_seq", "purpose", "seq"),
        Index("ix_audit_event_case_seq", "case_reference", "seq"),
        Index("ix_audit_event_outcome_seq", "outcome", "seq"),
        Index("ix_audit_event_request_id", "request_id"),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    request_id: Mapped[str] = mapped_column(String(128))
    principal_subject: Mapped[str] = mapped_column(String(200))
    principal_department: Mapped[str] = mapped_column(String(32))
    principal_client: Mapped[str] = mapped_column(String(200))
    operation_type: Mapped[str] = mapped_column(String(16))
    operation_name: Mapped[str | None] = mapped_column(String(200))
    document_sha256: Mapped[str] = mapped_column(String(64))
    variables_sha256: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str | None] = mapped_column(String(64))
    case_reference: Mapped[str | None] = mapped_column(String(128))
    outcome: Mapped[str] = mapped_column(String(16))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditDisclosure(Base):
    """One (provider, record type, field) of an event: the level given and the agreement
    that gave it, or level ``none`` and the reason it was refused."""

    __tablename__ = "audit_disclosure"
    __table_args__ = (
        CheckConstraint("level IN ('full', 'masked', 'none')", name="level"),
        Index("ix_audit_disclosure_provider_seq", "provider", "event_seq"),
        Index("ix_audit_disclosure_field_seq", "record_type", "field", "event_seq"),
        Index("ix_audit_disclosure_agreement_seq", "agreement_code", "event_seq"),
    )

    event_seq: Mapped[int] = mapped_column(ForeignKey("audit_event.seq"), primary_key=True)
    ordinal: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider: Mapped[str] = mapped_column(String(32))
    record_type: Mapped[str] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(8))
    agreement_id: Mapped[int | None] = mapped_column(Integer)
    agreement_code: Mapped[str | None] = mapped_column(String(64))
    agreement_version: Mapped[int | None] = mapped_column(Integer)
    record_count: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(300))


class AuditDisclosed(Base):
    """The records of one provider and record type an event disclosed (or a mutation
    wrote): their ids, ascending, unique, comma-separated (``"7,12,40"``). Chained: the
    event's hash covers them. Written in the request path, one row per (provider, type)."""

    __tablename__ = "audit_disclosed"

    event_seq: Mapped[int] = mapped_column(ForeignKey("audit_event.seq"), primary_key=True)
    provider: Mapped[str] = mapped_column(String(32), primary_key=True)
    record_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    record_ids: Mapped[str] = mapped_column(Text)


class AuditRecord(Base):
    """One record an event before ``audit_head.compact_from`` disclosed (or a mutation
    wrote), with the enterprise it belongs to: part of those events' chained form. Later
    events' records are their ``audit_disclosed`` keys."""

    __tablename__ = "audit_record"
    __table_args__ = (
        Index("ix_audit_record_enterprise_seq", "enterprise_uscc", "event_seq"),
        Index("ix_audit_record_record", "record_type", "record_id", "event_seq"),
    )

    event_seq: Mapped[int] = mapped_column(ForeignKey("audit_event.seq"), primary_key=True)
    ordinal: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider: Mapped[str] = mapped_column(String(32))
    record_type: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[int] = mapped_column(BigInteger)
    enterprise_id: Mapped[int | None] = mapped_column(BigInteger)
    enterprise_uscc: Mapped[str | None] = mapped_column(String(18))


class AuditEnterprise(Base):
    """An enterprise whose records of one provider and type an event disclosed (or a
    mutation wrote): "who read enterprise X's data, in this period" is one range of the
    primary key, read index-only. Derived from the chain by the indexer; one row per
    enterprise, not per record, and one B-tree, since it is written for every read."""

    __tablename__ = "audit_enterprise"
    # By event, for the indexer's and the verifier's ranges (migration 0015): BRIN on
    # PostgreSQL, since rows arrive in event order; a B-tree on SQLite.
    __table_args__ = (
        Index(
            "ix_audit_enterprise_event",
            "event_seq",
            postgresql_using="brin",
            postgresql_with={"pages_per_range": 32, "autosummarize": "on"},
        ),
    )

    enterprise_uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    event_seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    provider: Mapped[str] = mapped_column(String(32), primary_key=True)
    record_type: Mapped[str] = mapped_column(String(64), primary_key=True)


class AuditCheckpoint(Base):
    """How far ``auditChain`` has verified the chain: events 1..``seq`` verified, the last
    one's hash and time, and when (migration 0014). Moved forward only; not chained."""

    __tablename__ = "audit_checkpoint"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    checked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
