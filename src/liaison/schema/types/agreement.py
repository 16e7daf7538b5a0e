"""Agreements as stewards and clients see them. Governance data, not a shared record."""

from __future__ import annotations

import datetime as dt
import enum

import strawberry

from liaison.permissions.policy import GrantTerms, Scope
from liaison.permissions.policy_file import AgreementSpec


@strawberry.enum(description="How much of a field a grant shares.")
class GrantLevel(enum.Enum):
    FULL = "full"
    MASKED = "masked"


@strawberry.type(description="Which enterprises a grant covers; no facet given: every one.")
class GrantScope:
    zones: list[str]
    industries: list[str]
    enterprises: list[str]

    @classmethod
    def of(cls, scope: Scope) -> GrantScope:
        return cls(
            zones=sorted(scope.zones),
            industries=sorted(scope.industries),
            enterprises=sorted(scope.enterprises),
        )


@strawberry.type
class GrantedField:
    field: str
    level: GrantLevel


@strawberry.type(description="provider → consumer: one record type, its listed fields only.")
class AgreementGrant:
    provider: str
    consumer: str
    record_type: str
    fields: list[GrantedField]
    scope: GrantScope
    purposes: list[str]
    during: str | None = strawberry.field(
        description='"incident": applies only during an incident the consumer acknowledged; '
        "null: a standing grant."
    )


@strawberry.type
class AgreementParty:
    department: str
    signed_at: dt.datetime | None
    signed_by: str | None


@strawberry.type(description="One version of a memorandum between departments.")
class Agreement:
    code: str
    version: int
    status: str = strawberry.field(
        description="proposed, active, suspended, superseded, revoked, or expired "
        "(active or suspended past its validity window)."
    )
    title: str
    legal_basis: str
    purposes: list[str]
    valid_from: dt.datetime
    valid_until: dt.datetime
    parties: list[AgreementParty]
    grants: list[AgreementGrant]

    @classmethod
    def of(
        cls, spec: AgreementSpec, *, version: int, status: str, parties: list[AgreementParty]
    ) -> Agreement:
        return cls(
            code=spec.code,
            version=version,
            status=status,
            title=spec.title,
            legal_basis=spec.legal_basis,
            purposes=list(spec.purposes),
            valid_from=spec.valid_from,
            valid_until=spec.valid_until,
            parties=parties,
            grants=[
                AgreementGrant(
                    provider=g.provider,
                    consumer=g.consumer,
                    record_type=g.record_type,
                    fields=[
                        GrantedField(field=name, level=GrantLevel(level.name.lower()))
                        for name, level in sorted(g.fields.items())
                    ],
                    scope=GrantScope.of(g.scope),
                    purposes=sorted(g.purposes),
                    during=g.during,
                )
                for g in spec.grants
            ],
        )


@strawberry.type(description="A field the caller's department may see, and on what terms.")
class EffectiveGrant:
    provider: str
    record_type: str
    field: str
    level: GrantLevel
    purposes: list[str]
    scope: GrantScope
    agreement: str
    agreement_version: int
    valid_until: dt.datetime
    during: str | None = strawberry.field(
        description='"incident": only for emergency_response, with the case reference of an '
        "open incident your department acknowledged, for records of its zone; null: standing."
    )

    @classmethod
    def all_of(cls, grants: tuple[GrantTerms, ...]) -> list[EffectiveGrant]:
        return [
            cls(
                provider=g.provider,
                record_type=g.record_type,
                field=name,
                level=GrantLevel(level.name.lower()),
                purposes=sorted(g.purposes),
                scope=GrantScope.of(g.scope),
                agreement=g.agreement.code,
                agreement_version=g.agreement.version,
                valid_until=g.agreement.valid_until,
                during=g.during,
            )
            # Standing grants before those that apply only during an incident.
            for g in sorted(
                grants,
                key=lambda g: (g.provider, g.record_type, g.agreement.code, g.during is not None),
            )
            for name, level in sorted(g.fields.items())
        ]


@strawberry.type(description="A field a department would gain, lose, or see at another level.")
class GrantChange:
    provider: str
    consumer: str
    record_type: str
    field: str
    during: str | None
    before: GrantLevel | None
    after: GrantLevel | None
    purposes_before: list[str]
    purposes_after: list[str]
