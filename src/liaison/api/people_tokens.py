"""People's tokens at the token endpoint (``authorization_code`` and ``refresh_token``) and
log-out at ``POST /oauth/revoke`` (RFC 7009).

Each exchange reads the code or refresh token it names (by digest) and its user, lets
authlib decide (:mod:`liaison.api.authorization_code`), then stores what was issued and
appends the audit event in one transaction, committed before the tokens are sent: if the
event cannot be written, nothing is issued (503). A replayed code or a rotated-out refresh
token revokes its whole sign-in first, in a transaction of its own, so the revocation
holds even when the audit cannot be written.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any, Final

import orjson
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import Response

from liaison.api.authorization_code import (
    CONSOLE_CLIENT_ID,
    REFRESH_PREFIX,
    Decision,
    PeopleServer,
    digest,
)
from liaison.api.config import SignInSettings
from liaison.api.forms import FormProblem, read_form
from liaison.api.keyring import KeyRing
from liaison.api.people_audit import AuditUnavailable, audited, sign_in_event
from liaison.api.tokens import InvalidToken, verify_access_token
from liaison.db import identity, people

log = logging.getLogger("liaison.sign_in")

REVOKE_PATH: Final = "/oauth/revoke"
PEOPLE_GRANTS: Final = ("authorization_code", "refresh_token")
_MAX_SECRET: Final = 128
_UNAVAILABLE: Final = {
    "error": "temporarily_unavailable",
    "error_description": "the sign-in could not be recorded in the audit trail; nothing was issued",
}


class _Raced(Exception):
    """Another request used the same code or refresh token first."""


class PeopleTokens:
    def __init__(
        self,
        *,
        server: PeopleServer,
        sessions: async_sessionmaker[AsyncSession],
        keys: KeyRing,
        issuer: str,
        audience: str,
        settings: SignInSettings,
    ) -> None:
        self.server = server
        self._sessions = sessions
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._idle = dt.timedelta(seconds=settings.refresh_idle_seconds)
        self._absolute = dt.timedelta(seconds=settings.refresh_absolute_seconds)

    # --- POST /oauth/token

    async def token(self, request: Request, form: dict[str, str], uri: str) -> Response:
        now = dt.datetime.now(dt.UTC)
        request_id: str = request.scope["state"]["request_id"]
        by_code = form["grant_type"] == "authorization_code"
        code = refresh = person = None
        secret = form.get("code" if by_code else "refresh_token") or ""
        if 0 < len(secret) <= _MAX_SECRET:
            async with self._sessions() as session:
                if by_code:
                    code = await people.code_by_hash(session, digest(secret))
                    user_id = code.user_id if code else None
                else:
                    refresh = await people.refresh_by_hash(session, digest(secret))
                    user_id = refresh.family.user_id if refresh else None
                if user_id is not None:
                    person = await people.user_by_id(session, user_id)
        decision = await asyncio.to_thread(
            self.server.exchange,
            uri,
            request.headers,
            form,
            now=now,
            code=code,
            refresh=refresh,
            person=person,
        )
        action = "code" if by_code else "refresh"
        subject = person.subject if person else "unknown"
        department = person.department if person else None

        def event(reason: str | None) -> Any:
            return sign_in_event(
                request_id=request_id,
                subject=subject,
                department=department,
                client_id=CONSOLE_CLIENT_ID,
                action=action,
                reason=reason,
            )

        if decision.status != 200:
            return await self._refused(decision, event, now)
        issued = decision.issued
        assert issued is not None  # authlib issued tokens
        assert person is not None

        async def store(session: AsyncSession) -> None:
            if code is not None:
                if not await people.use_code(session, code.id, now=now):
                    raise _Raced
                family_id = await people.start_family(
                    session,
                    user_id=person.id,
                    client_id=CONSOLE_CLIENT_ID,
                    roles=issued.roles,
                    now=now,
                    absolute_lifetime=self._absolute,
                )
                await people.link_code(session, code.id, family_id)
                absolute = now + self._absolute
            else:
                assert refresh is not None
                if not await people.rotate(session, refresh.id, now=now):
                    raise _Raced
                family_id, absolute = refresh.family.id, refresh.family.absolute_expires_at
            await people.add_refresh_token(
                session,
                family_id=family_id,
                token_hash=digest(issued.refresh_token),
                now=now,
                idle_expires_at=min(now + self._idle, absolute),
                access_jti=issued.access_jti,
                access_expires_at=issued.access_expires_at,
            )

        try:
            await audited(self._sessions, event(None), store)
        except _Raced:
            # Two presentations of one code or refresh token: the loser is a replay.
            replay = Decision(400, {}, [], refusal="reused")
            replay.replayed_code, replay.reused_refresh = code, refresh
            replay.body = {
                "error": "invalid_grant",
                "error_description": "this grant was used by another request at the same "
                "time; every token of this sign-in has been revoked",
            }
            return await self._refused(replay, event, now)
        except AuditUnavailable:
            return _json(503, _UNAVAILABLE)
        return _json(200, decision.body if isinstance(decision.body, dict) else {})

    async def _refused(self, decision: Decision, event: Any, now: dt.datetime) -> Response:
        family_id = None
        if decision.replayed_code is not None:
            family_id = decision.replayed_code.family_id
            if family_id is None:  # read before a concurrent exchange committed
                async with self._sessions() as session:
                    family_id = await people.family_of_code(session, decision.replayed_code.id)
        elif decision.reused_refresh is not None:
            family_id = decision.reused_refresh.family.id
        if family_id is not None:
            reason = "code reused" if decision.replayed_code else "refresh token reused"
            async with self._sessions() as session, session.begin():
                revoked = await people.revoke_family(session, family_id, now=now, reason=reason)
            log.warning("%s: sign-in %s revoked (%d access tokens)", reason, family_id, revoked)
        body = decision.body if isinstance(decision.body, dict) else {}
        if decision.refusal is not None:
            try:
                await audited(self._sessions, event(decision.refusal))
            except AuditUnavailable:
                return _json(503, _UNAVAILABLE)
        return _json(decision.status, body, decision.headers)

    # --- POST /oauth/revoke

    async def revoke(self, request: Request) -> Response:
        """RFC 7009. The console authenticates by its client_id alone (a public client).
        A refresh token ends its sign-in and every access token issued in it; an access
        token is refused from the next request on by its jti, and its sign-in ends too.
        An unknown, expired or foreign token is answered 200 like any other (§2.2)."""
        try:
            form = await read_form(request, single=("token", "token_type_hint", "client_id"))
        except FormProblem as problem:
            return _json(problem.status, _error("invalid_request", problem.message))
        if form.get("client_id") != CONSOLE_CLIENT_ID or request.headers.get("authorization"):
            return _json(401, _error("invalid_client", "client authentication failed"))
        token = form.get("token", "")
        if not token:
            return _json(400, _error("invalid_request", "token is required"))
        now = dt.datetime.now(dt.UTC)
        request_id: str = request.scope["state"]["request_id"]
        async with self._sessions() as session:
            family, jti, expires = await self._sign_in_of(session, token)
            person = await people.user_by_id(session, family.user_id) if family else None
        if family is None and jti is None:
            return _json(200, None)

        async def end(session: AsyncSession) -> None:
            if jti is not None and expires is not None:
                await identity.revoke_token(
                    session, jti, expires_at=expires, now=now, reason="logout"
                )
            if family is not None:
                await people.revoke_family(session, family.id, now=now, reason="logout")

        entry = sign_in_event(
            request_id=request_id,
            subject=person.subject if person else "unknown",
            department=person.department if person else None,
            client_id=CONSOLE_CLIENT_ID,
            action="logout",
        )
        try:
            await audited(self._sessions, entry, end)
        except AuditUnavailable:
            # Signing out must not depend on the audit: revoke, then say it was not recorded.
            try:
                async with self._sessions() as session, session.begin():
                    await end(session)
            except SQLAlchemyError:
                log.exception("log-out failed (request %s)", request_id)
            return _json(
                503,
                _error(
                    "temporarily_unavailable",
                    "the log-out could not be recorded in the audit trail; the token was revoked",
                ),
            )
        return _json(200, None)

    async def _sign_in_of(
        self, session: AsyncSession, token: str
    ) -> tuple[people.Family | None, str | None, dt.datetime | None]:
        """The sign-in a token belongs to, and for an access token its jti and expiry."""
        if token.startswith(REFRESH_PREFIX) and len(token) <= _MAX_SECRET:
            stored = await people.refresh_by_hash(session, digest(token))
            if stored is not None and stored.family.client_id == CONSOLE_CLIENT_ID:
                return stored.family, None, None
            return None, None, None
        try:
            principal = verify_access_token(
                token, self._keys.current(), issuer=self._issuer, audience=self._audience
            )
        except InvalidToken:
            return None, None, None
        if principal.client_id != CONSOLE_CLIENT_ID:
            return None, None, None  # not the console's to revoke
        expires = dt.datetime.fromtimestamp(principal.expires_at, dt.UTC)
        family = await people.family_of_access_token(session, principal.token_id)
        return family, principal.token_id, expires


def _error(error: str, description: str) -> dict[str, str]:
    return {"error": error, "error_description": description}


def _json(
    status: int, body: Mapping[str, Any] | None, headers: list[tuple[str, str]] | None = None
) -> Response:
    merged = {name.lower(): value for name, value in headers or []}
    merged["cache-control"] = "no-store"
    if body is None:
        return Response(b"", status_code=status, headers=merged)
    merged["content-type"] = "application/json"
    return Response(orjson.dumps(body), status_code=status, headers=merged)
