"""recognition: mutual recognition of supervision results, and graded supervision's rule
table (seeded)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 01:40:00

Handwritten, for SQLite and PostgreSQL alike. The seeded rules are the starting point
operators edit (``setInspectionRule``); later changes to them are data, not migrations.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_RESULTS = ("dangerous_chemical_entry", "standardization_certificate", "credit_rating")
_FACILITATIONS = (
    "procedure_simplification",
    "trust_supervision",
    "reduced_inspection_frequency",
    "fast_release",
)


def _listed(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _one_result() -> str:
    return " OR ".join(
        f"(result_type = '{kind}' AND "
        + " AND ".join(f"{other}_id IS {'NOT ' if other == kind else ''}NULL" for other in _RESULTS)
        + ")"
        for kind in _RESULTS
    )


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


# (department kind, scheme, grade, per year, with a reduced_inspection_frequency
# recognition, on-site guidance, note). Under enterprise_supervision A is the best-managed
# enterprise; under park_risk A is the highest risk (see models.SafetyGradeScheme).
_SEED: tuple[tuple[str, str, str, int, int, bool, str], ...] = (
    ("emergency_management", "enterprise_supervision", "A", 1, 1, False, "once a year"),
    ("emergency_management", "enterprise_supervision", "B", 2, 1, False, "twice a year"),
    ("emergency_management", "enterprise_supervision", "C", 4, 2, False, "quarterly"),
    (
        "emergency_management",
        "enterprise_supervision",
        "D",
        12,
        6,
        True,
        "monthly, on-site guidance",
    ),
    ("emergency_management", "park_risk", "A", 12, 6, True, "monthly, on-site guidance"),
    ("emergency_management", "park_risk", "B", 4, 2, False, "quarterly"),
    ("emergency_management", "park_risk", "C", 2, 1, False, "twice a year"),
    ("emergency_management", "park_risk", "D", 1, 1, False, "once a year"),
    (
        "emergency_management",
        "default",
        "unknown",
        2,
        1,
        False,
        "no grade you may see: twice a year",
    ),
    ("customs", "customs_enterprise_credit", "advanced_certified", 1, 1, False, "AEO: once a year"),
    ("customs", "customs_enterprise_credit", "certified", 2, 1, False, "twice a year"),
    ("customs", "customs_enterprise_credit", "general_certified", 2, 1, False, "twice a year"),
    ("customs", "customs_enterprise_credit", "registered", 4, 2, False, "quarterly"),
    ("customs", "customs_enterprise_credit", "routine", 4, 2, False, "quarterly"),
    ("customs", "customs_enterprise_credit", "general_credit", 4, 2, False, "quarterly"),
    ("customs", "customs_enterprise_credit", "dishonest", 12, 12, False, "monthly"),
    (
        "customs",
        "customs_enterprise_credit",
        "seriously_dishonest",
        12,
        12,
        True,
        "monthly, on-site",
    ),
    ("customs", "default", "unknown", 4, 2, False, "no grade you may see: quarterly"),
    ("park_committee", "park_risk", "A", 12, 6, True, "monthly, on-site guidance"),
    ("park_committee", "park_risk", "B", 4, 2, False, "quarterly"),
    ("park_committee", "park_risk", "C", 2, 1, False, "twice a year"),
    ("park_committee", "park_risk", "D", 1, 1, False, "once a year"),
    ("park_committee", "default", "unknown", 2, 1, False, "no grade you may see: twice a year"),
    ("market_supervision", "default", "unknown", 1, 1, False, "once a year"),
    ("ecology_environment", "default", "unknown", 1, 1, False, "once a year"),
)


def upgrade() -> None:
    columns: list[Any] = [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("recognised_department_id", sa.Integer(), nullable=False),
        sa.Column("result_type", sa.String(length=32), nullable=False),
        sa.Column("dangerous_chemical_entry_id", sa.Integer(), nullable=True),
        sa.Column("standardization_certificate_id", sa.Integer(), nullable=True),
        sa.Column("credit_rating_id", sa.Integer(), nullable=True),
        sa.Column("facilitation", sa.String(length=32), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("lapsed_on", sa.Date(), nullable=True),
        sa.Column("lapse_reason", sa.Text(), nullable=True),
        sa.Column("owner_department_id", sa.Integer(), nullable=False),
    ]
    op.create_table(
        "recognition",
        *columns,
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recognition")),
        _fk("recognition", "owner_department_id", "department"),
        _fk("recognition", "enterprise_id", "enterprise"),
        _fk("recognition", "recognised_department_id", "department"),
        *(_fk("recognition", f"{kind}_id", kind) for kind in _RESULTS),
        sa.CheckConstraint(
            f"result_type IN ({_listed(_RESULTS)})", name=op.f("ck_recognition_result_type")
        ),
        sa.CheckConstraint(
            f"facilitation IN ({_listed(_FACILITATIONS)})",
            name=op.f("ck_recognition_facilitation"),
        ),
        sa.CheckConstraint("status IN ('active', 'lapsed')", name=op.f("ck_recognition_status")),
        sa.CheckConstraint(_one_result(), name=op.f("ck_recognition_one_result")),
        sa.CheckConstraint("valid_until >= valid_from", name=op.f("ck_recognition_validity_order")),
        sa.CheckConstraint(
            "recognised_department_id <> owner_department_id", name=op.f("ck_recognition_not_own")
        ),
        sa.CheckConstraint(
            "(status = 'lapsed') = (lapsed_on IS NOT NULL AND lapse_reason IS NOT NULL)",
            name=op.f("ck_recognition_lapsed_with_reason"),
        ),
    )
    op.create_index("ix_recognition_enterprise", "recognition", ["enterprise_id", "id"])
    op.create_index("ix_recognition_recognised", "recognition", ["recognised_department_id", "id"])
    op.create_index("ix_recognition_status", "recognition", ["status", "result_type"])
    op.create_index(
        op.f("ix_recognition_owner_department_id"), "recognition", ["owner_department_id"]
    )

    rules = op.create_table(
        "inspection_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_kind", sa.String(length=64), nullable=False),
        sa.Column("scheme", sa.String(length=64), nullable=False),
        sa.Column("grade", sa.String(length=32), nullable=False),
        sa.Column("per_year", sa.Integer(), nullable=False),
        sa.Column("reduced_per_year", sa.Integer(), nullable=False),
        sa.Column("on_site_guidance", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_rule")),
        sa.UniqueConstraint(
            "department_kind",
            "scheme",
            "grade",
            name=op.f("uq_inspection_rule_department_kind"),
        ),
        sa.CheckConstraint("per_year BETWEEN 1 AND 52", name=op.f("ck_inspection_rule_per_year")),
        sa.CheckConstraint(
            "reduced_per_year BETWEEN 1 AND per_year",
            name=op.f("ck_inspection_rule_reduced_per_year"),
        ),
    )
    op.bulk_insert(
        rules,
        [
            {
                "department_kind": kind,
                "scheme": scheme,
                "grade": grade,
                "per_year": per_year,
                "reduced_per_year": reduced,
                "on_site_guidance": guidance,
                "note": note,
            }
            for kind, scheme, grade, per_year, reduced, guidance, note in _SEED
        ],
    )


def downgrade() -> None:
    op.drop_table("inspection_rule")
    op.drop_table("recognition")
