"""Identity, wired: the local keys, the embedded issuer's routes, the external issuers and
the revocation list, from the settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from liaison.api import console
from liaison.api.authentication import Authenticator
from liaison.api.authorization_code import ConsoleClient, PeopleServer
from liaison.api.config import Settings
from liaison.api.issuers import IssuerConfigError, load_issuers
from liaison.api.keyring import KeyRing
from liaison.api.login_csrf import LoginCsrf, load_or_create_secret
from liaison.api.login_limits import LoginLimits
from liaison.api.oauth import JWKS_PATH, EmbeddedIssuer
from liaison.api.people_login import PeopleLogin
from liaison.api.people_tokens import PeopleTokens
from liaison.api.revocation import Revocations


@dataclass(frozen=True)
class Identity:
    keys: KeyRing
    authenticator: Authenticator
    issuer: EmbeddedIssuer
    routes: list[Route]


def build_identity(settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> Identity:
    """Raises SystemExit, naming the mistake, when the issuers file is unusable."""
    keys = KeyRing(settings.data_dir)
    try:
        external = load_issuers(settings.issuers_file, settings.issuer)
    except IssuerConfigError as exc:
        raise SystemExit(f"LIAISON_ISSUERS_FILE: {exc}") from None
    authenticator = Authenticator(
        keys,
        issuer=settings.issuer,
        audience=settings.audience,
        external=external,
        revocations=Revocations(sessions),
    )
    sign_in = settings.sign_in
    people_server = PeopleServer(
        client=ConsoleClient(redirect_uris=sign_in.console_redirect_uris),
        keys=keys,
        issuer=settings.issuer,
        audience=settings.audience,
        lifetime_seconds=sign_in.person_token_lifetime_seconds,
    )
    people_tokens = PeopleTokens(
        server=people_server,
        sessions=sessions,
        keys=keys,
        issuer=settings.issuer,
        audience=settings.audience,
        settings=sign_in,
    )
    issuer = EmbeddedIssuer(
        keys=keys,
        sessions=sessions,
        issuer=settings.issuer,
        audience=settings.audience,
        lifetime_seconds=settings.token_lifetime_seconds,
        public_url=settings.public_url,
        people=people_tokens,
    )
    login = PeopleLogin(
        server=people_server,
        sessions=sessions,
        csrf=LoginCsrf(load_or_create_secret(settings.data_dir)),
        limits=LoginLimits.of(sign_in),
        trusted_proxies=sign_in.trusted_proxies,
        base=issuer.base,
    )

    async def jwks(_: Request) -> JSONResponse:
        return JSONResponse(keys.current().public_jwks())

    config = console.config_endpoint(
        issuer.base, settings.issuer, external, configured=issuer.configured_base() is not None
    )
    routes = [
        Route(JWKS_PATH, jwks, methods=["GET"]),
        *issuer.routes(),
        *login.routes(),
        Route(console.CONFIG_PATH, config, methods=["GET"]),
    ]
    return Identity(keys=keys, authenticator=authenticator, issuer=issuer, routes=routes)
