"""``GET/POST /oauth/authorize``: the console's sign-in page (RFC 6749 §4.1.1, PKCE).

Security contract:
- the request is validated by authlib first; an unknown client or a redirect URI not
  registered for it gets our error page (400), never a redirect; any other mistake is sent
  back to the (trusted) redirect URI as ``error`` with ``state``;
- the form carries a CSRF token bound to the request's parameters and to a nonce cookie
  (``SameSite=Strict``; ``__Host-`` and ``Secure`` over https) — see ``login_csrf``;
- failures are limited per account and per client address, checked before any password
  is hashed (429 with ``Retry-After``);
- unknown user, disabled user and wrong password get the same page, status and message,
  and cost the same argon2 verification;
- every attempt is audited; a sign-in whose event cannot be written gets no code (503).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import urllib.parse
from collections.abc import Callable
from typing import Final

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from liaison.api import login_page
from liaison.api.authorization_code import (
    AUTHORIZATION_PARAMETERS,
    CODE_LIFETIME,
    AuthorizationRequest,
    Decision,
    PeopleServer,
    digest,
)
from liaison.api.forms import FormProblem, parse_pairs, read_form
from liaison.api.login_csrf import LoginCsrf
from liaison.api.login_limits import LoginLimits, client_address
from liaison.api.passwords import hash_password, needs_rehash, verify_password
from liaison.api.people_audit import AuditUnavailable, attempted_subject, audited, sign_in_event
from liaison.db import people
from liaison.db.audit import AuditEntry

log = logging.getLogger("liaison.sign_in")

AUTHORIZE_PATH: Final = "/oauth/authorize"
# argon2 takes 64 MiB and a few hundred ms a check: a few at a time per process.
CONCURRENT_PASSWORD_CHECKS: Final = 4
_FORM_FIELDS: Final = ("csrf_token", "username", "password")


class PeopleLogin:
    def __init__(
        self,
        *,
        server: PeopleServer,
        sessions: async_sessionmaker[AsyncSession],
        csrf: LoginCsrf,
        limits: LoginLimits,
        trusted_proxies: tuple[str, ...],
        base: Callable[[Request], str],
    ) -> None:
        self._server = server
        self._sessions = sessions
        self._csrf = csrf
        self._limits = limits
        self._trusted_proxies = trusted_proxies
        self._base = base
        self._checks: asyncio.Semaphore | None = None

    def routes(self) -> list[Route]:
        return [
            Route(AUTHORIZE_PATH, self.authorize, methods=["GET", "POST"]),
            Route(login_page.STYLESHEET_PATH, login_page.stylesheet, methods=["GET"]),
        ]

    async def authorize(self, request: Request) -> Response:
        try:
            query = parse_pairs(request.url.query, single=AUTHORIZATION_PARAMETERS)
        except FormProblem as problem:
            return login_page.page(login_page.error_page(problem.message), 400)
        uri = self._base(request) + AUTHORIZE_PATH
        checked = await asyncio.to_thread(
            self._server.validate_authorization, uri, request.headers, query
        )
        if checked.status != 200:
            return _outcome(checked)
        if request.method == "GET":
            return self._form(request, query)
        return await self._sign_in(request, query, uri)

    def _secure(self, request: Request) -> bool:
        return self._base(request).startswith("https://")

    def _form(
        self,
        request: Request,
        query: dict[str, str],
        *,
        status: int = 200,
        message: tuple[str, str] | None = None,
        username: str = "",
        headers: dict[str, str] | None = None,
    ) -> Response:
        secure = self._secure(request)
        nonce = self._csrf.usable_nonce(request.cookies.get(self._csrf.cookie_name(secure)))
        extra = dict(headers or {})
        if nonce is None:
            nonce = self._csrf.new_nonce()
            # Behind a proxy that serves Liaison under a path, the browser sees that path.
            path = urllib.parse.urlsplit(self._base(request)).path.rstrip("/") + AUTHORIZE_PATH
            extra["Set-Cookie"] = self._csrf.set_cookie(nonce, secure, path)
        token = self._csrf.token(nonce, AuthorizationRequest.of(query).parameters)
        # Relative, so that it posts back to the very URL the page was loaded from.
        action = AUTHORIZE_PATH.rsplit("/", 1)[1] + "?" + request.url.query
        text = login_page.sign_in_page(
            action=action, csrf_token=token, username=username, message=message
        )
        return login_page.page(text, status, extra)

    async def _sign_in(self, request: Request, query: dict[str, str], uri: str) -> Response:
        try:
            form = await read_form(request, single=_FORM_FIELDS)
        except FormProblem as problem:
            message = (f"The form could not be read: {problem.message}.", "无法读取登录表单。")
            return self._form(request, query, status=problem.status, message=message)
        nonce = request.cookies.get(self._csrf.cookie_name(self._secure(request)))
        parameters = AuthorizationRequest.of(query).parameters
        if not self._csrf.check(nonce, form.get("csrf_token"), parameters):
            return self._form(request, query, status=400, message=login_page.FORM_EXPIRED)
        # Whatever was typed is only ever compared, counted and logged: printable, bounded.
        typed = form.get("username", "").strip().lower()[:64]
        username = "".join(c if c.isprintable() else "?" for c in typed)
        password = form.get("password", "")
        if not username or not password:
            message = login_page.MISSING_FIELDS
            return self._form(request, query, status=400, message=message, username=username)

        now = dt.datetime.now(dt.UTC)
        address = client_address(request, self._trusted_proxies)
        request_id: str = request.scope["state"]["request_id"]
        async with self._sessions() as session:
            retry_after = await self._limits.retry_after(
                session, username=username, address=address, now=now
            )
            person = await people.find_user(session, username)
        subject = person.subject if person else attempted_subject(username)
        department = person.department if person else None

        def event(reason: str | None) -> AuditEntry:
            return sign_in_event(
                request_id=request_id,
                subject=subject,
                department=department,
                client_id=query.get("client_id", ""),
                action="password",
                reason=reason,
            )

        if retry_after is not None:
            try:
                await audited(self._sessions, event("rate_limited"))
            except AuditUnavailable:
                return self._unavailable(request, query, username)
            return self._form(
                request,
                query,
                status=429,
                message=login_page.too_many_failures(retry_after),
                username=username,
                headers={"Retry-After": str(retry_after)},
            )

        if self._checks is None:
            self._checks = asyncio.Semaphore(CONCURRENT_PASSWORD_CHECKS)
        async with self._checks:
            matched = await asyncio.to_thread(
                verify_password, password, person.password_hash if person else None
            )
        if person is None or person.disabled or not matched:
            reason = (
                "unknown_user"
                if person is None
                else "disabled"
                if person.disabled
                else "wrong_password"
            )
            return await self._refused(request, query, username, address, now, event(reason))
        return await self._signed_in(request, query, uri, person, password, event(None))

    async def _signed_in(
        self,
        request: Request,
        query: dict[str, str],
        uri: str,
        person: people.Person,
        password: str,
        entry: AuditEntry,
    ) -> Response:
        decision = await asyncio.to_thread(
            self._server.authorize, uri, request.headers, query, person
        )
        if decision.code is None:
            return _outcome(decision)
        code, scope = decision.code, decision.scope
        rehashed = None
        if needs_rehash(person.password_hash):
            rehashed = await asyncio.to_thread(hash_password, password)

        async def store(session: AsyncSession) -> None:
            await people.store_code(
                session,
                code_hash=digest(code),
                client_id=query["client_id"],
                redirect_uri=query["redirect_uri"],
                code_challenge=query["code_challenge"],
                code_challenge_method=query["code_challenge_method"],
                scope=scope,
                user_id=person.id,
                now=dt.datetime.now(dt.UTC),
                lifetime=CODE_LIFETIME,
            )
            await people.clear_failures(session, person.username)
            if rehashed is not None:
                await people.rehash_password(session, person.id, rehashed)

        try:
            await audited(self._sessions, entry, store)
        except AuditUnavailable:
            return self._unavailable(request, query, person.username)
        return _outcome(decision)

    async def _refused(
        self,
        request: Request,
        query: dict[str, str],
        username: str,
        address: str,
        now: dt.datetime,
        entry: AuditEntry,
    ) -> Response:
        async def count(session: AsyncSession) -> None:
            await self._limits.record(session, username=username, address=address, now=now)

        try:
            await audited(self._sessions, entry, count)
        except AuditUnavailable:
            try:  # the failure counts all the same
                async with self._sessions() as session, session.begin():
                    await count(session)
            except SQLAlchemyError:
                log.exception("failed sign-in not counted (request %s)", entry.request_id)
            return self._unavailable(request, query, username)
        return self._form(
            request, query, status=401, message=login_page.WRONG_CREDENTIALS, username=username
        )

    def _unavailable(self, request: Request, query: dict[str, str], username: str) -> Response:
        message = login_page.UNAVAILABLE
        return self._form(request, query, status=503, message=message, username=username)


def _outcome(decision: Decision) -> Response:
    """A redirect to the client (with ``code`` or ``error``, and ``state``), or our error
    page for a request whose client or redirect URI is not to be trusted."""
    if decision.status == 302:
        location = dict(decision.headers)["Location"]
        return Response(status_code=302, headers={**login_page.PAGE_HEADERS, "Location": location})
    body = decision.body if isinstance(decision.body, dict) else {}
    reason = str(body.get("error_description") or body.get("error") or "invalid request")
    return login_page.page(login_page.error_page(reason), 400)
