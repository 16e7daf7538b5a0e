from __future__ import annotations

import strawberry

from liaison.db.ledger_models import StandardizationCertificateStatus
from liaison.db.models import LifecycleKind, RiskLevel, RiskStatus, SafetyGradeScheme

# strawberry.enum annotates the classes in place; the schema uses them under these names.
strawberry.enum(LifecycleKind, name="LifecycleKind")
strawberry.enum(RiskLevel, name="RiskLevel")
strawberry.enum(RiskStatus, name="RiskStatus")
strawberry.enum(
    SafetyGradeScheme,
    name="SafetyGradeScheme",
    description=(
        "ENTERPRISE_SUPERVISION: A is the best-managed enterprise, D the worst. "
        "PARK_RISK: A is the highest risk, D the lowest. The letters run opposite ways."
    ),
)
strawberry.enum(
    StandardizationCertificateStatus,
    name="StandardizationCertificateStatus",
    description="EXPIRED once validUntil has passed; REVOKED from the day it was revoked.",
)

__all__ = [
    "LifecycleKind",
    "RiskLevel",
    "RiskStatus",
    "SafetyGradeScheme",
    "StandardizationCertificateStatus",
]
