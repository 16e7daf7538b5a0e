"""ledger: grades and certificates written, alterations of registered details, departments
placed in the administrative hierarchy

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 01:40:00

Handwritten, for SQLite and PostgreSQL alike. New columns are nullable (rows written before
have none of them), so plain ``ADD COLUMN`` serves both databases. An alteration keeps one
old/new pair per alterable detail, NULL where that detail did not change. A department's
place (level, parent) is a table of its own: adding a foreign key to ``department`` itself
would make SQLite rebuild the table every other table refers to.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_DETAILS = (
    ("name", sa.String(length=200)),
    ("address", sa.String(length=300)),
    ("legal_representative", sa.String(length=100)),
    ("business_scope", sa.Text()),
)


def upgrade() -> None:
    op.add_column("enterprise", sa.Column("business_scope", sa.Text(), nullable=True))
    op.add_column(
        "safety_grade",
        sa.Column("self_assessment_score", sa.Numeric(precision=6, scale=2), nullable=True),
    )
    op.add_column("safety_grade", sa.Column("self_assessed_on", sa.Date(), nullable=True))
    op.add_column("standardization_certificate", sa.Column("revoked_on", sa.Date(), nullable=True))
    op.add_column(
        "standardization_certificate",
        sa.Column("revocation_reason", sa.Text(), nullable=True),
    )
    op.create_table(
        "enterprise_alteration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("altered_on", sa.Date(), nullable=False),
        sa.Column("basis", sa.String(length=300), nullable=False),
        *(
            sa.Column(f"{edge}_{detail}", kind, nullable=True)
            for detail, kind in _DETAILS
            for edge in ("old", "new")
        ),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("owner_department_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_enterprise_alteration_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_department_id"],
            ["department.id"],
            name=op.f("fk_enterprise_alteration_owner_department_id_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_alteration")),
    )
    op.create_index(
        "ix_enterprise_alteration_enterprise",
        "enterprise_alteration",
        ["enterprise_id", "altered_on", "id"],
    )
    op.create_index(
        op.f("ix_enterprise_alteration_owner_department_id"),
        "enterprise_alteration",
        ["owner_department_id"],
    )
    op.create_table(
        "department_place",
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "level IN ('province', 'city', 'district', 'town', 'park')",
            name=op.f("ck_department_place_level"),
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_department_place_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["department.id"],
            name=op.f("fk_department_place_parent_id_department"),
        ),
        sa.PrimaryKeyConstraint("department_id", name=op.f("pk_department_place")),
    )


def downgrade() -> None:
    op.drop_table("department_place")
    op.drop_index(
        op.f("ix_enterprise_alteration_owner_department_id"), table_name="enterprise_alteration"
    )
    op.drop_index("ix_enterprise_alteration_enterprise", table_name="enterprise_alteration")
    op.drop_table("enterprise_alteration")
    with op.batch_alter_table("standardization_certificate") as batch:
        batch.drop_column("revocation_reason")
        batch.drop_column("revoked_on")
    with op.batch_alter_table("safety_grade") as batch:
        batch.drop_column("self_assessed_on")
        batch.drop_column("self_assessment_score")
    with op.batch_alter_table("enterprise") as batch:
        batch.drop_column("business_scope")
