"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 18:00:17.928248
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agreement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement")),
        sa.UniqueConstraint("code", name=op.f("uq_agreement_code")),
    )
    op.create_table(
        "department",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_department")),
        sa.UniqueConstraint("code", name=op.f("uq_department_code")),
    )
    op.create_table(
        "policy_epoch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_epoch")),
    )
    op.create_table(
        "agreement_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("purposes", sa.JSON(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_agreement_version_agreement_id_agreement"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_version")),
        sa.UniqueConstraint(
            "agreement_id", "version", name=op.f("uq_agreement_version_agreement_id")
        ),
    )
    with op.batch_alter_table("agreement_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agreement_version_status"), ["status"], unique=False)

    op.create_table(
        "enterprise",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("legal_representative", sa.String(length=100), nullable=False),
        sa.Column("contact_phone", sa.String(length=32), nullable=False),
        sa.Column("industry", sa.String(length=100), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("status_since", sa.Date(), nullable=False),
        sa.Column("owner_department_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_department_id"],
            ["department.id"],
            name=op.f("fk_enterprise_owner_department_id_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise")),
        sa.UniqueConstraint("uscc", name=op.f("uq_enterprise_uscc")),
    )
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.create_index("ix_enterprise_industry_id", ["industry", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_enterprise_owner_department_id"), ["owner_department_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_enterprise_status"), ["status"], unique=False)
        batch_op.create_index("ix_enterprise_zone_id", ["zone", "id"], unique=False)

    op.create_table(
        "agreement_party",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_version_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_version_id"],
            ["agreement_version.id"],
            name=op.f("fk_agreement_party_agreement_version_id_agreement_version"),
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_agreement_party_department_id_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_party")),
        sa.UniqueConstraint(
            "agreement_version_id",
            "department_id",
            name=op.f("uq_agreement_party_agreement_version_id"),
        ),
    )
    op.create_table(
        "credit_rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=64), nullable=False),
        sa.Column("rule_set", sa.String(length=64), nullable=False),
        sa.Column("grade", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=True),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("owner_department_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_credit_rating_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_department_id"],
            ["department.id"],
            name=op.f("fk_credit_rating_owner_department_id_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_rating")),
    )
    with op.batch_alter_table("credit_rating", schema=None) as batch_op:
        batch_op.create_index("ix_credit_rating_enterprise", ["enterprise_id", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_credit_rating_owner_department_id"),
            ["owner_department_id"],
            unique=False,
        )

    op.create_table(
        "dangerous_chemical_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("declaration_number", sa.String(length=32), nullable=False),
        sa.Column("chemical_name", sa.String(length=200), nullable=False),
        sa.Column("cas_number", sa.String(length=12), nullable=False),
        sa.Column("un_number", sa.String(length=6), nullable=False),
        sa.Column("hazard_class", sa.String(length=4), nullable=False),
        sa.Column("packing_group", sa.String(length=3), nullable=True),
        sa.Column("quantity", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column("port", sa.String(length=100), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("storage_location", sa.String(length=300), nullable=False),
        sa.Column("declared_value", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("consignee", sa.String(length=200), nullable=False),
        sa.Column("owner_department_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "quantity > 0", name=op.f("ck_dangerous_chemical_entry_quantity_positive")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_dangerous_chemical_entry_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_department_id"],
            ["department.id"],
            name=op.f("fk_dangerous_chemical_entry_owner_department_id_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dangerous_chemical_entry")),
        sa.UniqueConstraint(
            "declaration_number", name=op.f("uq_dangerous_chemical_entry_declaration_number")
        ),
    )
    with op.batch_alter_table("dangerous_chemical_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dangerous_chemical_entry_cas_number"), ["cas_number"], unique=False
        )
        batch_op.create_index(
            "ix_dangerous_chemical_entry_enterprise", ["enterprise_id", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_dangerous_chemical_entry_owner_department_id"),
            ["owner_department_id"],
            unique=False,
        )

    op.create_table(
        "grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_version_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("consumer_id", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(length=64), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column("purposes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_version_id"],
            ["agreement_version.id"],
            name=op.f("fk_grant_agreement_version_id_agreement_version"),
        ),
        sa.ForeignKeyConstraint(
            ["consumer_id"], ["department.id"], name=op.f("fk_grant_consumer_id_department")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["department.id"], name=op.f("fk_grant_provider_id_department")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grant")),
    )
    with op.batch_alter_table("grant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_grant_agreement_version_id"), ["agreement_version_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_grant_consumer_id"), ["consumer_id"], unique=False)

    op.create_table(
        "lifecycle_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("pilot_production_ends_on", sa.Date(), nullable=True),
        sa.Column("document_number", sa.String(length=64), nullable=False),
        sa.Column("products", sa.String(length=300), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("owner_department_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('registered', 'under_construction', 'pilot_production', 'in_operation', 'suspended', 'relocated', 'cancelled')",
            name=op.f("ck_lifecycle_event_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_lifecycle_event_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_department_id"],
            ["department.id"],
            name=op.f("fk_lifecycle_event_owner_department_id_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lifecycle_event")),
    )
    with op.batch_alter_table("lifecycle_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_lifecycle_event_enterprise", ["enterprise_id", "effective_on", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_lifecycle_event_owner_department_id"),
            ["owner_department_id"],
            unique=False,
        )

    op.create_table(
        "risk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("found_on", sa.Date(), nullable=False),
        sa.Column("rectification_deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("supervising_department_id", sa.Integer(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("owner_department_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("level IN ('general', 'major')", name=op.f("ck_risk_level")),
        sa.CheckConstraint(
            "status IN ('reported', 'rectifying', 'pending_acceptance', 'closed')",
            name=op.f("ck_risk_status"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprise.id"], name=op.f("fk_risk_enterprise_id_enterprise")
        ),
        sa.ForeignKeyConstraint(
            ["owner_department_id"],
            ["department.id"],
            name=op.f("fk_risk_owner_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["supervising_department_id"],
            ["department.id"],
            name=op.f("fk_risk_supervising_department_id_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk")),
    )
    with op.batch_alter_table("risk", schema=None) as batch_op:
        batch_op.create_index("ix_risk_enterprise", ["enterprise_id", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_risk_owner_department_id"), ["owner_department_id"], unique=False
        )

    op.create_table(
        "safety_grade",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=32), nullable=False),
        sa.Column("grade", sa.String(length=1), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("owner_department_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("grade IN ('A', 'B', 'C', 'D')", name=op.f("ck_safety_grade_grade")),
        sa.CheckConstraint(
            "scheme IN ('enterprise_supervision', 'park_risk')", name=op.f("ck_safety_grade_scheme")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_safety_grade_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_department_id"],
            ["department.id"],
            name=op.f("fk_safety_grade_owner_department_id_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_grade")),
    )
    with op.batch_alter_table("safety_grade", schema=None) as batch_op:
        batch_op.create_index("ix_safety_grade_enterprise", ["enterprise_id", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_safety_grade_owner_department_id"), ["owner_department_id"], unique=False
        )

    op.create_table(
        "standardization_certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("certificate_number", sa.String(length=64), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("owner_department_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("level IN (1, 2, 3)", name=op.f("ck_standardization_certificate_level")),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_standardization_certificate_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_department_id"],
            ["department.id"],
            name=op.f("fk_standardization_certificate_owner_department_id_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standardization_certificate")),
        sa.UniqueConstraint(
            "certificate_number", name=op.f("uq_standardization_certificate_certificate_number")
        ),
    )
    with op.batch_alter_table("standardization_certificate", schema=None) as batch_op:
        batch_op.create_index(
            "ix_standardization_certificate_enterprise", ["enterprise_id", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_standardization_certificate_owner_department_id"),
            ["owner_department_id"],
            unique=False,
        )

    op.bulk_insert(
        sa.table("policy_epoch", sa.column("id", sa.Integer), sa.column("epoch", sa.BigInteger)),
        [{"id": 1, "epoch": 0}],
    )


def downgrade() -> None:
    with op.batch_alter_table("standardization_certificate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_standardization_certificate_owner_department_id"))
        batch_op.drop_index("ix_standardization_certificate_enterprise")

    op.drop_table("standardization_certificate")
    with op.batch_alter_table("safety_grade", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_safety_grade_owner_department_id"))
        batch_op.drop_index("ix_safety_grade_enterprise")

    op.drop_table("safety_grade")
    with op.batch_alter_table("risk", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_owner_department_id"))
        batch_op.drop_index("ix_risk_enterprise")

    op.drop_table("risk")
    with op.batch_alter_table("lifecycle_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lifecycle_event_owner_department_id"))
        batch_op.drop_index("ix_lifecycle_event_enterprise")

    op.drop_table("lifecycle_event")
    with op.batch_alter_table("grant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grant_consumer_id"))
        batch_op.drop_index(batch_op.f("ix_grant_agreement_version_id"))

    op.drop_table("grant")
    with op.batch_alter_table("dangerous_chemical_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dangerous_chemical_entry_owner_department_id"))
        batch_op.drop_index("ix_dangerous_chemical_entry_enterprise")
        batch_op.drop_index(batch_op.f("ix_dangerous_chemical_entry_cas_number"))

    op.drop_table("dangerous_chemical_entry")
    with op.batch_alter_table("credit_rating", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_rating_owner_department_id"))
        batch_op.drop_index("ix_credit_rating_enterprise")

    op.drop_table("credit_rating")
    op.drop_table("agreement_party")
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.drop_index("ix_enterprise_zone_id")
        batch_op.drop_index(batch_op.f("ix_enterprise_status"))
        batch_op.drop_index(batch_op.f("ix_enterprise_owner_department_id"))
        batch_op.drop_index("ix_enterprise_industry_id")

    op.drop_table("enterprise")
    with op.batch_alter_table("agreement_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_version_status"))

    op.drop_table("agreement_version")
    op.drop_table("policy_epoch")
    op.drop_table("department")
    op.drop_table("agreement")
