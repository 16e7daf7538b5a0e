"""referrals: clue referrals between departments, their evidence and the sender's records
they refer to, and public reports

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-03 09:00:00

Handwritten, for SQLite and PostgreSQL alike. Enumerations are check constraints. Indexes
serve the lists each side asks for (referrals sent: by owner; received: by receiver; of an
enterprise), the nested lists (a referral's attachments, a report's referrals) and the
party rules (a referred record looked up by its type and id). Attachment content lives in
``attachment_blob`` by SHA-256, unless a directory is configured (``stored_in``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0007"
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


def upgrade() -> None:
    op.create_table(
        "public_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("reporter_name", sa.String(length=100), nullable=True),
        sa.Column("reporter_contact", sa.String(length=32), nullable=True),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        *_owned("public_report"),
        _fk("public_report", "enterprise_id", "enterprise"),
        sa.CheckConstraint(
            "channel IN ('telephone', 'mailbox', 'online')",
            name=op.f("ck_public_report_channel"),
        ),
        sa.CheckConstraint(
            "NOT anonymous OR (reporter_name IS NULL AND reporter_contact IS NULL)",
            name=op.f("ck_public_report_anonymous"),
        ),
    )
    op.create_index("ix_public_report_enterprise", "public_report", ["enterprise_id", "id"])
    op.create_index(
        op.f("ix_public_report_owner_department_id"), "public_report", ["owner_department_id"]
    )

    op.create_table(
        "referral",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("receiver_department_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("feedback_deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column("returned_on", sa.Date(), nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.Column("handled_on", sa.Date(), nullable=True),
        sa.Column("feedback", sa.Text(), nullable=True),
        sa.Column("penalty_decision", sa.String(length=64), nullable=True),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        *_owned("referral"),
        _fk("referral", "enterprise_id", "enterprise"),
        _fk("referral", "receiver_department_id", "department"),
        _fk("referral", "report_id", "public_report"),
        sa.CheckConstraint(
            "status IN ('sent', 'accepted', 'returned', 'handled', 'withdrawn')",
            name=op.f("ck_referral_status"),
        ),
        sa.CheckConstraint(
            "receiver_department_id <> owner_department_id",
            name=op.f("ck_referral_not_to_oneself"),
        ),
        sa.CheckConstraint("feedback_deadline >= sent_on", name=op.f("ck_referral_deadline_order")),
    )
    op.create_index("ix_referral_enterprise", "referral", ["enterprise_id", "id"])
    op.create_index("ix_referral_receiver", "referral", ["receiver_department_id", "id"])
    op.create_index("ix_referral_report", "referral", ["report_id"])
    op.create_index(op.f("ix_referral_owner_department_id"), "referral", ["owner_department_id"])

    op.create_table(
        "referred_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        _fk("referred_record", "referral_id", "referral"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referred_record")),
        sa.UniqueConstraint(
            "referral_id",
            "record_type",
            "record_id",
            name=op.f("uq_referred_record_referral_id"),
        ),
        sa.CheckConstraint(
            "record_type IN ('risk', 'lifecycle_event', 'credit_rating')",
            name=op.f("ck_referred_record_record_type"),
        ),
    )
    op.create_index("ix_referred_record_record", "referred_record", ["record_type", "record_id"])

    op.create_table(
        "attachment_blob",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_attachment_blob")),
    )

    op.create_table(
        "referral_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=127), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("stored_in", sa.String(length=16), nullable=False),
        *_owned("referral_attachment"),
        _fk("referral_attachment", "referral_id", "referral"),
        _fk("referral_attachment", "enterprise_id", "enterprise"),
        sa.CheckConstraint(
            "stored_in IN ('database', 'directory')",
            name=op.f("ck_referral_attachment_stored_in"),
        ),
        sa.CheckConstraint("size_bytes >= 0", name=op.f("ck_referral_attachment_size")),
    )
    op.create_index("ix_referral_attachment_referral", "referral_attachment", ["referral_id", "id"])
    op.create_index(
        op.f("ix_referral_attachment_owner_department_id"),
        "referral_attachment",
        ["owner_department_id"],
    )


def downgrade() -> None:
    op.drop_table("referral_attachment")
    op.drop_table("attachment_blob")
    op.drop_table("referred_record")
    op.drop_table("referral")
    op.drop_table("public_report")
