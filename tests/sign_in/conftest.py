"""Fixtures for the people tests: an app whose public URL is https (so the sign-in cookie
is ``__Host-`` and authlib's transport check passes, as behind a TLS proxy), people in the
database, and clients that come from given addresses."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.api.app import create_app
from liaison.api.config import Settings, SignInSettings
from liaison.api.passwords import hash_password
from liaison.db import people
from liaison.db.identity_models import RevokedClient, RevokedToken
from liaison.db.people_models import (
    AuthorizationCode,
    LoginFailure,
    RefreshFamily,
    RefreshToken,
    UserAccount,
)
from sign_in.sign_in_support import PUBLIC_URL, REDIRECT_URI
from world import World

Sessions = async_sessionmaker[AsyncSession]

# (username, department, roles, password, disabled)
PEOPLE = (
    ("customs.officer", "customs", ("reader", "contributor"), "officer-password-1", False),
    ("customs.auditor", "customs", ("auditor",), "auditor-password-1", False),
    ("emergency.reader", "emergency", ("reader",), "emergency-password-1", False),
    ("customs.leaver", "customs", ("reader",), "leaver-password-1", True),
)
PASSWORDS = {username: password for username, _, _, password, _ in PEOPLE}


@pytest.fixture(scope="session")
def password_hashes() -> dict[str, str]:
    """argon2 is slow on purpose: each password is hashed once per test session."""
    return {username: hash_password(password) for username, password in PASSWORDS.items()}


def people_settings(settings: Settings, **sign_in: Any) -> Settings:
    return settings.with_overrides(
        public_url=PUBLIC_URL,
        sign_in=SignInSettings(console_redirect_uris=(REDIRECT_URI,), **sign_in),
    )


@pytest.fixture(scope="session")
def people_app(settings: Settings) -> Any:
    return create_app(people_settings(settings))


MakeClient = Callable[..., Any]


def client_of(app: Any, address: str = "198.51.100.7") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL)


@pytest.fixture
async def phttp(people_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(people_app) as client:
        yield client


async def clean_people(sessions: Sessions) -> None:
    async with sessions() as session, session.begin():
        for table in (
            LoginFailure,
            AuthorizationCode,
            RefreshToken,
            RefreshFamily,
            UserAccount,
            RevokedToken,
            RevokedClient,
        ):
            await session.execute(delete(table))


@pytest.fixture
async def folks(
    world: World, sessions: Sessions, password_hashes: dict[str, str]
) -> AsyncIterator[dict[str, people.Person]]:
    """The people of PEOPLE, in a clean world with no sign-ins and no revocations."""
    await clean_people(sessions)
    added = {}
    async with sessions() as session, session.begin():
        for username, department, roles, _, disabled in PEOPLE:
            added[username] = await people.add_user(
                session,
                username=username,
                display_name=username,
                department=department,
                roles=roles,
                password_hash=password_hashes[username],
                now=dt.datetime.now(dt.UTC),
            )
            if disabled:
                await people.set_disabled(
                    session, username, disabled=True, now=dt.datetime.now(dt.UTC)
                )
    yield added
    await clean_people(sessions)
