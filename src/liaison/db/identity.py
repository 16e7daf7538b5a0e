"""Registered clients and revocations, as stored. Callers own the transaction."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, literal, select, union_all, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db import models
from liaison.db.directory import UnknownDepartment
from liaison.db.identity_models import OAuthClient, RevokedClient, RevokedToken


@dataclass(frozen=True)
class RegisteredClient:
    client_id: str
    name: str
    department: str
    roles: tuple[str, ...]
    secret_hash: str
    created_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @classmethod
    def of(cls, row: OAuthClient) -> RegisteredClient:
        return cls(
            client_id=row.client_id,
            name=row.name,
            department=row.department,
            roles=tuple(str(role) for role in row.roles),
            secret_hash=row.secret_hash,
            created_at=row.created_at,
            revoked_at=row.revoked_at,
        )


class Revoked(enum.StrEnum):
    TOKEN = "token"  # noqa: S105 - a kind of revocation, not a password
    CLIENT = "client"


async def add_client(
    session: AsyncSession,
    *,
    client_id: str,
    name: str,
    department: str,
    roles: Sequence[str],
    secret_hash: str,
) -> RegisteredClient:
    """Register a client of a department that exists. Raises UnknownDepartment otherwise."""
    known = await session.scalar(
        select(models.Department.id).where(models.Department.code == department)
    )
    if known is None:
        raise UnknownDepartment(department)
    row = OAuthClient(
        client_id=client_id,
        name=name,
        department=department,
        roles=list(roles),
        secret_hash=secret_hash,
    )
    session.add(row)
    await session.flush()
    await session.refresh(row)
    return RegisteredClient.of(row)


async def active_clients(
    session: AsyncSession, client_ids: Iterable[str]
) -> dict[str, RegisteredClient]:
    """The clients among ``client_ids`` that exist and are not revoked, by client_id."""
    wanted = sorted(set(client_ids))
    if not wanted:
        return {}
    rows = await session.scalars(
        select(OAuthClient).where(
            OAuthClient.client_id.in_(wanted), OAuthClient.revoked_at.is_(None)
        )
    )
    return {row.client_id: RegisteredClient.of(row) for row in rows}


async def list_clients(session: AsyncSession) -> list[RegisteredClient]:
    rows = await session.scalars(select(OAuthClient).order_by(OAuthClient.id))
    return [RegisteredClient.of(row) for row in rows]


async def revoke_client(
    session: AsyncSession, client_id: str, *, now: dt.datetime, reason: str | None = None
) -> tuple[bool, bool]:
    """Refuse every token naming ``client_id`` from now on, and stop a registered client
    from getting new ones. Returns (was it a registered client, was it newly revoked)."""
    registered = await session.execute(
        update(OAuthClient)
        .where(OAuthClient.client_id == client_id, OAuthClient.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    is_registered = (
        await session.scalar(select(OAuthClient.id).where(OAuthClient.client_id == client_id))
        is not None
    )
    newly = await _insert_once(
        session, RevokedClient(client_id=client_id, revoked_at=now, reason=reason)
    )
    return is_registered, newly or bool(getattr(registered, "rowcount", 0))


async def revoke_token(
    session: AsyncSession,
    jti: str,
    *,
    expires_at: dt.datetime,
    now: dt.datetime,
    reason: str | None = None,
) -> bool:
    """Refuse the token with this ``jti`` until ``expires_at``. Returns False when it was
    already revoked (its retention is then extended to ``expires_at`` if that is later)."""
    # UTC throughout: SQLite keeps the wall-clock digits and drops the offset.
    expires_at, now = expires_at.astimezone(dt.UTC), now.astimezone(dt.UTC)
    newly = await _insert_once(
        session, RevokedToken(jti=jti, expires_at=expires_at, revoked_at=now, reason=reason)
    )
    if not newly:
        await session.execute(
            update(RevokedToken)
            .where(RevokedToken.jti == jti, RevokedToken.expires_at < expires_at)
            .values(expires_at=expires_at)
        )
    return newly


async def revocation_of(session: AsyncSession, *, jti: str, client_id: str) -> Revoked | None:
    """Whether a token is revoked, by its jti or its client: one statement, two probes of
    unique indexes, so it can run on every request."""
    statement = union_all(
        select(literal(Revoked.TOKEN.value).label("kind")).where(RevokedToken.jti == jti),
        select(literal(Revoked.CLIENT.value).label("kind")).where(
            RevokedClient.client_id == client_id
        ),
    ).limit(1)
    kind = await session.scalar(statement)
    return None if kind is None else Revoked(kind)


async def purge_revoked_tokens(session: AsyncSession, *, now: dt.datetime) -> int:
    """Forget revocations of tokens that have expired (they are refused anyway)."""
    now = now.astimezone(dt.UTC)
    result = await session.execute(delete(RevokedToken).where(RevokedToken.expires_at < now))
    return int(getattr(result, "rowcount", 0) or 0)


async def _insert_once(session: AsyncSession, row: RevokedToken | RevokedClient) -> bool:
    if isinstance(row, RevokedToken):
        existing = select(RevokedToken.id).where(RevokedToken.jti == row.jti)
    else:
        existing = select(RevokedClient.id).where(RevokedClient.client_id == row.client_id)
    if await session.scalar(existing) is not None:
        return False
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:  # revoked by another process meanwhile: the same outcome
        return False
    return True
