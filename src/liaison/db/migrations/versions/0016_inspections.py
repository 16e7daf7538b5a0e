"""joint inspections: plans with their participants, checklist items, targets and
reproducible draws, one visit per enterprise per plan with each item's result (a
non-compliant one linked to the risk it opened), and the per-department inspector rosters

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 01:40:00

Handwritten (from the models' metadata), for SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# Children first, for the way down.
_TABLES = (
    "joint_inspection_result",
    "joint_inspection_visit",
    "joint_inspection_target",
    "joint_inspection_draw",
    "joint_inspection_item",
    "joint_inspection_participant",
    "joint_inspection_plan",
    "inspector",
)


def upgrade() -> None:
    op.create_table(
        "inspector",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("badge", sa.String(length=32), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_inspector_department_id_department")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspector")),
        sa.UniqueConstraint("department_id", "badge", name=op.f("uq_inspector_department_id")),
    )
    op.create_index(
        op.f("ix_inspector_department_id"), "inspector", ["department_id"], unique=False
    )
    op.create_table(
        "joint_inspection_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("window_from", sa.Date(), nullable=False),
        sa.Column("window_until", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("proposed_on", sa.Date(), nullable=False),
        sa.Column("owner_department_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('proposed', 'active', 'declined')",
            name=op.f("ck_joint_inspection_plan_status"),
        ),
        sa.CheckConstraint(
            "window_until >= window_from", name=op.f("ck_joint_inspection_plan_window")
        ),
        sa.ForeignKeyConstraint(
            ["owner_department_id"],
            ["department.id"],
            name=op.f("fk_joint_inspection_plan_owner_department_id_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_joint_inspection_plan")),
    )
    op.create_index(
        op.f("ix_joint_inspection_plan_owner_department_id"),
        "joint_inspection_plan",
        ["owner_department_id"],
        unique=False,
    )
    op.create_table(
        "joint_inspection_draw",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("pool_size", sa.Integer(), nullable=False),
        sa.Column("drawn_count", sa.Integer(), nullable=False),
        sa.Column("pool", sa.JSON(), nullable=False),
        sa.Column("drawn", sa.JSON(), nullable=False),
        sa.Column("drawn_on", sa.Date(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("owner_department_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('targets', 'inspectors')", name=op.f("ck_joint_inspection_draw_kind")
        ),
        sa.CheckConstraint(
            "drawn_count >= 0 AND drawn_count <= pool_size",
            name=op.f("ck_joint_inspection_draw_counts"),
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_joint_inspection_draw_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_department_id"],
            ["department.id"],
            name=op.f("fk_joint_inspection_draw_owner_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["joint_inspection_plan.id"],
            name=op.f("fk_joint_inspection_draw_plan_id_joint_inspection_plan"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_joint_inspection_draw")),
    )
    op.create_index(
        op.f("ix_joint_inspection_draw_owner_department_id"),
        "joint_inspection_draw",
        ["owner_department_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_joint_inspection_draw_plan_id"), "joint_inspection_draw", ["plan_id"], unique=False
    )
    op.create_table(
        "joint_inspection_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("aspect", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("legal_reference", sa.String(length=300), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("owner_department_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_joint_inspection_item_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_department_id"],
            ["department.id"],
            name=op.f("fk_joint_inspection_item_owner_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["joint_inspection_plan.id"],
            name=op.f("fk_joint_inspection_item_plan_id_joint_inspection_plan"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_joint_inspection_item")),
        sa.UniqueConstraint("plan_id", "code", name=op.f("uq_joint_inspection_item_plan_id")),
    )
    op.create_index(
        op.f("ix_joint_inspection_item_owner_department_id"),
        "joint_inspection_item",
        ["owner_department_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_joint_inspection_item_plan_id"), "joint_inspection_item", ["plan_id"], unique=False
    )
    op.create_table(
        "joint_inspection_participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("response", sa.String(length=16), nullable=False),
        sa.Column("responded_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("owner_department_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "response IN ('pending', 'accepted', 'declined')",
            name=op.f("ck_joint_inspection_participant_response"),
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_joint_inspection_participant_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_department_id"],
            ["department.id"],
            name=op.f("fk_joint_inspection_participant_owner_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["joint_inspection_plan.id"],
            name=op.f("fk_joint_inspection_participant_plan_id_joint_inspection_plan"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_joint_inspection_participant")),
        sa.UniqueConstraint(
            "plan_id", "department_id", name=op.f("uq_joint_inspection_participant_plan_id")
        ),
    )
    op.create_index(
        "ix_joint_inspection_participant_department",
        "joint_inspection_participant",
        ["department_id", "plan_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_joint_inspection_participant_owner_department_id"),
        "joint_inspection_participant",
        ["owner_department_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_joint_inspection_participant_plan_id"),
        "joint_inspection_participant",
        ["plan_id"],
        unique=False,
    )
    op.create_table(
        "joint_inspection_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("departments", sa.JSON(), nullable=False),
        sa.Column("inspectors", sa.JSON(), nullable=False),
        sa.Column("departments_present", sa.Integer(), nullable=False),
        sa.Column("reception_hours", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("owner_department_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "departments_present >= 1", name=op.f("ck_joint_inspection_visit_present")
        ),
        sa.CheckConstraint("reception_hours >= 0", name=op.f("ck_joint_inspection_visit_hours")),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_joint_inspection_visit_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_department_id"],
            ["department.id"],
            name=op.f("fk_joint_inspection_visit_owner_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["joint_inspection_plan.id"],
            name=op.f("fk_joint_inspection_visit_plan_id_joint_inspection_plan"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_joint_inspection_visit")),
        sa.UniqueConstraint(
            "plan_id", "enterprise_id", name=op.f("uq_joint_inspection_visit_plan_id")
        ),
    )
    op.create_index(
        "ix_joint_inspection_visit_enterprise",
        "joint_inspection_visit",
        ["enterprise_id", "id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_joint_inspection_visit_owner_department_id"),
        "joint_inspection_visit",
        ["owner_department_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_joint_inspection_visit_plan_id"),
        "joint_inspection_visit",
        ["plan_id"],
        unique=False,
    )
    op.create_table(
        "joint_inspection_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("risk_id", sa.Integer(), nullable=True),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("owner_department_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(outcome = 'non_compliant') = (risk_id IS NOT NULL)",
            name=op.f("ck_joint_inspection_result_finding"),
        ),
        sa.CheckConstraint(
            "outcome IN ('compliant', 'non_compliant', 'not_applicable')",
            name=op.f("ck_joint_inspection_result_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_joint_inspection_result_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["joint_inspection_item.id"],
            name=op.f("fk_joint_inspection_result_item_id_joint_inspection_item"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_department_id"],
            ["department.id"],
            name=op.f("fk_joint_inspection_result_owner_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["joint_inspection_plan.id"],
            name=op.f("fk_joint_inspection_result_plan_id_joint_inspection_plan"),
        ),
        sa.ForeignKeyConstraint(
            ["risk_id"], ["risk.id"], name=op.f("fk_joint_inspection_result_risk_id_risk")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["joint_inspection_visit.id"],
            name=op.f("fk_joint_inspection_result_visit_id_joint_inspection_visit"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_joint_inspection_result")),
        sa.UniqueConstraint(
            "visit_id", "item_id", name=op.f("uq_joint_inspection_result_visit_id")
        ),
    )
    op.create_index(
        op.f("ix_joint_inspection_result_owner_department_id"),
        "joint_inspection_result",
        ["owner_department_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_joint_inspection_result_plan_id"),
        "joint_inspection_result",
        ["plan_id"],
        unique=False,
    )
    op.create_index(
        "ix_joint_inspection_result_risk", "joint_inspection_result", ["risk_id"], unique=False
    )
    op.create_index(
        "ix_joint_inspection_result_visit",
        "joint_inspection_result",
        ["visit_id", "id"],
        unique=False,
    )
    op.create_table(
        "joint_inspection_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("draw_id", sa.Integer(), nullable=True),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("owner_department_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["draw_id"],
            ["joint_inspection_draw.id"],
            name=op.f("fk_joint_inspection_target_draw_id_joint_inspection_draw"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_joint_inspection_target_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_department_id"],
            ["department.id"],
            name=op.f("fk_joint_inspection_target_owner_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["joint_inspection_plan.id"],
            name=op.f("fk_joint_inspection_target_plan_id_joint_inspection_plan"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_joint_inspection_target")),
        sa.UniqueConstraint(
            "plan_id", "enterprise_id", name=op.f("uq_joint_inspection_target_plan_id")
        ),
    )
    op.create_index(
        "ix_joint_inspection_target_enterprise",
        "joint_inspection_target",
        ["enterprise_id", "id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_joint_inspection_target_owner_department_id"),
        "joint_inspection_target",
        ["owner_department_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_joint_inspection_target_plan_id"),
        "joint_inspection_target",
        ["plan_id"],
        unique=False,
    )


def downgrade() -> None:
    for table in _TABLES:
        op.drop_table(table)
