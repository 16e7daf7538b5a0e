"""audit: the derived index is one row per (enterprise, event, provider, record type)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 16:00:00

Handwritten. The auditors' question the index exists for is "who read enterprise X's data
(this month)". It was answered from ``audit_record``: one row per disclosed record with
three B-trees and a foreign key each, so a 1000-row page cost 1000 rows of index upkeep —
most of the database's work for such a request. ``audit_enterprise`` answers the same
question with one row per enterprise (and provider and record type) of an event, in one
B-tree that is the table's primary key and covers the question (index-only). Which records
an event disclosed is read from the chained ``audit_disclosed`` keys themselves.

From this revision on ``audit_record`` holds only what it is part of the chain for: the
rows of events before ``audit_head.compact_from`` (0002's form). Its derived rows (of
compact events) are dropped here, after ``audit_enterprise`` has been filled from them (and
from the legacy rows, whose enterprises are chained). ``audit_enterprise`` is guarded like
the index it replaces: no UPDATE or DELETE (nor TRUNCATE on PostgreSQL), and no INSERT for
an event the index already covers; ``liaison audit reindex`` lifts the guards in its own
transaction only. No foreign key to ``audit_event``: the guards already keep every row's
event, and the key's check per row is the cost this revision removes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_FILL = (
    "INSERT INTO audit_enterprise (enterprise_uscc, event_seq, provider, record_type) "
    "SELECT DISTINCT enterprise_uscc, event_seq, provider, record_type FROM audit_record "
    "WHERE enterprise_uscc IS NOT NULL"
)
_DROP_DERIVED = (
    "DELETE FROM audit_record WHERE event_seq >= (SELECT compact_from FROM audit_head WHERE id = 1)"
)


def upgrade() -> None:
    op.create_table(
        "audit_enterprise",
        sa.Column("enterprise_uscc", sa.String(length=18), nullable=False),
        sa.Column("event_seq", sa.BigInteger(), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("record_type", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint(
            "enterprise_uscc",
            "event_seq",
            "provider",
            "record_type",
            name=op.f("pk_audit_enterprise"),
        ),
    )
    op.execute(_FILL)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE audit_record DISABLE TRIGGER audit_record_append_only")
        op.execute(_DROP_DERIVED)
        op.execute("ALTER TABLE audit_record ENABLE TRIGGER audit_record_append_only")
        _postgresql_guards()
    else:
        op.execute("DROP TRIGGER audit_record_no_delete")
        op.execute(_DROP_DERIVED)
        op.execute(
            "CREATE TRIGGER audit_record_no_delete BEFORE DELETE ON audit_record "
            "BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: DELETE on audit_record "
            "refused'); END"
        )
        _sqlite_guards()


def _postgresql_guards() -> None:
    # audit_reject_change() is 0002's; audit_index_only_ahead_rows() is 0006's.
    op.execute(
        "CREATE TRIGGER audit_enterprise_append_only BEFORE UPDATE OR DELETE ON audit_enterprise "
        "FOR EACH ROW EXECUTE FUNCTION audit_reject_change()"
    )
    op.execute(
        "CREATE TRIGGER audit_enterprise_no_truncate BEFORE TRUNCATE ON audit_enterprise "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change()"
    )
    op.execute(
        "CREATE TRIGGER audit_enterprise_indexed_only AFTER INSERT ON audit_enterprise "
        "REFERENCING NEW TABLE AS inserted "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_index_only_ahead_rows()"
    )


def _sqlite_guards() -> None:
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_enterprise_no_{action.lower()} BEFORE {action} "
            "ON audit_enterprise BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: "
            f"{action} on audit_enterprise refused'); END"
        )
    op.execute(
        "CREATE TRIGGER audit_enterprise_indexed_only BEFORE INSERT ON audit_enterprise "
        "WHEN NEW.event_seq <= (SELECT indexed_seq FROM audit_index_head WHERE id = 1) "
        "BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: event already indexed'); END"
    )


def downgrade() -> None:
    """The per-record rows of compact events are derived: the watermark goes back to the
    first compact event, and the older revision's indexer writes them again."""
    rewind = (
        "UPDATE audit_index_head SET indexed_seq = "
        "(SELECT compact_from - 1 FROM audit_head WHERE id = 1)"
    )
    if op.get_bind().dialect.name == "postgresql":
        for trigger in ("append_only", "no_truncate", "indexed_only"):
            op.execute(f"DROP TRIGGER IF EXISTS audit_enterprise_{trigger} ON audit_enterprise")
        op.execute("ALTER TABLE audit_index_head DISABLE TRIGGER audit_index_head_forward_only")
        op.execute(rewind)
        op.execute("ALTER TABLE audit_index_head ENABLE TRIGGER audit_index_head_forward_only")
    else:
        for trigger in ("no_update", "no_delete", "indexed_only"):
            op.execute(f"DROP TRIGGER IF EXISTS audit_enterprise_{trigger}")
        op.execute("DROP TRIGGER audit_index_head_forward_only")
        op.execute(rewind)
        op.execute(
            "CREATE TRIGGER audit_index_head_forward_only BEFORE UPDATE ON audit_index_head "
            "WHEN NEW.indexed_seq < OLD.indexed_seq "
            "BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: UPDATE on audit_index_head "
            "refused'); END"
        )
    op.drop_table("audit_enterprise")
