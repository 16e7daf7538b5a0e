"""audit_enterprise: an index by event, for the indexer's and the verifier's range reads

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 01:45:00

Handwritten. ``audit_enterprise``'s primary key leads with the enterprise, for the auditors'
question. The indexer (before each step: no rows beyond its watermark) and ``liaison audit
verify`` (the stored rows of each range of events) read it by event, and without an index
on the event each of those reads scanned the whole table: a cost per indexer step that grew
with the audit trail (measured by issue 16's bench: the database's CPU per request tripled
between its first and second round). The rows arrive in event order, so on PostgreSQL a
BRIN index answers a range of events from a few block ranges at the table's end and costs
next to nothing per insert (a B-tree here would be a second tree per disclosed enterprise,
the cost revision 0012 removed); ``autosummarize`` keeps the filled ranges summarised. On
SQLite, which has no BRIN, it is a B-tree.
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_audit_enterprise_event",
        "audit_enterprise",
        ["event_seq"],
        postgresql_using="brin",
        postgresql_with={"pages_per_range": 32, "autosummarize": "on"},
    )


def downgrade() -> None:
    op.drop_index("ix_audit_enterprise_event", table_name="audit_enterprise")
