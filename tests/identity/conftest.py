"""Fixtures for the identity tests: two external identity providers behind a real JWKS
endpoint on 127.0.0.1, an app that trusts them, and registered clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conftest import TEST_AUDIENCE
from identity.identity_support import IdP, JWKSServer
from liaison.api.app import create_app
from liaison.api.config import Settings
from liaison.api.oauth import hash_secret, new_client_id, new_client_secret
from liaison.db import identity
from liaison.db.identity_models import OAuthClient, RevokedClient, RevokedToken
from live_server import serving

PUBLIC_URL = "https://liaison.test"


@pytest.fixture(scope="session")
def customs_idp() -> IdP:
    """RS256, departments from the ``org`` claim, roles from ``realm_access.roles``."""
    return IdP(
        name="customs-idp",
        issuer="https://idp.customs.test/realms/liaison",
        alg="RS256",
        kid="customs-2026-1",
        private_key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        claims={
            "sub": "officer-42",
            "client_id": "customs-portal",
            "org": "CN-CUSTOMS-SH",
            "realm_access": {"roles": ["liaison-reader", "offline_access"]},
        },
    )


@pytest.fixture(scope="session")
def park_idp() -> IdP:
    """ES256, one fixed department, plain JWT typ accepted, roles by their own names."""
    return IdP(
        name="park-idp",
        issuer="https://idp.park.test",
        alg="ES256",
        kid="park-1",
        private_key=ec.generate_private_key(ec.SECP256R1()),
        claims={"sub": "inspector-7", "azp": "park-app", "roles": ["reader", "admin"]},
        typ="JWT",
    )


@pytest.fixture(scope="session")
async def jwks_server(customs_idp: IdP, park_idp: IdP) -> AsyncIterator[JWKSServer]:
    server = JWKSServer()
    server.key_sets["customs"] = [customs_idp.public_jwk()]
    server.key_sets["park"] = [park_idp.public_jwk()]
    async with serving(server.app()) as base:
        server.base = base
        yield server


def issuers_toml(server: JWKSServer, *, cooldown: float = 60) -> str:
    return f"""
[[issuers]]
name = "customs-idp"
issuer = "https://idp.customs.test/realms/liaison"
jwks_uri = "{server.url("customs")}"
audience = "{TEST_AUDIENCE}"
algorithms = ["RS256"]
department_claim = "org"
departments = {{ "CN-CUSTOMS-SH" = "customs", "CN-EMERGENCY-SH" = "emergency" }}
roles_claim = ["realm_access", "roles"]
roles = {{ "liaison-reader" = "reader", "liaison-writer" = "contributor" }}
jwks_cooldown_seconds = {cooldown}

[[issuers]]
name = "park-idp"
issuer = "https://idp.park.test"
jwks_uri = "{server.url("park")}"
audience = "{TEST_AUDIENCE}"
algorithms = ["ES256"]
token_types = ["at+jwt", "jwt"]
department = "park"
jwks_cooldown_seconds = {cooldown}
"""


@pytest.fixture
def make_app(
    settings: Settings,
    jwks_server: JWKSServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[..., Any]:
    """A fresh app (fresh JWKS caches) trusting both providers, on the shared database,
    with its own data directory (signing keys) unless one is given."""

    def make(*, cooldown: float = 60, data_dir: Path | None = None, **changes: Any) -> Any:
        directory = tmp_path_factory.mktemp("identity")
        issuers_file = directory / "issuers.toml"
        issuers_file.write_text(issuers_toml(jwks_server, cooldown=cooldown))
        options: dict[str, Any] = {
            "data_dir": data_dir or directory / "data",
            "public_url": PUBLIC_URL,
            "issuers_file": issuers_file,
            **changes,
        }
        return create_app(settings.with_overrides(**options))

    return make


@pytest.fixture(scope="session")
def identity_app(
    settings: Settings, jwks_server: JWKSServer, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    directory = tmp_path_factory.mktemp("identity-app")
    issuers_file = directory / "issuers.toml"
    issuers_file.write_text(issuers_toml(jwks_server))
    return create_app(
        settings.with_overrides(
            data_dir=directory / "data", public_url=PUBLIC_URL, issuers_file=issuers_file
        )
    )


def client_for(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC_URL)


@pytest.fixture
async def ihttp(identity_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(identity_app) as client:
        yield client


@pytest.fixture
async def clean_identity(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[None]:
    """No registered client and no revocation before or after: revocations are global, and
    other tests' tokens must not meet one of ours."""

    async def clean() -> None:
        async with sessions() as session, session.begin():
            for table in (OAuthClient, RevokedToken, RevokedClient):
                await session.execute(delete(table))

    await clean()
    yield
    await clean()


RegisterClient = Callable[..., Any]


@pytest.fixture
def register_client(
    sessions: async_sessionmaker[AsyncSession], clean_identity: None
) -> RegisterClient:
    async def register(department: str = "customs", *roles: str) -> tuple[str, str]:
        client_id, secret = new_client_id(department), new_client_secret()
        async with sessions() as session, session.begin():
            await identity.add_client(
                session,
                client_id=client_id,
                name=f"{department} test client",
                department=department,
                roles=roles or ("reader", "contributor"),
                secret_hash=hash_secret(secret),
            )
        return client_id, secret

    return register
