"""Every shared record type's table, core and workflows alike: the one list the row scope,
the reads and the audit index work from."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, case

from liaison.db import models
from liaison.db.certificate_tables import CERTIFICATE_TABLES
from liaison.db.incident_tables import INCIDENT_TABLES
from liaison.db.inspection_tables import INSPECTION_CONDITIONS, INSPECTION_TABLES
from liaison.db.ledger_tables import LEDGER_TABLES, certificate_status
from liaison.db.recognition_tables import RECOGNITION_TABLES
from liaison.db.record_tables import RecordTable, add_parties, child_table, columns_of, today
from liaison.db.rectification_tables import RECTIFICATION_TABLES
from liaison.db.referral_tables import REFERRAL_TABLES, REFERRED_CONDITIONS

__all__ = ["RECORD_TABLES", "RecordTable", "today"]


def _overdue() -> ColumnElement[bool]:
    # Derived, never stored: a risk is overdue once its deadline has passed unclosed.
    risk = models.Risk
    return case(
        (and_(risk.status != "closed", risk.rectification_deadline < today()), True),
        else_=False,
    )


CORE_TABLES: dict[str, RecordTable] = {
    "enterprise": RecordTable(
        models.Enterprise,
        {
            **columns_of(
                models.Enterprise,
                (
                    "id",
                    "uscc",
                    "name",
                    "zone",
                    "address",
                    "legal_representative",
                    "contact_phone",
                    "industry",
                    "registered_on",
                    "status",
                    "status_since",
                    "business_scope",
                ),
            ),
            "owner": models.Enterprise.owner_department_id,
        },
    ),
    "lifecycle_event": child_table(
        models.LifecycleEvent,
        "kind",
        "effective_on",
        "pilot_production_ends_on",
        "document_number",
        "products",
        "note",
    ),
    "dangerous_chemical_entry": child_table(
        models.DangerousChemicalEntry,
        "declaration_number",
        "chemical_name",
        "cas_number",
        "un_number",
        "hazard_class",
        "packing_group",
        "quantity",
        "unit",
        "port",
        "entry_date",
        "storage_location",
        "declared_value",
        "consignee",
    ),
    "credit_rating": child_table(
        models.CreditRating,
        "scheme",
        "rule_set",
        "grade",
        "score",
        "reasons",
        "effective_on",
        "expires_on",
    ),
    "risk": child_table(
        models.Risk,
        "category",
        "description",
        "level",
        "found_on",
        "rectification_deadline",
        "status",
        "closed_on",
        "evidence",
        supervising_department=models.Risk.supervising_department_id,
        overdue=_overdue(),
    ),
    "safety_grade": child_table(
        models.SafetyGrade,
        "scheme",
        "grade",
        "assessed_on",
        "valid_until",
        "self_assessment_score",
        "self_assessed_on",
    ),
    "standardization_certificate": child_table(
        models.StandardizationCertificate,
        "level",
        "certificate_number",
        "issued_on",
        "valid_until",
        "revoked_on",
        "revocation_reason",
        status=certificate_status(),
    ),
}


RECORD_TABLES: dict[str, RecordTable] = {
    **CORE_TABLES,
    **REFERRAL_TABLES,
    **INCIDENT_TABLES,
    **RECTIFICATION_TABLES,
    **INSPECTION_TABLES,
    **LEDGER_TABLES,
    **RECOGNITION_TABLES,
    **CERTIFICATE_TABLES,
}
RECORD_TABLES = add_parties(RECORD_TABLES, REFERRED_CONDITIONS)
RECORD_TABLES = add_parties(RECORD_TABLES, INSPECTION_CONDITIONS)
