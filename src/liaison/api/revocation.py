"""Is this verified token revoked? Asked of the shared database on every request, so a
revocation by any process (``liaison tokens revoke``, ``liaison clients revoke``) is
effective on the next request everywhere."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.db.identity import Revoked, revocation_of
from liaison.permissions.principal import Principal

_REASONS = {
    Revoked.TOKEN: "token has been revoked",
    Revoked.CLIENT: "token's client has been revoked",
}


def refusal(kind: Revoked) -> str:
    """What a client is told when its token, or its token's client, is revoked."""
    return _REASONS[kind]


class Revocations:
    """One statement per request (two unique-index probes, no cache to go stale). HTTP
    requests ask in their own transaction instead, together with the policy epoch
    (:mod:`liaison.db.request_state`).

    Security contract: callers ask only about principals built from a verified token, and
    refuse the request when a reason comes back; a database error propagates (the request
    fails) rather than letting a possibly revoked token through.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def reason(self, principal: Principal) -> str | None:
        async with self._sessions() as session:
            kind = await revocation_of(
                session, jti=principal.token_id, client_id=principal.client_id
            )
        return None if kind is None else _REASONS[kind]
