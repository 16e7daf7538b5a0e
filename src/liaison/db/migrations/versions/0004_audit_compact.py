"""audit: disclosed record keys chained compactly, the per-record index derived

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 09:00:00

Handwritten. From this revision on an append writes, per (provider, record type), one
``audit_disclosed`` row holding the disclosed record ids (ascending, unique,
comma-separated), covered by the event's hash; it no longer looks up enterprises nor writes
one ``audit_record`` row per record in the request path. ``audit_record`` becomes the
derived index, expanded from ``audit_disclosed`` by the indexer up to
``audit_index_head.indexed_seq`` (rows of events before ``audit_head.compact_from`` stay
what 0002 wrote: chained, covered by their events' hashes, and already indexed).

Append-only stays enforced by the database: ``audit_disclosed`` refuses UPDATE and DELETE
(and TRUNCATE on PostgreSQL) like the other chained tables; ``audit_record`` keeps refusing
them, and now also refuses an INSERT for an event the index already covers (only the
indexer, moving the watermark past the rows it inserts, writes it); ``audit_index_head``
refuses DELETE and any move backwards. A rebuild of the index (``liaison audit reindex``)
lifts those guards inside its own transaction, as a migration would.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "audit_head",
        sa.Column("compact_from", sa.BigInteger(), nullable=False, server_default="1"),
    )
    op.execute("UPDATE audit_head SET compact_from = seq + 1")
    op.create_table(
        "audit_disclosed",
        sa.Column("event_seq", sa.BigInteger(), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("record_type", sa.String(length=64), nullable=False),
        sa.Column("record_ids", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_seq"],
            ["audit_event.seq"],
            name=op.f("fk_audit_disclosed_event_seq_audit_event"),
        ),
        sa.PrimaryKeyConstraint(
            "event_seq", "provider", "record_type", name=op.f("pk_audit_disclosed")
        ),
    )
    op.create_table(
        "audit_index_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indexed_seq", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_index_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_index_head")),
    )
    # Every event so far was indexed by its own append (0002).
    op.execute("INSERT INTO audit_index_head (id, indexed_seq) SELECT 1, seq FROM audit_head")
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_guards()
    else:
        _sqlite_guards()


def _postgresql_guards() -> None:
    # audit_reject_change() is 0002's: raises 'audit rows are append-only: ...'.
    op.execute(
        "CREATE TRIGGER audit_disclosed_append_only BEFORE UPDATE OR DELETE ON audit_disclosed "
        "FOR EACH ROW EXECUTE FUNCTION audit_reject_change()"
    )
    op.execute(
        "CREATE TRIGGER audit_disclosed_no_truncate BEFORE TRUNCATE ON audit_disclosed "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change()"
    )
    op.execute(
        """
        CREATE FUNCTION audit_index_only_ahead() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.event_seq <= (SELECT indexed_seq FROM audit_index_head WHERE id = 1) THEN
                RAISE EXCEPTION 'audit rows are append-only: event % is already indexed',
                    NEW.event_seq USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER audit_record_indexed_only BEFORE INSERT ON audit_record "
        "FOR EACH ROW EXECUTE FUNCTION audit_index_only_ahead()"
    )
    op.execute(
        """
        CREATE FUNCTION audit_index_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND NEW.indexed_seq >= OLD.indexed_seq THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION 'audit rows are append-only: % on % refused', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER audit_index_head_forward_only BEFORE UPDATE OR DELETE "
        "ON audit_index_head FOR EACH ROW EXECUTE FUNCTION audit_index_head_guard()"
    )
    op.execute(
        "CREATE TRIGGER audit_index_head_no_truncate BEFORE TRUNCATE ON audit_index_head "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change()"
    )


def _sqlite_guards() -> None:
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_disclosed_no_{action.lower()} BEFORE {action} "
            "ON audit_disclosed BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: "
            f"{action} on audit_disclosed refused'); END"
        )
    op.execute(
        "CREATE TRIGGER audit_record_indexed_only BEFORE INSERT ON audit_record "
        "WHEN NEW.event_seq <= (SELECT indexed_seq FROM audit_index_head WHERE id = 1) "
        "BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: event already indexed'); END"
    )
    op.execute(
        "CREATE TRIGGER audit_index_head_forward_only BEFORE UPDATE ON audit_index_head "
        "WHEN NEW.indexed_seq < OLD.indexed_seq "
        "BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: UPDATE on audit_index_head "
        "refused'); END"
    )
    op.execute(
        "CREATE TRIGGER audit_index_head_kept BEFORE DELETE ON audit_index_head "
        "BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: DELETE on audit_index_head "
        "refused'); END"
    )


def downgrade() -> None:
    """Only before any compact event was written: 0002's form cannot express them."""
    bind = op.get_bind()
    written = bind.execute(sa.text("SELECT count(*) FROM audit_disclosed")).scalar()
    if written:
        raise RuntimeError(
            "audit events in the compact form exist; downgrading below 0004 would break the "
            "chain. Export the audit trail and keep this revision."
        )
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_record_indexed_only ON audit_record")
        op.execute("DROP FUNCTION IF EXISTS audit_index_only_ahead()")
        op.execute("DROP TRIGGER IF EXISTS audit_index_head_forward_only ON audit_index_head")
        op.execute("DROP TRIGGER IF EXISTS audit_index_head_no_truncate ON audit_index_head")
        op.execute("DROP FUNCTION IF EXISTS audit_index_head_guard()")
        op.execute("DROP TRIGGER IF EXISTS audit_disclosed_append_only ON audit_disclosed")
        op.execute("DROP TRIGGER IF EXISTS audit_disclosed_no_truncate ON audit_disclosed")
    else:
        for name in (
            "audit_record_indexed_only",
            "audit_index_head_forward_only",
            "audit_index_head_kept",
            "audit_disclosed_no_update",
            "audit_disclosed_no_delete",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("audit_index_head")
    op.drop_table("audit_disclosed")
    # Natively (SQLite >= 3.35): a batch copy of the table would lose its trigger.
    op.execute("ALTER TABLE audit_head DROP COLUMN compact_from")
