"""The one statement every HTTP request starts with: the policy epoch and the caller's
revocation, read together in the request's transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.db import identity
from liaison.db.agreements import bump_policy_epoch, policy_epoch
from liaison.db.identity import Revoked
from liaison.db.request_state import read_request_state
from world import World

NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("revoked_jti", "revoked_client", "expected"),
    [
        (None, None, None),
        ("jti-1", None, Revoked.TOKEN),
        (None, "portal-1", Revoked.CLIENT),
        ("jti-1", "portal-1", Revoked.TOKEN),
        ("jti-2", "portal-2", None),
    ],
)
async def test_the_request_state_names_a_revocation_of_the_token_or_its_client(
    sessions: async_sessionmaker[AsyncSession],
    world: World,
    clean_identity: None,
    revoked_jti: str | None,
    revoked_client: str | None,
    expected: Revoked | None,
) -> None:
    async with sessions() as session, session.begin():
        if revoked_jti is not None:
            await identity.revoke_token(
                session, revoked_jti, expires_at=NOW + dt.timedelta(days=1), now=NOW
            )
        if revoked_client is not None:
            await identity.revoke_client(session, revoked_client, now=NOW)

    async with sessions() as session:
        state = await read_request_state(session, jti="jti-1", client_id="portal-1")

    assert state.revoked is expected


async def test_the_request_state_carries_the_current_policy_epoch(
    sessions: async_sessionmaker[AsyncSession], world: World, clean_identity: None
) -> None:
    async with sessions() as session, session.begin():
        await bump_policy_epoch(session)
        expected = await policy_epoch(session)

    async with sessions() as session:
        state = await read_request_state(session, jti="jti-1", client_id="portal-1")

    assert state.policy_epoch == expected
    assert state.revoked is None
