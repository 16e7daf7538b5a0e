"""certificates: certificates with a lifecycle and their events, the joint discipline list
of discredited enterprises, its measures, and each department's standing measures

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 01:45:00

Handwritten, for SQLite and PostgreSQL alike. Enumerations are check constraints. A partial
unique index keeps one open stay on the list per enterprise.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def _owned(table: str) -> list[Any]:
    return [
        sa.Column("owner_department_id", sa.Integer(), nullable=False),
        _fk(table, "owner_department_id", "department"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


KINDS = (
    "safety_production_licence",
    "dangerous_chemical_operation_licence",
    "environmental_management_system",
    "quality_management_system",
)
STATES = ("valid", "suspended", "revoked")
EVENT_KINDS = ("issued", "supervision_audit", "suspended", "resumed", "revoked")
REASONS = (
    "routine",
    "safety_violation",
    "environmental_violation",
    "quality_violation",
    "false_information",
    "holder_request",
    "rectified",
)
MEASURES = (
    "no_facilitation",
    "higher_inspection_frequency",
    "no_aeo_recognition",
    "restricted_licensing",
)


def upgrade() -> None:
    op.create_table(
        "certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("issuing_body", sa.String(length=200), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        *_owned("certificate"),
        _fk("certificate", "enterprise_id", "enterprise"),
        sa.CheckConstraint(_in("kind", KINDS), name=op.f("ck_certificate_kind")),
        sa.CheckConstraint(_in("state", STATES), name=op.f("ck_certificate_state")),
        sa.CheckConstraint("valid_until > valid_from", name=op.f("ck_certificate_validity")),
        sa.UniqueConstraint(
            "owner_department_id",
            "kind",
            "number",
            name=op.f("uq_certificate_owner_department_id"),
        ),
    )
    op.create_index("ix_certificate_enterprise", "certificate", ["enterprise_id", "id"])
    op.create_index(
        op.f("ix_certificate_owner_department_id"), "certificate", ["owner_department_id"]
    )

    op.create_table(
        "certificate_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("reason_category", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        *_owned("certificate_event"),
        _fk("certificate_event", "certificate_id", "certificate"),
        _fk("certificate_event", "enterprise_id", "enterprise"),
        sa.CheckConstraint(_in("kind", EVENT_KINDS), name=op.f("ck_certificate_event_kind")),
        sa.CheckConstraint(
            _in("reason_category", REASONS), name=op.f("ck_certificate_event_reason_category")
        ),
    )
    op.create_index(
        "ix_certificate_event_certificate",
        "certificate_event",
        ["certificate_id", "occurred_on", "id"],
    )
    op.create_index("ix_certificate_event_enterprise", "certificate_event", ["enterprise_id", "id"])
    op.create_index(
        op.f("ix_certificate_event_owner_department_id"),
        "certificate_event",
        ["owner_department_id"],
    )

    op.create_table(
        "joint_discipline_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("trigger_kind", sa.String(length=32), nullable=False),
        sa.Column("credit_rating_id", sa.Integer(), nullable=True),
        sa.Column("certificate_event_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("repaired_on", sa.Date(), nullable=True),
        sa.Column("repair_basis", sa.Text(), nullable=True),
        *_owned("joint_discipline_entry"),
        _fk("joint_discipline_entry", "enterprise_id", "enterprise"),
        _fk("joint_discipline_entry", "credit_rating_id", "credit_rating"),
        _fk("joint_discipline_entry", "certificate_event_id", "certificate_event"),
        sa.CheckConstraint(
            _in("trigger_kind", ("credit_rating", "certificate_revocation")),
            name=op.f("ck_joint_discipline_entry_trigger_kind"),
        ),
        sa.CheckConstraint(
            _in("status", ("listed", "repaired")), name=op.f("ck_joint_discipline_entry_status")
        ),
        sa.CheckConstraint(
            "(trigger_kind = 'credit_rating' AND credit_rating_id IS NOT NULL"
            " AND certificate_event_id IS NULL) OR (trigger_kind = 'certificate_revocation'"
            " AND certificate_event_id IS NOT NULL AND credit_rating_id IS NULL)",
            name=op.f("ck_joint_discipline_entry_trigger_record"),
        ),
        sa.CheckConstraint(
            "(status = 'repaired') = (repaired_on IS NOT NULL AND repair_basis IS NOT NULL)",
            name=op.f("ck_joint_discipline_entry_repair"),
        ),
        sa.CheckConstraint(
            "repaired_on IS NULL OR repaired_on >= since",
            name=op.f("ck_joint_discipline_entry_repair_order"),
        ),
    )
    op.create_index(
        "ix_joint_discipline_entry_enterprise", "joint_discipline_entry", ["enterprise_id", "id"]
    )
    op.create_index(
        "uq_joint_discipline_entry_listed",
        "joint_discipline_entry",
        ["enterprise_id"],
        unique=True,
        sqlite_where=sa.text("status = 'listed'"),
        postgresql_where=sa.text("status = 'listed'"),
    )
    op.create_index(
        op.f("ix_joint_discipline_entry_owner_department_id"),
        "joint_discipline_entry",
        ["owner_department_id"],
    )

    op.create_table(
        "joint_discipline_measure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=32), nullable=False),
        *_owned("joint_discipline_measure"),
        _fk("joint_discipline_measure", "entry_id", "joint_discipline_entry"),
        _fk("joint_discipline_measure", "enterprise_id", "enterprise"),
        _fk("joint_discipline_measure", "department_id", "department"),
        sa.CheckConstraint(
            _in("measure", MEASURES), name=op.f("ck_joint_discipline_measure_measure")
        ),
        sa.UniqueConstraint(
            "entry_id",
            "department_id",
            "measure",
            name=op.f("uq_joint_discipline_measure_entry_id"),
        ),
    )
    op.create_index(
        "ix_joint_discipline_measure_department",
        "joint_discipline_measure",
        ["department_id", "entry_id"],
    )
    op.create_index(
        op.f("ix_joint_discipline_measure_owner_department_id"),
        "joint_discipline_measure",
        ["owner_department_id"],
    )

    op.create_table(
        "discipline_measure_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=32), nullable=False),
        _fk("discipline_measure_rule", "department_id", "department"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discipline_measure_rule")),
        sa.CheckConstraint(
            _in("measure", MEASURES), name=op.f("ck_discipline_measure_rule_measure")
        ),
        sa.UniqueConstraint(
            "department_id", "measure", name=op.f("uq_discipline_measure_rule_department_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("discipline_measure_rule")
    op.drop_table("joint_discipline_measure")
    op.drop_table("joint_discipline_entry")
    op.drop_table("certificate_event")
    op.drop_table("certificate")
