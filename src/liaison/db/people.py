"""People and their sign-ins, as stored: users, authorization codes, refresh token families
and failed attempts. Callers own the transaction, and hash every secret before it gets
here (nothing in this module sees a password, a code or a refresh token in the clear).

Times are bound and compared in UTC (SQLite keeps the wall-clock digits only).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db import models
from liaison.db.audit import utc
from liaison.db.directory import UnknownDepartment
from liaison.db.identity import revoke_token
from liaison.db.people_models import (
    AuthorizationCode,
    LoginFailure,
    RefreshFamily,
    RefreshToken,
    UserAccount,
)

# Lowercase, so that "Alice" and "alice" are never two people; dots for
# "<department>.<role>"-style names.
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")


class UserExists(ValueError):
    """A username already taken."""


class UnknownUser(LookupError):
    """A username that names nobody."""


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    username: str
    display_name: str
    department: str
    roles: tuple[str, ...]
    password_hash: str
    disabled: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    password_changed_at: dt.datetime

    @property
    def subject(self) -> str:
        """``sub`` of this person's access tokens, and their subject in the audit trail."""
        return f"user:{self.username}"

    @classmethod
    def of(cls, row: UserAccount) -> Person:
        return cls(
            id=row.id,
            username=row.username,
            display_name=row.display_name,
            department=row.department,
            roles=tuple(str(role) for role in row.roles),
            password_hash=row.password_hash,
            disabled=bool(row.disabled),
            created_at=utc(row.created_at),
            updated_at=utc(row.updated_at),
            password_changed_at=utc(row.password_changed_at),
        )


# ---------------------------------------------------------------------------------------
# Users


async def add_user(
    session: AsyncSession,
    *,
    username: str,
    display_name: str,
    department: str,
    roles: Sequence[str],
    password_hash: str,
    now: dt.datetime,
) -> Person:
    """Raises UnknownDepartment, or UserExists when the name is taken."""
    if not USERNAME.fullmatch(username):
        raise ValueError("username must match [a-z0-9][a-z0-9._-]{1,63}")
    known = await session.scalar(
        select(models.Department.id).where(models.Department.code == department)
    )
    if known is None:
        raise UnknownDepartment(department)
    if await session.scalar(select(UserAccount.id).where(UserAccount.username == username)):
        raise UserExists(username)
    now = utc(now)
    row = UserAccount(
        username=username,
        display_name=display_name,
        department=department,
        roles=list(roles),
        password_hash=password_hash,
        disabled=False,
        created_at=now,
        updated_at=now,
        password_changed_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:  # added by another process meanwhile
        raise UserExists(username) from None
    return Person.of(row)


async def find_user(session: AsyncSession, username: str) -> Person | None:
    if not USERNAME.fullmatch(username):
        return None
    row = await session.scalar(select(UserAccount).where(UserAccount.username == username))
    return None if row is None else Person.of(row)


async def user_by_id(session: AsyncSession, user_id: int) -> Person | None:
    row = await session.get(UserAccount, user_id)
    return None if row is None else Person.of(row)


async def list_users(session: AsyncSession) -> list[Person]:
    rows = await session.scalars(select(UserAccount).order_by(UserAccount.username))
    return [Person.of(row) for row in rows]


async def set_disabled(
    session: AsyncSession, username: str, *, disabled: bool, now: dt.datetime
) -> tuple[Person, bool]:
    """Returns the person and whether anything changed. Disabling also ends every sign-in
    of theirs (:func:`end_sign_ins`). Raises UnknownUser."""
    row = await session.scalar(select(UserAccount).where(UserAccount.username == username))
    if row is None:
        raise UnknownUser(username)
    changed = bool(row.disabled) != disabled
    if changed:
        row.disabled = disabled
        row.updated_at = utc(now)
    await session.flush()
    if disabled:
        await end_sign_ins(session, row.id, now=now, reason="user disabled")
    return Person.of(row), changed


async def set_password(
    session: AsyncSession, username: str, password_hash: str, *, now: dt.datetime, reason: str
) -> Person:
    """A new password hash; ``reason`` given, every sign-in of theirs ends too (a reset by
    an operator). Raises UnknownUser."""
    row = await session.scalar(select(UserAccount).where(UserAccount.username == username))
    if row is None:
        raise UnknownUser(username)
    row.password_hash = password_hash
    row.updated_at = row.password_changed_at = utc(now)
    await session.flush()
    await end_sign_ins(session, row.id, now=now, reason=reason)
    return Person.of(row)


async def rehash_password(session: AsyncSession, user_id: int, password_hash: str) -> None:
    """The same password under today's hash parameters (after a successful sign-in)."""
    await session.execute(
        update(UserAccount).where(UserAccount.id == user_id).values(password_hash=password_hash)
    )


# ---------------------------------------------------------------------------------------
# Sign-ins: refresh families and the access tokens issued with them


@dataclass(frozen=True, slots=True)
class Family:
    id: int
    user_id: int
    client_id: str
    roles: tuple[str, ...]
    created_at: dt.datetime
    absolute_expires_at: dt.datetime
    revoked_at: dt.datetime | None
    revoked_reason: str | None


@dataclass(frozen=True, slots=True)
class StoredRefresh:
    id: int
    family: Family
    issued_at: dt.datetime
    idle_expires_at: dt.datetime
    rotated_at: dt.datetime | None
    access_jti: str


async def start_family(
    session: AsyncSession,
    *,
    user_id: int,
    client_id: str,
    roles: Sequence[str],
    now: dt.datetime,
    absolute_lifetime: dt.timedelta,
) -> int:
    row = RefreshFamily(
        user_id=user_id,
        client_id=client_id,
        roles=list(roles),
        created_at=utc(now),
        absolute_expires_at=utc(now) + absolute_lifetime,
    )
    session.add(row)
    await session.flush()
    return row.id


async def add_refresh_token(
    session: AsyncSession,
    *,
    family_id: int,
    token_hash: str,
    now: dt.datetime,
    idle_expires_at: dt.datetime,
    access_jti: str,
    access_expires_at: dt.datetime,
) -> None:
    session.add(
        RefreshToken(
            token_hash=token_hash,
            family_id=family_id,
            issued_at=utc(now),
            idle_expires_at=utc(idle_expires_at),
            access_jti=access_jti,
            access_expires_at=utc(access_expires_at),
        )
    )
    await session.flush()


async def refresh_by_hash(session: AsyncSession, token_hash: str) -> StoredRefresh | None:
    found = (
        await session.execute(
            select(RefreshToken, RefreshFamily)
            .join(RefreshFamily, RefreshFamily.id == RefreshToken.family_id)
            .where(RefreshToken.token_hash == token_hash)
        )
    ).one_or_none()
    if found is None:
        return None
    token, family = found
    return StoredRefresh(
        id=token.id,
        family=_family(family),
        issued_at=utc(token.issued_at),
        idle_expires_at=utc(token.idle_expires_at),
        rotated_at=None if token.rotated_at is None else utc(token.rotated_at),
        access_jti=token.access_jti,
    )


async def family_of_access_token(session: AsyncSession, jti: str) -> Family | None:
    """The sign-in an access token was issued in, by its jti."""
    row = await session.scalar(
        select(RefreshFamily)
        .join(RefreshToken, RefreshToken.family_id == RefreshFamily.id)
        .where(RefreshToken.access_jti == jti)
    )
    return None if row is None else _family(row)


async def family_by_id(session: AsyncSession, family_id: int) -> Family | None:
    row = await session.get(RefreshFamily, family_id)
    return None if row is None else _family(row)


def _family(row: RefreshFamily) -> Family:
    return Family(
        id=row.id,
        user_id=row.user_id,
        client_id=row.client_id,
        roles=tuple(str(role) for role in row.roles),
        created_at=utc(row.created_at),
        absolute_expires_at=utc(row.absolute_expires_at),
        revoked_at=None if row.revoked_at is None else utc(row.revoked_at),
        revoked_reason=row.revoked_reason,
    )


async def rotate(session: AsyncSession, token_id: int, *, now: dt.datetime) -> bool:
    """Marks a refresh token replaced. False when it already was (a concurrent refresh with
    the same token won): the caller must treat that as reuse."""
    result = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == token_id, RefreshToken.rotated_at.is_(None))
        .values(rotated_at=utc(now))
    )
    return bool(getattr(result, "rowcount", 0))


async def revoke_family(
    session: AsyncSession, family_id: int, *, now: dt.datetime, reason: str
) -> int:
    """Ends a sign-in: no refresh token of the family is accepted again, and each access
    token issued in it that has not expired is refused by its jti from the next request
    on. Returns how many access tokens were revoked. Revoking twice keeps the first
    reason."""
    now = utc(now)
    await session.execute(
        update(RefreshFamily)
        .where(RefreshFamily.id == family_id, RefreshFamily.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason[:64])
    )
    live = await session.execute(
        select(RefreshToken.access_jti, RefreshToken.access_expires_at).where(
            RefreshToken.family_id == family_id, RefreshToken.access_expires_at > now
        )
    )
    revoked = 0
    for jti, expires_at in live.all():
        revoked += await revoke_token(
            session, jti, expires_at=utc(expires_at), now=now, reason=reason[:200]
        )
    return revoked


async def end_sign_ins(
    session: AsyncSession, user_id: int, *, now: dt.datetime, reason: str
) -> int:
    """Revokes every sign-in of a user that is not revoked yet; returns how many."""
    families = list(
        await session.scalars(
            select(RefreshFamily.id).where(
                RefreshFamily.user_id == user_id, RefreshFamily.revoked_at.is_(None)
            )
        )
    )
    for family_id in families:
        await revoke_family(session, family_id, now=now, reason=reason)
    return len(families)


# ---------------------------------------------------------------------------------------
# Authorization codes


@dataclass(frozen=True, slots=True)
class StoredCode:
    id: int
    client_id: str
    redirect_uri: str
    code_challenge: str
    code_challenge_method: str
    scope: str
    user_id: int
    created_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None
    family_id: int | None


async def store_code(
    session: AsyncSession,
    *,
    code_hash: str,
    client_id: str,
    redirect_uri: str,
    code_challenge: str,
    code_challenge_method: str,
    scope: str,
    user_id: int,
    now: dt.datetime,
    lifetime: dt.timedelta,
) -> None:
    session.add(
        AuthorizationCode(
            code_hash=code_hash,
            client_id=client_id,
            redirect_uri=redirect_uri,
            code_challenge=code_challenge,
            code_challenge_method=code_challenge_method,
            scope=scope,
            user_id=user_id,
            created_at=utc(now),
            expires_at=utc(now) + lifetime,
        )
    )
    await session.flush()


async def code_by_hash(session: AsyncSession, code_hash: str) -> StoredCode | None:
    row = await session.scalar(
        select(AuthorizationCode).where(AuthorizationCode.code_hash == code_hash)
    )
    if row is None:
        return None
    return StoredCode(
        id=row.id,
        client_id=row.client_id,
        redirect_uri=row.redirect_uri,
        code_challenge=row.code_challenge,
        code_challenge_method=row.code_challenge_method,
        scope=row.scope,
        user_id=row.user_id,
        created_at=utc(row.created_at),
        expires_at=utc(row.expires_at),
        used_at=None if row.used_at is None else utc(row.used_at),
        family_id=row.family_id,
    )


async def use_code(session: AsyncSession, code_id: int, *, now: dt.datetime) -> bool:
    """Marks a code used. False when it already was (a concurrent exchange won)."""
    result = await session.execute(
        update(AuthorizationCode)
        .where(AuthorizationCode.id == code_id, AuthorizationCode.used_at.is_(None))
        .values(used_at=utc(now))
    )
    return bool(getattr(result, "rowcount", 0))


async def family_of_code(session: AsyncSession, code_id: int) -> int | None:
    family: int | None = await session.scalar(
        select(AuthorizationCode.family_id).where(AuthorizationCode.id == code_id)
    )
    return family


async def link_code(session: AsyncSession, code_id: int, family_id: int) -> None:
    await session.execute(
        update(AuthorizationCode).where(AuthorizationCode.id == code_id).values(family_id=family_id)
    )


# Longer than any person's access token lives (LIAISON_PERSON_TOKEN_LIFETIME is at most an
# hour), so a purged sign-in has no live token left to revoke.
_PURGE_GRACE = dt.timedelta(hours=1)


async def purge_sign_ins(session: AsyncSession, *, now: dt.datetime) -> int:
    """Forgets sign-ins an hour past their absolute lifetime, with their refresh tokens and
    the code that started them, and codes that expired without being exchanged (an
    exchanged code is kept with its sign-in, so a late replay still revokes it). Returns
    how many sign-ins were forgotten."""
    ended = select(RefreshFamily.id).where(
        RefreshFamily.absolute_expires_at < utc(now) - _PURGE_GRACE
    )
    await session.execute(delete(AuthorizationCode).where(AuthorizationCode.family_id.in_(ended)))
    await session.execute(
        delete(AuthorizationCode).where(
            AuthorizationCode.family_id.is_(None), AuthorizationCode.expires_at < utc(now)
        )
    )
    await session.execute(delete(RefreshToken).where(RefreshToken.family_id.in_(ended)))
    result = await session.execute(delete(RefreshFamily).where(RefreshFamily.id.in_(ended)))
    return int(getattr(result, "rowcount", 0) or 0)


# ---------------------------------------------------------------------------------------
# Failed sign-ins


@dataclass(frozen=True, slots=True)
class FailureCounts:
    """Failures since the window's start, per account and per address, and the oldest of
    each (when the count falls by one)."""

    account: int
    address: int
    oldest_account: dt.datetime | None
    oldest_address: dt.datetime | None


async def failure_counts(
    session: AsyncSession, *, username: str, address: str, since: dt.datetime
) -> FailureCounts:
    """One statement, two range scans of the (username, occurred_at) and (address,
    occurred_at) indexes."""
    since = utc(since)
    by_account = (
        select(func.count(), func.min(LoginFailure.occurred_at))
        .where(LoginFailure.username == username, LoginFailure.occurred_at >= since)
        .subquery()
    )
    by_address = (
        select(func.count(), func.min(LoginFailure.occurred_at))
        .where(LoginFailure.address == address, LoginFailure.occurred_at >= since)
        .subquery()
    )
    # Two one-row aggregates side by side.
    both = by_account.join(by_address, true())
    row = (await session.execute(select(by_account, by_address).select_from(both))).one()
    return FailureCounts(
        account=int(row[0] or 0),
        address=int(row[2] or 0),
        oldest_account=None if row[1] is None else utc(row[1]),
        oldest_address=None if row[3] is None else utc(row[3]),
    )


async def record_failure(
    session: AsyncSession, *, username: str, address: str, now: dt.datetime, keep: dt.timedelta
) -> None:
    """Counts a failure, and forgets the failures too old to count any more."""
    now = utc(now)
    await session.execute(delete(LoginFailure).where(LoginFailure.occurred_at < now - keep))
    session.add(LoginFailure(username=username[:64], address=address[:64], occurred_at=now))
    await session.flush()


async def clear_failures(session: AsyncSession, username: str) -> None:
    """A successful sign-in forgets the account's failures (not the address's)."""
    await session.execute(delete(LoginFailure).where(LoginFailure.username == username))
