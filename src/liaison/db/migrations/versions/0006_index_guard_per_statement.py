"""audit_record's guard checks each INSERT statement once, not each row (PostgreSQL)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 12:00:00

Handwritten. The indexer inserts an event's records in one statement (a 1000-row page: 1000
rows); a row-level trigger reading the watermark for every row was a third of that
statement's cost. The statement-level trigger sees the inserted rows as a transition table
and refuses the whole statement if any of them belongs to an event the index already
covers: the same rule, and still a refusal before commit. The trigger keeps its name, so
``liaison audit reindex`` lifts and restores it as before. SQLite keeps its row trigger
(it has no statement-level triggers).
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER audit_record_indexed_only ON audit_record")
    op.execute(
        """
        CREATE FUNCTION audit_index_only_ahead_rows() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            covered bigint;
        BEGIN
            SELECT min(event_seq) INTO covered FROM inserted
            WHERE event_seq <= (SELECT indexed_seq FROM audit_index_head WHERE id = 1);
            IF covered IS NOT NULL THEN
                RAISE EXCEPTION 'audit rows are append-only: event % is already indexed',
                    covered USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER audit_record_indexed_only AFTER INSERT ON audit_record "
        "REFERENCING NEW TABLE AS inserted "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_index_only_ahead_rows()"
    )
    op.execute("DROP FUNCTION audit_index_only_ahead()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER audit_record_indexed_only ON audit_record")
    op.execute("DROP FUNCTION audit_index_only_ahead_rows()")
    op.execute(
        """
        CREATE FUNCTION audit_index_only_ahead() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.event_seq <= (SELECT indexed_seq FROM audit_index_head WHERE id = 1) THEN
                RAISE EXCEPTION 'audit rows are append-only: event % is already indexed',
                    NEW.event_seq USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER audit_record_indexed_only BEFORE INSERT ON audit_record "
        "FOR EACH ROW EXECUTE FUNCTION audit_index_only_ahead()"
    )
