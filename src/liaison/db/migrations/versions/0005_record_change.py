"""record_change: the feed of created and changed records that subscriptions read

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 09:00:00

Handwritten. Rows only ever get appended (by mutations, in their own transaction); readers
poll by ``seq``, the primary key.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "record_change",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("record_type", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_record_change")),
    )


def downgrade() -> None:
    op.drop_table("record_change")
