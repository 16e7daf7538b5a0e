"""An agreement version's life: proposed → active once every party's steward has signed →
suspended (and resumed) or revoked; an amendment is a new version that supersedes the
active one when it is fully signed. Expiry needs no transition: a version stops applying
the instant its window ends."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db import models
from liaison.db.agreements import aware_utc, bump_policy_epoch
from liaison.permissions.policy import Level, Scope
from liaison.permissions.policy_file import AgreementSpec, GrantSpec

# Which status may follow which, by explicit steward action. A proposal becomes active only
# through the last signature (see ``sign``), never by a transition.
TRANSITIONS: dict[str, frozenset[str]] = {
    "proposed": frozenset({"revoked"}),
    "active": frozenset({"suspended", "revoked", "superseded"}),
    "suspended": frozenset({"active", "revoked"}),
    "superseded": frozenset(),
    "revoked": frozenset(),
}


class LifecycleError(ValueError):
    """The requested step does not follow from the version's status."""


@dataclass(frozen=True)
class StoredVersion:
    agreement: models.Agreement
    version: models.AgreementVersion
    parties: dict[str, models.AgreementParty]  # department code -> party row

    def effective_status(self, now: dt.datetime) -> str:
        if self.version.status in {"active", "suspended"} and now >= aware_utc(
            self.version.valid_until
        ):
            return "expired"
        return self.version.status

    @property
    def unsigned(self) -> list[str]:
        return sorted(code for code, party in self.parties.items() if party.signed_at is None)


async def find_version(
    session: AsyncSession, code: str, version: int | None = None
) -> StoredVersion | None:
    """The given version, or the one that governs now: active or suspended if any, else
    the latest."""
    agreement = await session.scalar(select(models.Agreement).where(models.Agreement.code == code))
    if agreement is None:
        return None
    versions = select(models.AgreementVersion).where(
        models.AgreementVersion.agreement_id == agreement.id
    )
    if version is not None:
        row = await session.scalar(versions.where(models.AgreementVersion.version == version))
    else:
        row = await session.scalar(
            versions.where(models.AgreementVersion.status.in_(("active", "suspended")))
        ) or await session.scalar(versions.order_by(models.AgreementVersion.version.desc()))
    if row is None:
        return None
    return StoredVersion(agreement, row, await _parties(session, row.id))


async def _parties(session: AsyncSession, version_id: int) -> dict[str, models.AgreementParty]:
    rows = await session.execute(
        select(models.Department.code, models.AgreementParty)
        .join(models.AgreementParty, models.AgreementParty.department_id == models.Department.id)
        .where(models.AgreementParty.agreement_version_id == version_id)
    )
    return {code: party for code, party in rows}


async def spec_of(session: AsyncSession, stored: StoredVersion) -> AgreementSpec:
    """The version as a policy file states it: grants with the same terms are merged back
    into one grant with several consumers."""
    codes = {
        id_: code
        for id_, code in await session.execute(select(models.Department.id, models.Department.code))
    }
    grants = await session.scalars(
        select(models.Grant)
        .where(models.Grant.agreement_version_id == stored.version.id)
        .order_by(models.Grant.id)
    )
    specs = [
        GrantSpec(
            provider=codes[g.provider_id],
            consumer=codes[g.consumer_id],
            record_type=g.record_type,
            fields={name: Level[level.upper()] for name, level in g.fields.items()},
            scope=Scope.from_mapping(g.scope),
            purposes=frozenset(g.purposes),
            during=g.during,
        )
        for g in grants
    ]
    version = stored.version
    return AgreementSpec(
        code=stored.agreement.code,
        title=version.title,
        legal_basis=version.legal_basis,
        purposes=tuple(version.purposes),
        valid_from=aware_utc(version.valid_from),
        valid_until=aware_utc(version.valid_until),
        parties=tuple(stored.parties),
        grants=tuple(specs),
    )


async def transition(session: AsyncSession, stored: StoredVersion, target: str) -> None:
    current = stored.version.status
    if target not in TRANSITIONS.get(current, frozenset()):
        raise LifecycleError(f"a {current} agreement version cannot become {target}")
    stored.version.status = target
    await bump_policy_epoch(session)
    await session.flush()


async def sign(
    session: AsyncSession, stored: StoredVersion, *, department: str, signer: str
) -> bool:
    """Records ``department``'s signature; returns True when it completed the set and the
    version became active (superseding the version that was active before)."""
    if stored.version.status != "proposed":
        raise LifecycleError(
            f"only a proposed version can be signed; this one is {stored.version.status}"
        )
    party = stored.parties.get(department)
    if party is None:
        raise LifecycleError(f"{department} is not a party to {stored.agreement.code}")
    if party.signed_at is not None:
        raise LifecycleError(f"{department} has already signed this version")
    party.signed_at = dt.datetime.now(dt.UTC)
    party.signed_by = signer
    await session.flush()
    if stored.unsigned:
        return False
    previous = await session.scalars(
        select(models.AgreementVersion).where(
            models.AgreementVersion.agreement_id == stored.agreement.id,
            models.AgreementVersion.status.in_(("active", "suspended")),
        )
    )
    for older in previous:
        older.status = "superseded"
    stored.version.status = "active"
    await bump_policy_epoch(session)
    await session.flush()
    return True
