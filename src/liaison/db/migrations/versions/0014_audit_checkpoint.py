"""audit_checkpoint: how far the audit chain has been verified, for ``auditChain``

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 15:00:00

Handwritten. One row: the last event verified (its seq, hash and time) and when. The
``auditChain`` query verifies the events after it and moves it forward, so a long chain is
not walked again on every request; ``liaison audit verify`` still walks it all. Not part of
the chain: it vouches for nothing by itself (see ``liaison.db.audit_checkpoint``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_checkpoint_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoint")),
    )
    op.execute("INSERT INTO audit_checkpoint (id, seq, hash) VALUES (1, 0, '" + "0" * 64 + "')")


def downgrade() -> None:
    op.drop_table("audit_checkpoint")
