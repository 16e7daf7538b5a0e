"""Agreements as stored: their grant terms for the policy compiler, and the epoch counter
that tells every process sharing the database when to recompile."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db import models
from liaison.db.changes import notify_listeners
from liaison.db.directory import UnknownDepartment
from liaison.permissions.policy import AgreementRef, GrantTerms, Level, Scope
from liaison.permissions.policy_file import AgreementSpec


def aware_utc(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; everything Liaison stores is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


async def load_grant_terms(
    session: AsyncSession, *, consumer_id: int | None = None
) -> list[GrantTerms]:
    provider = models.Department.__table__.alias("provider")
    consumer = models.Department.__table__.alias("consumer")
    version = models.AgreementVersion
    statement = (
        select(
            models.Grant,
            version,
            models.Agreement.code,
            provider.c.code.label("provider_code"),
            consumer.c.code.label("consumer_code"),
        )
        .join(version, version.id == models.Grant.agreement_version_id)
        .join(models.Agreement, models.Agreement.id == version.agreement_id)
        .join(provider, provider.c.id == models.Grant.provider_id)
        .join(consumer, consumer.c.id == models.Grant.consumer_id)
        .where(version.status.in_(("active", "suspended", "revoked", "expired", "proposed")))
    )
    if consumer_id is not None:
        statement = statement.where(models.Grant.consumer_id == consumer_id)
    terms = []
    for grant, agreement_version, code, provider_code, consumer_code in await session.execute(
        statement
    ):
        terms.append(
            GrantTerms(
                agreement=AgreementRef(
                    agreement_id=agreement_version.agreement_id,
                    code=code,
                    version=agreement_version.version,
                    valid_until=aware_utc(agreement_version.valid_until),
                ),
                status=agreement_version.status,
                valid_from=aware_utc(agreement_version.valid_from),
                provider=provider_code,
                consumer=consumer_code,
                record_type=grant.record_type,
                fields={name: Level[level.upper()] for name, level in grant.fields.items()},
                scope=Scope.from_mapping(grant.scope),
                purposes=frozenset(grant.purposes),
                during=grant.during,
            )
        )
    return terms


async def policy_epoch(session: AsyncSession) -> int:
    epoch = await session.scalar(select(models.PolicyEpoch.epoch).where(models.PolicyEpoch.id == 1))
    return int(epoch or 0)


async def bump_policy_epoch(session: AsyncSession) -> None:
    """Call in the same transaction as any agreement change."""
    await session.execute(
        update(models.PolicyEpoch)
        .where(models.PolicyEpoch.id == 1)
        .values(epoch=models.PolicyEpoch.epoch + 1)
    )
    await notify_listeners(session)


async def store_agreement(
    session: AsyncSession,
    spec: AgreementSpec,
    *,
    status: str,
    created_by: str,
    signed_at: dt.datetime | None = None,
) -> int:
    """Stores ``spec`` as a new agreement, or as the next version of the agreement with its
    code. Returns the version number. Bumps the policy epoch in the same transaction."""
    ids = {
        code: id_
        for code, id_ in await session.execute(select(models.Department.code, models.Department.id))
    }
    missing = sorted({*spec.parties} - ids.keys())
    if missing:
        raise UnknownDepartment(f"unknown department(s): {', '.join(missing)}")
    agreement = await session.scalar(
        select(models.Agreement).where(models.Agreement.code == spec.code)
    )
    if agreement is None:
        agreement = models.Agreement(code=spec.code, current_version=1)
        session.add(agreement)
        await session.flush()
        number = 1
    else:
        number = agreement.current_version + 1
        agreement.current_version = number
    version = models.AgreementVersion(
        agreement_id=agreement.id,
        version=number,
        title=spec.title,
        legal_basis=spec.legal_basis,
        purposes=list(spec.purposes),
        valid_from=spec.valid_from,
        valid_until=spec.valid_until,
        status=status,
        created_by=created_by,
    )
    session.add(version)
    await session.flush()
    session.add_all(
        models.AgreementParty(
            agreement_version_id=version.id,
            department_id=ids[party],
            signed_at=signed_at,
            signed_by=f"steward of {party}" if signed_at else None,
        )
        for party in spec.parties
    )
    session.add_all(
        models.Grant(
            agreement_version_id=version.id,
            provider_id=ids[grant.provider],
            consumer_id=ids[grant.consumer],
            record_type=grant.record_type,
            fields={name: level.name.lower() for name, level in grant.fields.items()},
            scope=grant.scope.as_mapping(),
            purposes=sorted(grant.purposes),
            during=grant.during,
        )
        for grant in spec.grants
    )
    await bump_policy_epoch(session)
    await session.flush()
    return number
