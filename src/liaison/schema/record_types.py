"""Every shared record type's GraphQL type, core and workflows alike: what a row of each
record type is built into."""

from __future__ import annotations

from typing import Any

from liaison.schema.types.certificates import (
    Certificate,
    CertificateEvent,
    JointDisciplineEntry,
    JointDisciplineMeasure,
)
from liaison.schema.types.enterprise import Enterprise
from liaison.schema.types.incidents import (
    Incident,
    IncidentChemical,
    IncidentResponse,
    IncidentTeamMember,
)
from liaison.schema.types.inspections import (
    JointInspectionDraw,
    JointInspectionItem,
    JointInspectionParticipant,
    JointInspectionPlan,
    JointInspectionResult,
    JointInspectionTarget,
    JointInspectionVisit,
)
from liaison.schema.types.ledger import EnterpriseAlteration
from liaison.schema.types.recognition import Recognition
from liaison.schema.types.records import (
    CreditRating,
    DangerousChemicalEntry,
    LifecycleEvent,
    Risk,
    SafetyGrade,
    StandardizationCertificate,
)
from liaison.schema.types.rectification import RectificationCampaign, RectificationItem
from liaison.schema.types.referrals import PublicReport, Referral, ReferralAttachment

REFERRAL_GRAPHQL_TYPES: dict[str, type[Any]] = {
    "referral": Referral,
    "referral_attachment": ReferralAttachment,
    "public_report": PublicReport,
}

INSPECTION_GRAPHQL_TYPES: dict[str, type[Any]] = {
    "joint_inspection_plan": JointInspectionPlan,
    "joint_inspection_participant": JointInspectionParticipant,
    "joint_inspection_item": JointInspectionItem,
    "joint_inspection_draw": JointInspectionDraw,
    "joint_inspection_target": JointInspectionTarget,
    "joint_inspection_visit": JointInspectionVisit,
    "joint_inspection_result": JointInspectionResult,
}

CORE_GRAPHQL_TYPES: dict[str, type[Any]] = {
    "enterprise": Enterprise,
    "lifecycle_event": LifecycleEvent,
    "dangerous_chemical_entry": DangerousChemicalEntry,
    "credit_rating": CreditRating,
    "risk": Risk,
    "safety_grade": SafetyGrade,
    "standardization_certificate": StandardizationCertificate,
}

GRAPHQL_TYPES: dict[str, type[Any]] = {
    **CORE_GRAPHQL_TYPES,
    **REFERRAL_GRAPHQL_TYPES,
    "incident": Incident,
    "incident_chemical": IncidentChemical,
    "incident_response": IncidentResponse,
    "incident_team_member": IncidentTeamMember,
    "rectification_campaign": RectificationCampaign,
    "rectification_item": RectificationItem,
    **INSPECTION_GRAPHQL_TYPES,
    "enterprise_alteration": EnterpriseAlteration,
    "recognition": Recognition,
    "certificate": Certificate,
    "certificate_event": CertificateEvent,
    "joint_discipline_entry": JointDisciplineEntry,
    "joint_discipline_measure": JointDisciplineMeasure,
}
