"""The ledger's tables as record tables, and the certificate status derived from them."""

from __future__ import annotations

from sqlalchemy import ColumnElement, case, literal

from liaison.db import models
from liaison.db.ledger_models import ALTERABLE, EnterpriseAlteration
from liaison.db.record_tables import RecordTable, child_table, today


def certificate_status() -> ColumnElement[str]:
    # Derived, never stored: revocation is recorded; expiry follows from validUntil.
    certificate = models.StandardizationCertificate
    return case(
        (certificate.revoked_on.is_not(None), literal("revoked")),
        (certificate.valid_until < today(), literal("expired")),
        else_=literal("valid"),
    )


LEDGER_TABLES: dict[str, RecordTable] = {
    "enterprise_alteration": child_table(
        EnterpriseAlteration,
        "altered_on",
        "basis",
        *(f"{edge}_{detail}" for detail in ALTERABLE for edge in ("old", "new")),
    ),
}
