"""The authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636, S256 only) and refresh
token rotation (RFC 6749 §6, RFC 9700 §4.14) for the console's public client, on authlib's
``AuthorizationCodeGrant``, ``CodeChallenge`` and ``RefreshTokenGrant``.

authlib is synchronous and decides the protocol; the database is not, and holds the state.
So, as in :mod:`liaison.api.oauth`, the caller reads what a request names first (the code
or refresh token, by digest, and its user), authlib then runs in a worker thread over those
rows, and what it decided (a code to store, tokens issued, a replay to revoke) comes back
as plain values on :class:`Decision` for the caller to write, audited, in one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final

from authlib.oauth2.rfc6749 import (  # type: ignore[import-untyped]
    AuthorizationServer,
    ClientMixin,
    InvalidClientError,
    InvalidGrantError,
    InvalidRequestError,
    OAuth2Error,
    OAuth2Request,
    UnsupportedGrantTypeError,
)
from authlib.oauth2.rfc6749.authenticate_client import ClientAuthentication  # type: ignore[import-untyped]
from authlib.oauth2.rfc6749.grants import (  # type: ignore[import-untyped]
    AuthorizationCodeGrant,
    RefreshTokenGrant,
)
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload  # type: ignore[import-untyped]
from authlib.oauth2.rfc6749.util import scope_to_list  # type: ignore[import-untyped]
from authlib.oauth2.rfc7636 import CodeChallenge  # type: ignore[import-untyped]

from liaison.api.keyring import KeyRing
from liaison.api.tokens import mint_access_token
from liaison.db.people import Person, StoredCode, StoredRefresh
from liaison.permissions.principal import Role

CONSOLE_CLIENT_ID: Final = "liaison-console"
CODE_LIFETIME: Final = dt.timedelta(seconds=60)
REFRESH_PREFIX: Final = "lrt_"
AUTHORIZATION_PARAMETERS: Final = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)
MAX_STATE_LENGTH: Final = 512


def digest(secret: str) -> str:
    """How codes and refresh tokens are stored: 256 random bits need no slow hash."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def roles_of(scope: str | None) -> list[str]:
    return sorted(set(scope_to_list(scope) or ()))


@dataclass(frozen=True)
class ConsoleClient(ClientMixin):  # type: ignore[misc]
    """The platform's own public client: no secret, consent-free, redirect URIs by exact
    match only (configuration, not a table: the same in every process started with the
    same settings)."""

    redirect_uris: tuple[str, ...]
    client_id: str = CONSOLE_CLIENT_ID

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        return None  # redirect_uri is always required

    def get_allowed_scope(self, scope: str | None) -> str:
        return " ".join(roles_of(scope))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return False

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "none"

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("authorization_code", "refresh_token")


@dataclass(frozen=True)
class Issued:
    """Tokens authlib issued: the access token's jti and expiry and the refresh token, to
    be stored (by digest) before the response is sent."""

    access_jti: str
    access_expires_at: dt.datetime
    refresh_token: str
    roles: tuple[str, ...]


@dataclass
class Decision:
    """What one run of authlib decided. ``status``/``body``/``headers`` is the response;
    the rest is for the caller to store and audit."""

    status: int
    body: dict[str, Any] | str
    headers: list[tuple[str, str]]
    error: str | None = None
    code: str | None = None  # a new authorization code
    scope: str = ""  # the code's granted roles
    issued: Issued | None = None
    replayed_code: StoredCode | None = None  # exchanged before: revoke what it issued
    reused_refresh: StoredRefresh | None = None  # rotated out: revoke the family
    refusal: str | None = None  # why a code or refresh token was refused, for the audit


class _Code:
    """A stored code as authlib reads it."""

    def __init__(self, stored: StoredCode) -> None:
        self.stored = stored
        self.code_challenge = stored.code_challenge
        self.code_challenge_method = stored.code_challenge_method

    def get_redirect_uri(self) -> str:
        return self.stored.redirect_uri

    def get_scope(self) -> str:
        return self.stored.scope


class _Refresh:
    """A stored refresh token as authlib reads it: its scope is the family's roles that
    the user still holds."""

    def __init__(self, stored: StoredRefresh, user: Person) -> None:
        self.stored = stored
        self.user = user

    def check_client(self, client: ConsoleClient) -> bool:
        return self.stored.family.client_id == client.client_id

    def get_scope(self) -> str:
        return " ".join(sorted(set(self.stored.family.roles) & set(self.user.roles)))


class _Request(OAuth2Request):  # type: ignore[misc]
    def __init__(
        self,
        method: str,
        uri: str,
        headers: Mapping[str, str],
        data: dict[str, str],
        *,
        now: dt.datetime,
        code: StoredCode | None = None,
        refresh: StoredRefresh | None = None,
        person: Person | None = None,
    ) -> None:
        super().__init__(method, uri, headers=headers)  # refuses plain http off loopback
        self.payload = BasicOAuth2Payload(data)
        self._data = data
        self.now = now
        self.stored_code = code
        self.stored_refresh = refresh
        self.person = person
        self.decision = Decision(200, {}, [])

    @property
    def form(self) -> dict[str, str]:
        return self._data if self.method == "POST" else {}

    @property
    def args(self) -> dict[str, str]:
        return self._data if self.method == "GET" else {}


class _S256Only(CodeChallenge):  # type: ignore[misc]
    """PKCE required on every authorization request, and only S256: ``plain`` would hand
    the verifier to whoever sees the request (RFC 9700 §2.1.1)."""

    SUPPORTED_CODE_CHALLENGE_METHOD: ClassVar[list[str]] = ["S256"]

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("code_challenge is required (PKCE, S256)")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("code_challenge_method must be S256 (plain is refused)")
        super().validate_code_challenge(grant, redirect_uri)

    def validate_code_verifier(self, grant: Any, result: Any) -> None:
        request: _Request = grant.request
        verifier = request.form.get("code_verifier")
        if not verifier:
            request.decision.refusal = "missing_verifier"
            raise InvalidRequestError("code_verifier is required (PKCE)")
        try:
            super().validate_code_verifier(grant, result)
        except InvalidGrantError:
            request.decision.refusal = "wrong_verifier"
            raise InvalidGrantError(
                description="code_verifier does not match the code_challenge of the "
                "authorization request"
            ) from None


class _CodeGrant(AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = ["none"]
    AUTHORIZATION_CODE_LENGTH: ClassVar[int] = 43  # 256 bits of authlib's alphabet

    def validate_authorization_request(self) -> str:
        redirect_uri: str = super().validate_authorization_request()
        state = self.request.payload.state
        if not state:
            raise InvalidRequestError("state is required", redirect_uri=redirect_uri)
        if len(state) > MAX_STATE_LENGTH:
            raise InvalidRequestError(
                f"state may have at most {MAX_STATE_LENGTH} characters", redirect_uri=redirect_uri
            )
        return redirect_uri

    def save_authorization_code(self, code: str, request: _Request) -> None:
        request.decision.code = code

    def query_authorization_code(self, code: str, client: ConsoleClient) -> _Code | None:
        request: _Request = self.request
        stored = request.stored_code
        if stored is None or stored.client_id != client.client_id:
            request.decision.refusal = "unknown"
            raise InvalidGrantError(description="authorization code is not valid")
        if stored.used_at is not None:
            request.decision.replayed_code = stored
            request.decision.refusal = "reused"
            raise InvalidGrantError(
                description="authorization code has already been used; the tokens it "
                "issued have been revoked"
            )
        if stored.expires_at <= request.now:
            request.decision.refusal = "expired"
            raise InvalidGrantError(description="authorization code has expired")
        if request.payload.redirect_uri != stored.redirect_uri:
            request.decision.refusal = "redirect_uri"
            raise InvalidGrantError(
                description="redirect_uri does not match the authorization request"
            )
        return _Code(stored)

    def authenticate_user(self, authorization_code: _Code) -> Person:
        person: Person | None = self.request.person
        if person is None or person.disabled:
            self.request.decision.refusal = "disabled"
            raise InvalidGrantError(description="the user of this authorization code is disabled")
        return person

    def delete_authorization_code(self, authorization_code: _Code) -> None:
        """Marked used by the caller, in the transaction that stores the tokens."""

    def generate_token(self, user: Person, scope: str, **_: Any) -> dict[str, Any]:
        server: PeopleServer = self.server
        return server.issue(self.request, user, scope)


class _RefreshGrant(RefreshTokenGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = ["none"]
    INCLUDE_NEW_REFRESH_TOKEN: ClassVar[bool] = True

    def authenticate_refresh_token(self, refresh_token: str) -> _Refresh:
        request: _Request = self.request
        stored, person = request.stored_refresh, request.person
        if stored is None or person is None:
            request.decision.refusal = "unknown"
            raise InvalidGrantError(description="refresh token is not valid")
        if stored.family.revoked_at is not None:
            request.decision.refusal = "revoked"
            raise InvalidGrantError(description="refresh token has been revoked")
        if stored.rotated_at is not None:
            request.decision.reused_refresh = stored
            request.decision.refusal = "reused"
            raise InvalidGrantError(
                description="refresh token has already been used; every token of this "
                "sign-in has been revoked"
            )
        if min(stored.idle_expires_at, stored.family.absolute_expires_at) <= request.now:
            request.decision.refusal = "expired"
            raise InvalidGrantError(description="refresh token has expired")
        if person.disabled:
            request.decision.refusal = "disabled"
            raise InvalidGrantError(description="refresh token has been revoked")
        return _Refresh(stored, person)

    def authenticate_user(self, refresh_token: _Refresh) -> Person:
        return refresh_token.user

    def revoke_old_credential(self, refresh_token: _Refresh) -> None:
        """Rotated by the caller, in the transaction that stores the new token."""

    def generate_token(self, user: Person, scope: str, **_: Any) -> dict[str, Any]:
        server: PeopleServer = self.server
        return server.issue(self.request, user, scope)


class PeopleServer(AuthorizationServer):  # type: ignore[misc]
    """authlib's server for the console's client. Every method runs in a worker thread and
    touches no database."""

    def __init__(
        self,
        *,
        client: ConsoleClient,
        keys: KeyRing,
        issuer: str,
        audience: str,
        lifetime_seconds: int,
    ) -> None:
        super().__init__(scopes_supported=[role.value for role in Role])
        self.client = client
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self.lifetime_seconds = lifetime_seconds
        self.register_grant(_CodeGrant, [_S256Only(required=True)])
        self.register_grant(_RefreshGrant)

    # --- the authorization endpoint

    def validate_authorization(
        self, uri: str, headers: Mapping[str, str], query: dict[str, str]
    ) -> Decision:
        """A valid request has status 200; an error to show on our own page (bad client or
        redirect URI, never redirected) 400; an error for the client 302."""
        try:
            request = _Request("GET", uri, headers, query, now=_now())
            self.get_consent_grant(request)
        except OAuth2Error as error:
            return self._authorization_error(error, query.get("state"))
        return request.decision

    def authorize(
        self, uri: str, headers: Mapping[str, str], query: dict[str, str], person: Person
    ) -> Decision:
        """The redirect with a fresh code for ``person``; the code is in the decision, to
        be stored before the redirect is sent."""
        try:
            request = _Request("GET", uri, headers, query, now=_now(), person=person)
            grant = self.get_consent_grant(request)
            status, body, response_headers = grant.create_authorization_response(
                grant.redirect_uri, person
            )
        except OAuth2Error as error:
            return self._authorization_error(error, query.get("state"))
        decision = request.decision
        decision.status, decision.body, decision.headers = status, body, response_headers
        # Roles are the user's, narrowed to the scope if one was asked for.
        asked = set(roles_of(query.get("scope")))
        decision.scope = " ".join(sorted(r for r in person.roles if not asked or r in asked))
        return decision

    def _authorization_error(self, error: OAuth2Error, state: str | None) -> Decision:
        error.state = state
        status, body, headers = error()
        if status != 302:  # shown on our page: the client or redirect URI is not trusted
            status = 400
        return Decision(status, body, headers, error=error.error)

    # --- the token endpoint

    def exchange(
        self,
        uri: str,
        headers: Mapping[str, str],
        form: dict[str, str],
        *,
        now: dt.datetime,
        code: StoredCode | None = None,
        refresh: StoredRefresh | None = None,
        person: Person | None = None,
    ) -> Decision:
        try:
            request = _Request(
                "POST", uri, headers, form, now=now, code=code, refresh=refresh, person=person
            )
        except OAuth2Error as error:
            status, body, response_headers = self._token_error(None, error)
            return Decision(status, body, response_headers, error=body.get("error"))
        status, body, response_headers = self.create_token_response(request)
        decision = request.decision
        decision.status, decision.body, decision.headers = status, body, response_headers
        if status != 200:
            decision.issued = None
            decision.error = body.get("error") if isinstance(body, dict) else None
        return decision

    def issue(self, request: _Request, person: Person, scope: str) -> dict[str, Any]:
        roles = roles_of(scope)
        issued_at = int(time.time())
        jti = secrets.token_urlsafe(16)
        access = mint_access_token(
            self._keys.current(),
            issuer=self._issuer,
            audience=self._audience,
            subject=person.subject,
            department=person.department,
            roles=roles,
            client_id=self.client.client_id,
            lifetime_seconds=self.lifetime_seconds,
            now=issued_at,
            token_id=jti,
        )
        refresh = REFRESH_PREFIX + secrets.token_urlsafe(32)
        request.decision.issued = Issued(
            access_jti=jti,
            access_expires_at=dt.datetime.fromtimestamp(issued_at + self.lifetime_seconds, dt.UTC),
            refresh_token=refresh,
            roles=tuple(roles),
        )
        return {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.lifetime_seconds,
            "refresh_token": refresh,
            "scope": " ".join(roles),
        }

    # --- authlib's hooks

    def query_client(self, client_id: str) -> ConsoleClient | None:
        return self.client if client_id == self.client.client_id else None

    def authenticate_client(
        self, request: _Request, methods: list[str], endpoint: str = "token"
    ) -> ConsoleClient:
        client: ConsoleClient = ClientAuthentication(self.query_client)(request, methods, endpoint)
        return client

    def create_oauth2_request(self, request: _Request) -> _Request:
        return request

    def handle_response(
        self, status: int, body: Any, headers: list[tuple[str, str]]
    ) -> tuple[int, Any, list[tuple[str, str]]]:
        return status, body, headers

    def handle_error_response(
        self, request: object, error: OAuth2Error
    ) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        return self._token_error(request, error)

    def _token_error(
        self, request: object, error: OAuth2Error
    ) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        if isinstance(error, InvalidClientError):
            error.status_code = 401
            error.description = (
                f"these grants are for the console's public client: client_id={CONSOLE_CLIENT_ID} "
                "in the body, no secret"
            )
        elif isinstance(error, UnsupportedGrantTypeError):
            error.description = (
                "grant_type must be client_credentials, authorization_code or refresh_token"
            )
        status, body, headers = error(None)
        headers = [(name, value) for name, value in headers if name.lower() != "www-authenticate"]
        sent = getattr(request, "headers", None) or {}
        if status == 401 and "authorization" in {name.lower() for name in sent}:
            headers.append(("WWW-Authenticate", 'Basic realm="liaison", error="invalid_client"'))
        return status, dict(body), headers

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """authlib's framework hook for signals: Liaison subscribes to none."""

    def save_token(self, token: dict[str, Any], request: _Request) -> None:
        """Stored by the caller from the decision (``issued``)."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class AuthorizationRequest:
    """The parameters of a valid authorization request, as the login form carries them."""

    parameters: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, query: Mapping[str, str]) -> AuthorizationRequest:
        return cls({name: query[name] for name in AUTHORIZATION_PARAMETERS if name in query})
