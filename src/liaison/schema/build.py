from __future__ import annotations

import importlib
from functools import partial

import strawberry
from graphql import GraphQLNonNull, GraphQLObjectType
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from liaison.limits import Limits
from liaison.permissions.catalogue import Access
from liaison.schema.agreements import AgreementMutation, AgreementQuery
from liaison.schema.audit_chain import AuditChainQuery
from liaison.schema.audit_extension import AuditEachEvent, AuditTrail
from liaison.schema.audit_queries import AuditQuery
from liaison.schema.caches import CachedParsing, CachedValidation
from liaison.schema.certificate_mutations import CertificateMutation
from liaison.schema.certificates import CertificateQuery, CertificateSubscription
from liaison.schema.counts import CountQuery
from liaison.schema.emergency_roster import EmergencyRosterMutation, EmergencyRosterQuery
from liaison.schema.fast_execution import GeneralExecutor, LiaisonExecutor
from liaison.schema.gate_extension import PermissionGate, element_map
from liaison.schema.grade_mutations import GradeMutation
from liaison.schema.graded_supervision import GradedSupervisionMutation, GradedSupervisionQuery
from liaison.schema.grades import GradeQuery, GradeSubscription
from liaison.schema.incidents import IncidentMutation, IncidentQuery, IncidentSubscription
from liaison.schema.inspection_mutations import InspectionMutation
from liaison.schema.inspections import InspectionQuery, InspectionSubscription
from liaison.schema.internal_errors import HideInternalErrors, LiaisonSchema
from liaison.schema.ledger import LedgerMutation, LedgerSubscription
from liaison.schema.limits import DocumentLimits, with_deadline
from liaison.schema.mutations import RecordMutation
from liaison.schema.queries import RecordQuery
from liaison.schema.rate_limit import ChargeResolvedRecords, RecordBudget
from liaison.schema.recognition import RecognitionQuery, RecognitionSubscription
from liaison.schema.recognition_mutations import RecognitionMutation
from liaison.schema.rectification import RectificationQuery
from liaison.schema.rectification_mutations import RectificationMutation
from liaison.schema.referral_mutations import ReferralMutation
from liaison.schema.referrals import ReferralQuery, ReferralSubscription
from liaison.schema.scalars import SCALARS
from liaison.schema.subscriptions import RecordSubscription

# Each area of the API contributes its own root fields.
QUERY_TYPES: tuple[type, ...] = (
    RecordQuery,
    AgreementQuery,
    AuditQuery,
    AuditChainQuery,
    ReferralQuery,
    IncidentQuery,
    EmergencyRosterQuery,
    RectificationQuery,
    InspectionQuery,
    GradeQuery,
    CountQuery,
    RecognitionQuery,
    GradedSupervisionQuery,
    CertificateQuery,
)
MUTATION_TYPES: tuple[type, ...] = (
    RecordMutation,
    AgreementMutation,
    ReferralMutation,
    IncidentMutation,
    EmergencyRosterMutation,
    RectificationMutation,
    InspectionMutation,
    GradeMutation,
    LedgerMutation,
    RecognitionMutation,
    GradedSupervisionMutation,
    CertificateMutation,
)
SUBSCRIPTION_TYPES: tuple[type, ...] = (
    RecordSubscription,
    ReferralSubscription,
    IncidentSubscription,
    InspectionSubscription,
    GradeSubscription,
    LedgerSubscription,
    RecognitionSubscription,
    CertificateSubscription,
)


class SchemaDeclarationError(TypeError):
    """A schema field whose sharing declaration cannot be enforced (see build_schema)."""


def _no_suggestions() -> None:
    # "Did you mean ...?" in an error names fields, arguments and enum values the caller
    # did not ask for; graphql-core reads this limit on every call, so zero turns every
    # suggestion off, in validation and in variable coercion alike. The module, not the
    # function of the same name that ``graphql.pyutils`` re-exports over it.
    vars(importlib.import_module("graphql.pyutils.did_you_mean"))["MAX_LENGTH"] = 0


def _check_governed_fields_nullable(schema: strawberry.Schema) -> None:
    forward, _ = element_map(schema._schema)
    for (type_name, field_name), element in forward.items():
        graphql_type = schema._schema.type_map[type_name]
        assert isinstance(graphql_type, GraphQLObjectType)
        if element.access is Access.GOVERNED and isinstance(
            graphql_type.fields[field_name].type, GraphQLNonNull
        ):
            raise SchemaDeclarationError(
                f"{type_name}.{field_name} shares {element.name}, which is governed: "
                "it must be nullable so a withheld value can come back null"
            )


def build_schema(
    *,
    fast_lists: bool = True,
    limits: Limits | None = None,
    budget: RecordBudget | None = None,
) -> strawberry.Schema:
    """``fast_lists=False`` keeps graphql-core's general completion everywhere: the
    reference the fast path is tested against. ``limits`` bound every operation (default
    ``Limits()``); ``budget``, when given, is charged the records each operation resolved."""
    _no_suggestions()
    limits = limits or Limits()
    charge = [partial(ChargeResolvedRecords, budget=budget)] if budget is not None else []
    schema = LiaisonSchema(
        execution_context_class=with_deadline(
            LiaisonExecutor if fast_lists else GeneralExecutor, limits.max_execution_seconds
        ),
        query=merge_types("Query", QUERY_TYPES),
        mutation=merge_types("Mutation", MUTATION_TYPES),
        subscription=merge_types("Subscription", SUBSCRIPTION_TYPES),
        # AuditTrail before PermissionGate: on_execute hooks unwind in reverse, so the
        # audit sees the gate's FORBIDDEN errors (see AuditTrail).
        extensions=[
            partial(DocumentLimits, limits=limits),
            CachedParsing,
            partial(CachedValidation, limits=limits),
            HideInternalErrors,
            AuditTrail,
            PermissionGate,
            AuditEachEvent,  # after the gate: see AuditEachEvent
            *charge,
        ],
        config=StrawberryConfig(scalar_map=SCALARS),
    )
    _check_governed_fields_nullable(schema)
    return schema
