"""audit trail of cross-department access

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 09:00:00

Handwritten. The audit tables hold no foreign keys to departments, enterprises or
agreements: an audit event must outlive (and never block the deletion of) what it names,
so it names things by code, USCC and id as they were when the event was written.

Append-only is enforced by the database itself: UPDATE and DELETE (and, on PostgreSQL,
TRUNCATE) of audit rows raise, whoever issues them. ``audit_head`` may only be updated,
one row, by the append that moves it.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64
# The chain starts before any event can: every real event's time is later.
GENESIS_AT = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
APPEND_ONLY = ("audit_event", "audit_disclosure", "audit_record")


def upgrade() -> None:
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "audit_event",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_id", sa.String(length=128), nullable=False),
        sa.Column("principal_subject", sa.String(length=200), nullable=False),
        sa.Column("principal_department", sa.String(length=32), nullable=False),
        sa.Column("principal_client", sa.String(length=200), nullable=False),
        sa.Column("operation_type", sa.String(length=16), nullable=False),
        sa.Column("operation_name", sa.String(length=200), nullable=True),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("variables_sha256", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=True),
        sa.Column("case_reference", sa.String(length=128), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('ok', 'partial', 'denied', 'error')",
            name=op.f("ck_audit_event_outcome"),
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_event")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_event_hash")),
    )
    op.create_index("ix_audit_event_occurred_at", "audit_event", ["occurred_at"])
    op.create_index("ix_audit_event_consumer_seq", "audit_event", ["principal_department", "seq"])
    op.create_index("ix_audit_event_purpose_seq", "audit_event", ["purpose", "seq"])
    op.create_index("ix_audit_event_case_seq", "audit_event", ["case_reference", "seq"])
    op.create_index("ix_audit_event_outcome_seq", "audit_event", ["outcome", "seq"])
    op.create_index("ix_audit_event_request_id", "audit_event", ["request_id"])

    op.create_table(
        "audit_disclosure",
        sa.Column("event_seq", sa.BigInteger(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("record_type", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=True),
        sa.Column("agreement_code", sa.String(length=64), nullable=True),
        sa.Column("agreement_version", sa.Integer(), nullable=True),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.CheckConstraint(
            "level IN ('full', 'masked', 'none')",
            name=op.f("ck_audit_disclosure_level"),
        ),
        sa.ForeignKeyConstraint(
            ["event_seq"],
            ["audit_event.seq"],
            name=op.f("fk_audit_disclosure_event_seq_audit_event"),
        ),
        sa.PrimaryKeyConstraint("event_seq", "ordinal", name=op.f("pk_audit_disclosure")),
    )
    op.create_index(
        "ix_audit_disclosure_provider_seq", "audit_disclosure", ["provider", "event_seq"]
    )
    op.create_index(
        "ix_audit_disclosure_field_seq",
        "audit_disclosure",
        ["record_type", "field", "event_seq"],
    )
    op.create_index(
        "ix_audit_disclosure_agreement_seq",
        "audit_disclosure",
        ["agreement_code", "event_seq"],
    )

    op.create_table(
        "audit_record",
        sa.Column("event_seq", sa.BigInteger(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("record_type", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("enterprise_id", sa.BigInteger(), nullable=True),
        sa.Column("enterprise_uscc", sa.String(length=18), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_seq"],
            ["audit_event.seq"],
            name=op.f("fk_audit_record_event_seq_audit_event"),
        ),
        sa.PrimaryKeyConstraint("event_seq", "ordinal", name=op.f("pk_audit_record")),
    )
    op.create_index(
        "ix_audit_record_enterprise_seq", "audit_record", ["enterprise_uscc", "event_seq"]
    )
    op.create_index(
        "ix_audit_record_record", "audit_record", ["record_type", "record_id", "event_seq"]
    )

    op.bulk_insert(
        sa.table(
            "audit_head",
            sa.column("id", sa.Integer()),
            sa.column("seq", sa.BigInteger()),
            sa.column("last_hash", sa.String()),
            sa.column("last_at", sa.DateTime(timezone=True)),
        ),
        [{"id": 1, "seq": 0, "last_hash": GENESIS_HASH, "last_at": GENESIS_AT}],
    )

    if op.get_bind().dialect.name == "postgresql":
        _postgresql_append_only()
    else:
        _sqlite_append_only()


def _postgresql_append_only() -> None:
    op.execute(
        """
        CREATE FUNCTION audit_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit rows are append-only: % on % refused', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END
        $$
        """
    )
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION audit_reject_change()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change()"
        )
    op.execute(
        "CREATE TRIGGER audit_head_kept BEFORE DELETE ON audit_head "
        "FOR EACH ROW EXECUTE FUNCTION audit_reject_change()"
    )
    op.execute(
        "CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change()"
    )


def _sqlite_append_only() -> None:
    for table in APPEND_ONLY:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: {action} on {table} "
                "refused'); END"
            )
    op.execute(
        "CREATE TRIGGER audit_head_kept BEFORE DELETE ON audit_head "
        "BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: DELETE on audit_head "
        "refused'); END"
    )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for table in (*APPEND_ONLY, "audit_head"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP TRIGGER IF EXISTS audit_head_kept ON audit_head")
        op.execute("DROP FUNCTION IF EXISTS audit_reject_change()")
    else:
        for table in APPEND_ONLY:
            for action in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
        op.execute("DROP TRIGGER IF EXISTS audit_head_kept")
    op.drop_table("audit_record")
    op.drop_table("audit_disclosure")
    op.drop_table("audit_event")
    op.drop_table("audit_head")
