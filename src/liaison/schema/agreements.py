"""Stewards manage agreements at runtime: propose, amend, sign, suspend, resume, revoke;
preview what an amendment would change before signing it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db import models
from liaison.db.agreement_lifecycle import (
    LifecycleError,
    StoredVersion,
    find_version,
    sign,
    spec_of,
    transition,
)
from liaison.db.agreements import store_agreement
from liaison.db.directory import UnknownDepartment
from liaison.permissions.policy import Level
from liaison.permissions.policy_file import AgreementSpec, PolicyFileError, parse_agreement
from liaison.permissions.principal import Role
from liaison.schema.context import Context
from liaison.schema.errors import bad_input, forbidden
from liaison.schema.mutations import InputError
from liaison.schema.types.agreement import (
    Agreement,
    AgreementParty,
    GrantChange,
    GrantLevel,
)

Info = strawberry.Info[Context, None]


@strawberry.input
class GrantScopeInput:
    zones: list[str] | None = None
    industries: list[str] | None = None
    enterprises: list[str] | None = None


@strawberry.input
class GrantedFieldInput:
    field: str
    level: GrantLevel


@strawberry.input(description="Grants from provider to each consumer; fields listed one by one.")
class GrantInput:
    provider: str
    consumers: list[str]
    record_type: str
    fields: list[GrantedFieldInput]
    purposes: list[str] | None = None
    scope: GrantScopeInput | None = None
    during: str | None = strawberry.field(
        default=None,
        description='"incident": the grant applies only during an incident, for '
        "emergency_response, to departments that acknowledged it, for the incident's zone. "
        "Left out: a standing grant.",
    )


@strawberry.input(description="The terms of an agreement, as in a policy file.")
class AgreementInput:
    code: str
    title: str
    legal_basis: str
    purposes: list[str]
    valid_from: dt.datetime
    valid_until: dt.datetime
    parties: list[str]
    grants: list[GrantInput]


@strawberry.type
class AgreementPayload:
    agreement: Agreement | None = None
    errors: list[InputError] = strawberry.field(default_factory=list)


def _as_policy(terms: AgreementInput) -> dict[str, object]:
    return {
        "agreement": terms.code,
        "title": terms.title,
        "legal_basis": terms.legal_basis,
        "purposes": terms.purposes,
        "valid_from": terms.valid_from,
        "valid_until": terms.valid_until,
        "parties": terms.parties,
        "grants": [
            {
                "provider": g.provider,
                "consumers": g.consumers,
                "record_type": g.record_type,
                "fields": {f.field: f.level.value for f in g.fields},
                **({"purposes": g.purposes} if g.purposes is not None else {}),
                **({"during": g.during} if g.during is not None else {}),
                **(
                    {"scope": {k: v for k, v in vars(g.scope).items() if v is not None}}
                    if g.scope is not None
                    else {}
                ),
            }
            for g in terms.grants
        ],
    }


def _parse(terms: AgreementInput) -> AgreementSpec | InputError:
    try:
        return parse_agreement(_as_policy(terms))
    except PolicyFileError as exc:
        return InputError(field="input", rule="policy", message=str(exc))


def _steward(context: Context) -> str:
    if not context.principal.has(Role.STEWARD):
        raise forbidden("Managing agreements needs the steward role.", role="steward")
    return context.principal.department


async def _view(session: AsyncSession, stored: StoredVersion) -> Agreement:
    now = dt.datetime.now(dt.UTC)
    return Agreement.of(
        await spec_of(session, stored),
        version=stored.version.version,
        status=stored.effective_status(now),
        parties=[
            AgreementParty(department=code, signed_at=p.signed_at, signed_by=p.signed_by)
            for code, p in sorted(stored.parties.items())
        ],
    )


def _may_read(context: Context, stored: StoredVersion) -> bool:
    return context.principal.has(Role.ADMIN) or context.department in stored.parties


def _changes(before: AgreementSpec | None, after: AgreementSpec) -> list[GrantChange]:
    def fields(
        spec: AgreementSpec | None,
    ) -> dict[tuple[str, str, str, str, str], tuple[Level, set[str]]]:
        found: dict[tuple[str, str, str, str, str], tuple[Level, set[str]]] = {}
        for grant in spec.grants if spec else ():
            for name, level in grant.fields.items():
                during = grant.during or ""
                key = (grant.provider, grant.consumer, grant.record_type, name, during)
                old_level, purposes = found.get(key, (Level.NONE, set()))
                found[key] = (max(old_level, level), purposes | set(grant.purposes))
        return found

    old, new = fields(before), fields(after)
    changes = []
    for key in sorted(old.keys() | new.keys()):
        (level_before, purposes_before) = old.get(key, (Level.NONE, set()))
        (level_after, purposes_after) = new.get(key, (Level.NONE, set()))
        if (level_before, purposes_before) == (level_after, purposes_after):
            continue
        changes.append(
            GrantChange(
                provider=key[0],
                consumer=key[1],
                record_type=key[2],
                field=key[3],
                during=key[4] or None,
                before=_level(level_before),
                after=_level(level_after),
                purposes_before=sorted(purposes_before),
                purposes_after=sorted(purposes_after),
            )
        )
    return changes


def _level(level: Level) -> GrantLevel | None:
    return None if level is Level.NONE else GrantLevel(level.name.lower())


async def _codes(session: AsyncSession) -> Iterable[str]:
    return await session.scalars(select(models.Agreement.code).order_by(models.Agreement.code))


@strawberry.type
class AgreementQuery:
    @strawberry.field(description="Agreements your department is a party to (admins: all).")
    async def agreements(self, info: Info) -> list[Agreement]:
        context = info.context
        found = []
        async with context.database() as session:
            for code in list(await _codes(session)):
                stored = await find_version(session, code)
                if stored is not None and _may_read(context, stored):
                    found.append(await _view(session, stored))
        return found

    @strawberry.field(
        description="One agreement: the version in force (or the latest), or the given one. "
        "Old versions stay readable: audit records point at them."
    )
    async def agreement(
        self, info: Info, code: str, version: int | None = None
    ) -> Agreement | None:
        context = info.context
        async with context.database() as session:
            stored = await find_version(session, code, version)
            if stored is None or not _may_read(context, stored):
                return None
            return await _view(session, stored)

    @strawberry.field(
        description="What an amendment would change: for each provider, consumer, record type "
        "and field, the level and purposes before and after."
    )
    async def preview_amendment(self, info: Info, input: AgreementInput) -> list[GrantChange]:
        context = info.context
        _steward(context)
        parsed = _parse(input)
        if isinstance(parsed, InputError):
            raise bad_input(parsed.message, field="input")
        async with context.database() as session:
            stored = await find_version(session, parsed.code)
            if stored is not None and not _may_read(context, stored):
                stored = None
            before = await spec_of(session, stored) if stored is not None else None
        return _changes(before, parsed)


@strawberry.type
class AgreementMutation:
    @strawberry.mutation(
        description="Propose a new agreement, or an amendment of an existing one (a new "
        "version). It applies once every party's steward has signed it."
    )
    async def propose_agreement(self, info: Info, input: AgreementInput) -> AgreementPayload:
        context = info.context
        department = _steward(context)
        parsed = _parse(input)
        if isinstance(parsed, InputError):
            return AgreementPayload(errors=[parsed])
        if department not in parsed.parties:
            return AgreementPayload(
                errors=[
                    InputError(
                        field="parties",
                        rule="party",
                        message="your department must be a party to what it proposes",
                    )
                ]
            )
        async with context.database() as session, session.begin_nested():
            pending = await find_version(session, parsed.code)
            if pending is not None and pending.version.status == "proposed":
                return AgreementPayload(
                    errors=[
                        InputError(
                            field="code",
                            rule="pending",
                            message=f"version {pending.version.version} is still awaiting "
                            "signatures: sign or revoke it first",
                        )
                    ]
                )
            if pending is not None and not _may_read(context, pending):
                return AgreementPayload(
                    errors=[InputError(field="code", rule="unique", message="code is taken")]
                )
            try:
                number = await store_agreement(
                    session, parsed, status="proposed", created_by=context.principal.subject
                )
            except UnknownDepartment as exc:
                return AgreementPayload(
                    errors=[InputError(field="parties", rule="exists", message=str(exc))]
                )
            stored = await find_version(session, parsed.code, number)
            assert stored is not None
            return AgreementPayload(agreement=await _view(session, stored))

    @strawberry.mutation(description="Sign a proposed version for your department.")
    async def sign_agreement(self, info: Info, code: str, version: int) -> AgreementPayload:
        return await _act(info, code, version, "sign")

    @strawberry.mutation(description="Suspend the agreement in force: it stops applying now.")
    async def suspend_agreement(self, info: Info, code: str) -> AgreementPayload:
        return await _act(info, code, None, "suspended")

    @strawberry.mutation(description="Resume a suspended agreement.")
    async def resume_agreement(self, info: Info, code: str) -> AgreementPayload:
        return await _act(info, code, None, "active")

    @strawberry.mutation(description="Revoke an agreement for good (or withdraw a proposal).")
    async def revoke_agreement(
        self, info: Info, code: str, version: int | None = None
    ) -> AgreementPayload:
        return await _act(info, code, version, "revoked")


async def _act(info: Info, code: str, version: int | None, action: str) -> AgreementPayload:
    context = info.context
    department = _steward(context)
    async with context.database() as session, session.begin_nested():
        stored = await find_version(session, code, version)
        # Not a party: answered like an agreement that does not exist.
        if stored is None or department not in stored.parties:
            return AgreementPayload(
                errors=[InputError(field="code", rule="exists", message="no such agreement")]
            )
        if stored.effective_status(dt.datetime.now(dt.UTC)) == "expired":
            return AgreementPayload(
                errors=[
                    InputError(field="code", rule="expired", message="the agreement has expired")
                ]
            )
        try:
            if action == "sign":
                await sign(session, stored, department=department, signer=context.principal.subject)
            else:
                await transition(session, stored, action)
        except LifecycleError as exc:
            return AgreementPayload(
                errors=[
                    InputError(
                        field="version" if version else "code", rule="lifecycle", message=str(exc)
                    )
                ]
            )
        return AgreementPayload(agreement=await _view(session, stored))
