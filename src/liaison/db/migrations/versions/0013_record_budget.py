"""record_budget: the per-principal record budget shared by every server process

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 18:00:00

Handwritten. One row per principal (department and subject): the tokens left and when they
were last refilled. Used on PostgreSQL, where several server processes share one database;
on SQLite (one process) the budget stays in memory and the table stays empty.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "record_budget",
        sa.Column("principal", sa.String(length=400), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("principal", name=op.f("pk_record_budget")),
    )


def downgrade() -> None:
    op.drop_table("record_budget")
