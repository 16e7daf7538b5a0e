"""The embedded issuer, for deployments without an identity provider: OAuth 2 client
credentials (RFC 6749 §4.4) at ``POST /oauth/token``, issuing RFC 9068 access tokens signed
with the local keys, and RFC 8414 metadata. Built on authlib's framework-neutral
``AuthorizationServer`` and ``ClientCredentialsGrant``; this module adapts them to Starlette.

authlib is synchronous and the database is not, so the adapter reads the request and the
registered clients it names first, then runs authlib (and the deliberately slow secret
check) in a worker thread.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import hmac
import logging
import re
import secrets
import urllib.parse
from collections.abc import Mapping
from typing import Any, ClassVar, Final, TypeGuard

import orjson
from authlib.oauth2.rfc6749 import (  # type: ignore[import-untyped]
    AuthorizationServer,
    ClientMixin,
    InvalidClientError,
    InvalidRequestError,
    InvalidScopeError,
    OAuth2Error,
    OAuth2Request,
    UnsupportedGrantTypeError,
)
from authlib.oauth2.rfc6749.authenticate_client import ClientAuthentication  # type: ignore[import-untyped]
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant  # type: ignore[import-untyped]
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload  # type: ignore[import-untyped]
from authlib.oauth2.rfc6749.util import extract_basic_authorization, scope_to_list  # type: ignore[import-untyped]
from authlib.oauth2.rfc8414 import get_well_known_url  # type: ignore[import-untyped]
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from liaison.api.keyring import KeyRing
from liaison.api.people_login import AUTHORIZE_PATH
from liaison.api.people_tokens import PEOPLE_GRANTS, REVOKE_PATH, PeopleTokens
from liaison.api.tokens import mint_access_token
from liaison.db.identity import RegisteredClient, active_clients
from liaison.permissions.principal import Role

log = logging.getLogger("liaison.oauth")

TOKEN_PATH: Final = "/oauth/token"  # noqa: S105 - a path, not a password
METADATA_PATH: Final = "/.well-known/oauth-authorization-server"
JWKS_PATH: Final = "/.well-known/jwks.json"
AUTH_METHODS: Final = ("client_secret_basic", "client_secret_post")
GRANT_TYPE: Final = "client_credentials"
MAX_TOKEN_REQUEST_BYTES: Final = 4096
# Secret checks are slow on purpose (scrypt, 16 MiB each): a few at a time, never a pile.
CONCURRENT_SECRET_CHECKS: Final = 4

_FORM: Final = "application/x-www-form-urlencoded"
_PARAMETERS: Final = (
    "grant_type",
    "scope",
    "client_id",
    "client_secret",
    "code",
    "code_verifier",
    "redirect_uri",
    "refresh_token",
)
GRANT_TYPES: Final = (GRANT_TYPE, *PEOPLE_GRANTS)


# ---------------------------------------------------------------------------------------
# Client credentials

SECRET_PREFIX: Final = "lcs_"  # noqa: S105 - a prefix, not a password
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P, _SCRYPT_LENGTH = 2**14, 8, 1, 32
_MAX_SECRET_LENGTH: Final = 256


_CLIENT_ID: Final = re.compile(r"[a-z][a-z0-9_-]{1,63}")


def new_client_id(department: str) -> str:
    return f"{department}-{secrets.token_hex(8)}"


def _is_client_id(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and _CLIENT_ID.fullmatch(value) is not None


def new_client_secret() -> str:
    """256 random bits, prefixed so that secret scanners can recognise a leaked one."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """``scrypt$N$r$p$salt$hash`` with a fresh 16-byte salt. The secrets are random 256-bit
    values, so the slow hash is defence in depth for a stolen database, not the defence."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(secret, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    return "$".join(
        ("scrypt", str(_SCRYPT_N), str(_SCRYPT_R), str(_SCRYPT_P), _b64(salt), _b64(digest))
    )


def verify_secret(secret: str, encoded: str) -> bool:
    """Constant-time comparison; False for anything malformed."""
    try:
        scheme, n, r, p, salt, expected = encoded.split("$")
        if scheme != "scrypt" or len(secret) > _MAX_SECRET_LENGTH:
            return False
        digest = _scrypt(secret, _unb64(salt), int(n), int(r), int(p))
        return hmac.compare_digest(digest, _unb64(expected))
    except ValueError:
        return False


def _scrypt(secret: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        secret.encode(), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=_SCRYPT_LENGTH
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@functools.cache
def _no_secret() -> str:
    """A hash no secret matches, checked for unknown and revoked clients so that they cost
    the same time as a wrong secret: response time does not tell which client ids exist."""
    return hash_secret(secrets.token_urlsafe(32))


# ---------------------------------------------------------------------------------------
# authlib, adapted


class _Client(ClientMixin):  # type: ignore[misc]
    def __init__(self, client_id: str, registered: RegisteredClient | None) -> None:
        self.client_id = client_id
        self.registered = registered

    def get_client_id(self) -> str:
        return self.client_id

    def check_client_secret(self, client_secret: str) -> bool:
        stored = self.registered.secret_hash if self.registered else _no_secret()
        return verify_secret(client_secret, stored) and self.registered is not None

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method in AUTH_METHODS

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == GRANT_TYPE


class _TokenRequest(OAuth2Request):  # type: ignore[misc]
    def __init__(
        self,
        uri: str,
        headers: Mapping[str, str],
        form: dict[str, str],
        clients: Mapping[str, RegisteredClient],
    ) -> None:
        super().__init__("POST", uri, headers=headers)  # refuses plain http off loopback
        self.payload = BasicOAuth2Payload(form)
        self._form = form
        self._clients = clients

    @property
    def form(self) -> dict[str, str]:
        return self._form

    @property
    def args(self) -> dict[str, str]:
        return {}

    def lookup_client(self, client_id: str) -> _Client:
        return _Client(client_id, self._clients.get(client_id))


class _ClientCredentialsGrant(ClientCredentialsGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = list(AUTH_METHODS)

    def validate_requested_scope(self) -> None:
        # Scopes are role names: a client may ask for fewer roles than it holds, not more.
        registered: RegisteredClient = self.request.client.registered
        requested = set(scope_to_list(self.request.payload.scope) or ())
        if not requested <= set(registered.roles):
            raise InvalidScopeError(
                description="scope must be roles this client holds: " + " ".join(registered.roles)
            )


class _Server(AuthorizationServer):  # type: ignore[misc]
    def __init__(self, issuer: EmbeddedIssuer) -> None:
        super().__init__(scopes_supported=[role.value for role in Role])
        self._issuer = issuer
        self.register_grant(_ClientCredentialsGrant)
        self.register_token_generator("default", self._generate_token)

    def respond(
        self,
        uri: str,
        headers: Mapping[str, str],
        form: dict[str, str],
        clients: Mapping[str, RegisteredClient],
    ) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        try:
            request = _TokenRequest(uri, headers, form, clients)
        except OAuth2Error as error:
            return self.handle_error_response(None, error)
        return self.create_token_response(request)  # type: ignore[no-any-return]

    def authenticate_client(
        self, request: _TokenRequest, methods: list[str], endpoint: str = "token"
    ) -> _Client:
        client: _Client = ClientAuthentication(request.lookup_client)(request, methods, endpoint)
        return client

    def create_oauth2_request(self, request: _TokenRequest) -> _TokenRequest:
        return request

    def handle_response(
        self, status: int, body: dict[str, Any], headers: list[tuple[str, str]]
    ) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        return status, body, headers

    def handle_error_response(
        self, request: object, error: OAuth2Error
    ) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        if isinstance(error, InvalidClientError):
            # One answer for unknown client, wrong secret and revoked client.
            error.description = "client authentication failed"
        elif isinstance(error, UnsupportedGrantTypeError):
            error.description = (
                "grant_type must be " + ", ".join(GRANT_TYPES[:-1]) + (f" or {GRANT_TYPES[-1]}")
            )
        status, body, headers = error(None)
        headers = [(name, value) for name, value in headers if name.lower() != "www-authenticate"]
        if status == 401:
            headers.append(("WWW-Authenticate", f'Basic realm="liaison", error="{error.error}"'))
        return status, body, headers

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """authlib's framework hook for signals: Liaison subscribes to none."""

    def save_token(self, token: dict[str, Any], request: _TokenRequest) -> None:
        """Self-contained JWTs: nothing to store (issuance is logged with its jti)."""

    def _generate_token(
        self,
        grant_type: str,
        client: _Client,
        user: object = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = False,
    ) -> dict[str, Any]:
        registered = client.registered
        assert registered is not None  # only authenticated clients get here
        roles = sorted(set(scope_to_list(scope) or registered.roles))
        return self._issuer.mint(registered, roles)


class _TooLarge(InvalidRequestError):  # type: ignore[misc]
    status_code = 413


# ---------------------------------------------------------------------------------------
# Starlette


class EmbeddedIssuer:
    """``POST /oauth/token`` and the RFC 8414 metadata.

    Security contract:
    - client authentication by ``client_secret_basic`` or ``client_secret_post``, one
      method per request; secrets checked in constant time against salted scrypt hashes;
      unknown, revoked and wrong-secret clients all get the same 401 ``invalid_client``;
    - a token carries the registered client's department and roles (or the subset asked
      for in ``scope``), ``sub`` and ``client_id`` the client's id, and a fresh ``jti``;
    - bodies over 4 KiB are refused with 413 before parsing; repeated parameters, other
      content types and plain http off loopback (unless ``public_url`` says https) are
      refused with 400.
    """

    def __init__(
        self,
        *,
        keys: KeyRing,
        sessions: async_sessionmaker[AsyncSession],
        issuer: str,
        audience: str,
        lifetime_seconds: int,
        public_url: str | None = None,
        people: PeopleTokens | None = None,
    ) -> None:
        self.keys = keys
        self.people = people
        self.issuer = issuer
        self.audience = audience
        self.lifetime_seconds = lifetime_seconds
        self.public_url = public_url.rstrip("/") if public_url else None
        self._sessions = sessions
        self._server = _Server(self)
        self._secret_checks: asyncio.Semaphore | None = None

    def routes(self) -> list[Route]:
        paths = {METADATA_PATH, get_well_known_url(self.issuer)}
        people = [Route(REVOKE_PATH, self.people.revoke, methods=["POST"])] if self.people else []
        return [
            Route(TOKEN_PATH, self.token, methods=["POST"]),
            *people,
            *(Route(path, self.metadata, methods=["GET"]) for path in sorted(paths)),
        ]

    def mint(self, client: RegisteredClient, roles: list[str]) -> dict[str, Any]:
        jti = secrets.token_urlsafe(16)
        token = mint_access_token(
            self.keys.current(),
            issuer=self.issuer,
            audience=self.audience,
            subject=client.client_id,
            department=client.department,
            roles=roles,
            client_id=client.client_id,
            lifetime_seconds=self.lifetime_seconds,
            token_id=jti,
        )
        log.info("issued token jti=%s to client %s of %s", jti, client.client_id, client.department)
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self.lifetime_seconds,
            "scope": " ".join(roles),
        }

    async def token(self, request: Request) -> Response:
        try:
            form = await _form(request)
        except OAuth2Error as error:
            return _response(*self._server.handle_error_response(None, error))
        if self.people is not None and form["grant_type"] in PEOPLE_GRANTS:
            return await self.people.token(request, form, self.base(request) + TOKEN_PATH)
        try:
            basic_id, _ = extract_basic_authorization(request.headers)
        except ValueError:  # credentials that are not UTF-8: authlib would raise later too
            refused = InvalidClientError(status_code=401)
            return _response(*self._server.handle_error_response(None, refused))
        # Only ids of the shape we issue reach the database (PostgreSQL refuses NUL, say);
        # any other is an unknown client.
        wanted = {cid for cid in (basic_id, form.get("client_id")) if _is_client_id(cid)}
        async with self._sessions() as session:
            clients = await active_clients(session, wanted)
        if self._secret_checks is None:
            self._secret_checks = asyncio.Semaphore(CONCURRENT_SECRET_CHECKS)
        async with self._secret_checks:
            answer = await asyncio.to_thread(
                self._server.respond,
                self.base(request) + TOKEN_PATH,
                request.headers,
                form,
                clients,
            )
        return _response(*answer)

    async def metadata(self, request: Request) -> Response:
        base = self.base(request)
        document: dict[str, Any] = {
            "issuer": self.issuer,
            "token_endpoint": base + TOKEN_PATH,
            "jwks_uri": base + JWKS_PATH,
            "grant_types_supported": [GRANT_TYPE],
            "token_endpoint_auth_methods_supported": list(AUTH_METHODS),
            # No authorization endpoint, so no response type (the member is required).
            "response_types_supported": [],
            "scopes_supported": [role.value for role in Role],
        }
        if self.people is not None:
            document.update(
                authorization_endpoint=base + AUTHORIZE_PATH,
                revocation_endpoint=base + REVOKE_PATH,
                grant_types_supported=list(GRANT_TYPES),
                token_endpoint_auth_methods_supported=[*AUTH_METHODS, "none"],
                revocation_endpoint_auth_methods_supported=["none"],
                response_types_supported=["code"],
                response_modes_supported=["query"],
                code_challenge_methods_supported=["S256"],
            )
        # Derived from the Host header unless configured: then not for shared caches.
        cache = "public, max-age=300" if self.configured_base() else "no-store"
        return _response(200, document, [("Cache-Control", cache)])

    def configured_base(self) -> str | None:
        if self.public_url:
            return self.public_url
        if self.issuer.startswith(("https://", "http://")):
            return self.issuer.rstrip("/")
        return None

    def base(self, request: Request) -> str:
        """The URL clients reach this server at: configured, or from the request."""
        return self.configured_base() or str(request.base_url).rstrip("/")


async def _form(request: Request) -> dict[str, str]:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != _FORM:
        raise InvalidRequestError(description=f"the request body must be {_FORM}")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_TOKEN_REQUEST_BYTES:
        raise _TooLarge(description=f"the request body exceeds {MAX_TOKEN_REQUEST_BYTES} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_TOKEN_REQUEST_BYTES:
            raise _TooLarge(description=f"the request body exceeds {MAX_TOKEN_REQUEST_BYTES} bytes")
    try:
        pairs = urllib.parse.parse_qsl(
            body.decode("utf-8"), keep_blank_values=True, max_num_fields=32
        )
    except ValueError:  # not UTF-8, or too many fields
        raise InvalidRequestError(description="the request body cannot be parsed") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form and name in _PARAMETERS:  # RFC 6749 §3.2
            raise InvalidRequestError(description=f"{name} must not be repeated")
        form.setdefault(name, value)
    if not form.get("grant_type"):
        raise InvalidRequestError(description="grant_type is required")
    if "client_secret" in form and request.headers.get("authorization"):
        # RFC 6749 §2.3: one authentication method per request.
        raise InvalidRequestError(description="use one client authentication method, not two")
    return form


def _response(status: int, body: dict[str, Any], headers: list[tuple[str, str]]) -> Response:
    merged = {name.lower(): value for name, value in headers}
    merged["content-type"] = "application/json"
    merged.setdefault("cache-control", "no-store")
    return Response(orjson.dumps(body), status_code=status, headers=merged)
