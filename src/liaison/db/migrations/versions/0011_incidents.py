"""incidents: coordinated emergency response (incidents, the chemicals involved, the
departments routed and their teams, the emergency roster), grants that apply only during an
incident, and rectification campaigns

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 09:00:00

Handwritten, for SQLite and PostgreSQL alike. ``grant.during`` is NULL for every existing
(standing) grant.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_GRADES = "'general', 'larger', 'major', 'particularly_serious'"


def _owned(table: str) -> list[Any]:
    return [
        sa.Column("owner_department_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_department_id"],
            ["department.id"],
            name=op.f(f"fk_{table}_owner_department_id_department"),
        ),
    ]


def _of_incident(table: str) -> list[Any]:
    return [
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f(f"fk_{table}_incident_id_incident")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprise.id"], name=op.f(f"fk_{table}_enterprise_id_enterprise")
        ),
    ]


def upgrade() -> None:
    with op.batch_alter_table("grant") as batch:
        batch.add_column(sa.Column("during", sa.String(length=16), nullable=True))
        batch.create_check_constraint(
            op.f("ck_grant_during"), "during IS NULL OR during = 'incident'"
        )

    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), nullable=False),
        *_owned("incident"),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("deaths", sa.Integer(), nullable=False),
        sa.Column("serious_injuries", sa.Integer(), nullable=False),
        sa.Column("evacuated", sa.Integer(), nullable=False),
        sa.Column("direct_loss", sa.Numeric(16, 2), nullable=False),
        sa.Column("grade", sa.String(length=32), nullable=False),
        sa.Column("grade_rule", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(f"grade IN ({_GRADES})", name=op.f("ck_incident_grade")),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_incident_status")),
        sa.CheckConstraint(
            "deaths >= 0 AND serious_injuries >= 0 AND evacuated >= 0 AND direct_loss >= 0",
            name=op.f("ck_incident_figures"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprise.id"], name=op.f("fk_incident_enterprise_id_enterprise")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident")),
        sa.UniqueConstraint("reference", name=op.f("uq_incident_reference")),
    )
    op.create_index("ix_incident_owner_department_id", "incident", ["owner_department_id"])
    op.create_index("ix_incident_enterprise", "incident", ["enterprise_id", "id"])
    op.create_index("ix_incident_status", "incident", ["status", "id"])

    op.create_table(
        "incident_chemical",
        sa.Column("id", sa.Integer(), nullable=False),
        *_owned("incident_chemical"),
        *_of_incident("incident_chemical"),
        sa.Column("chemical_name", sa.String(length=200), nullable=False),
        sa.Column("cas_number", sa.String(length=12), nullable=False),
        sa.Column("un_number", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_chemical")),
    )
    op.create_index(
        "ix_incident_chemical_owner_department_id", "incident_chemical", ["owner_department_id"]
    )
    op.create_index("ix_incident_chemical_incident", "incident_chemical", ["incident_id", "id"])
    op.create_index("ix_incident_chemical_enterprise_id", "incident_chemical", ["enterprise_id"])

    op.create_table(
        "incident_response",
        sa.Column("id", sa.Integer(), nullable=False),
        *_owned("incident_response"),
        *_of_incident("incident_response"),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("routed_for", sa.String(length=32), nullable=False),
        sa.Column("routed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_incident_response_department_id_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_response")),
        sa.UniqueConstraint(
            "incident_id", "department_id", name=op.f("uq_incident_response_incident_id")
        ),
    )
    op.create_index(
        "ix_incident_response_owner_department_id", "incident_response", ["owner_department_id"]
    )
    op.create_index(
        "ix_incident_response_department", "incident_response", ["department_id", "incident_id"]
    )
    op.create_index("ix_incident_response_enterprise_id", "incident_response", ["enterprise_id"])

    op.create_table(
        "incident_team_member",
        sa.Column("id", sa.Integer(), nullable=False),
        *_owned("incident_team_member"),
        *_of_incident("incident_team_member"),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_team_member")),
    )
    op.create_index(
        "ix_incident_team_member_owner_department_id",
        "incident_team_member",
        ["owner_department_id"],
    )
    op.create_index(
        "ix_incident_team_member_incident", "incident_team_member", ["incident_id", "id"]
    )
    op.create_index(
        "ix_incident_team_member_enterprise_id", "incident_team_member", ["enterprise_id"]
    )

    op.create_table(
        "emergency_roster_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=True),
        sa.Column("minimum_grade", sa.String(length=32), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            f"minimum_grade IN ({_GRADES})", name=op.f("ck_emergency_roster_entry_minimum_grade")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_emergency_roster_entry_department_id_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emergency_roster_entry")),
        sa.UniqueConstraint(
            "zone",
            "minimum_grade",
            "department_id",
            name=op.f("uq_emergency_roster_entry_zone"),
        ),
    )
    op.create_index(
        "ix_emergency_roster_entry_department_id", "emergency_roster_entry", ["department_id"]
    )

    op.create_table(
        "rectification_campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        *_owned("rectification_campaign"),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.CheckConstraint("ends_on >= started_on", name=op.f("ck_rectification_campaign_window")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification_campaign")),
    )
    op.create_index(
        "ix_rectification_campaign_owner_department_id",
        "rectification_campaign",
        ["owner_department_id"],
    )
    op.create_index("ix_rectification_campaign_zone", "rectification_campaign", ["zone", "id"])

    op.create_table(
        "rectification_item",
        sa.Column("id", sa.Integer(), nullable=False),
        *_owned("rectification_item"),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=16), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("lead_department_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("lifecycle_event_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "measure IN ('rectification', 'relocation', 'merger', 'shutdown')",
            name=op.f("ck_rectification_item_measure"),
        ),
        sa.CheckConstraint(
            "status IN ('listed', 'in_progress', 'completed')",
            name=op.f("ck_rectification_item_status"),
        ),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('rectified', 'relocated', 'merged', 'cancelled')",
            name=op.f("ck_rectification_item_outcome"),
        ),
        sa.CheckConstraint(
            "(status = 'completed') = (outcome IS NOT NULL AND completed_on IS NOT NULL)",
            name=op.f("ck_rectification_item_completion"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["rectification_campaign.id"],
            name=op.f("fk_rectification_item_campaign_id_rectification_campaign"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_rectification_item_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["lead_department_id"],
            ["department.id"],
            name=op.f("fk_rectification_item_lead_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["lifecycle_event_id"],
            ["lifecycle_event.id"],
            name=op.f("fk_rectification_item_lifecycle_event_id_lifecycle_event"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification_item")),
    )
    op.create_index(
        "ix_rectification_item_owner_department_id",
        "rectification_item",
        ["owner_department_id"],
    )
    op.create_index(
        "ix_rectification_item_lead_department_id", "rectification_item", ["lead_department_id"]
    )
    op.create_index("ix_rectification_item_campaign", "rectification_item", ["campaign_id", "id"])
    op.create_index(
        "ix_rectification_item_enterprise", "rectification_item", ["enterprise_id", "id"]
    )
    op.create_index(
        "ix_rectification_item_status_deadline", "rectification_item", ["status", "deadline"]
    )


def downgrade() -> None:
    op.drop_table("rectification_item")
    op.drop_table("rectification_campaign")
    op.drop_table("emergency_roster_entry")
    op.drop_table("incident_team_member")
    op.drop_table("incident_response")
    op.drop_table("incident_chemical")
    op.drop_table("incident")
    with op.batch_alter_table("grant") as batch:
        batch.drop_constraint(op.f("ck_grant_during"), type_="check")
        batch.drop_column("during")
