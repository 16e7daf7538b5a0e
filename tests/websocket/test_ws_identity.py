"""Who is on a websocket: settled at ``connection_init`` (or the handshake), and the socket
closed when the token expires or is revoked."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from ws_support import (
    acknowledged,
    closed_with,
    opened,
    receive,
    send,
    subscribe,
)

from conftest import TEST_AUDIENCE, TEST_ISSUER
from liaison.api.app import create_app
from liaison.api.config import Settings
from liaison.api.keys import SigningKeys
from liaison.api.tokens import verify_access_token
from liaison.db.identity import revoke_token
from live_server import serving
from world import World, token

ME = "{ me { department purpose } }"


@pytest.fixture
async def server(settings: Settings, world: World) -> AsyncIterator[str]:
    app = create_app(dataclasses.replace(settings, subscription_poll_seconds=0.05))
    async with serving(app) as url:
        yield url


async def test_a_token_in_connection_init_admits_the_socket_and_serves_a_query(
    server: str, keys: SigningKeys
) -> None:
    async with acknowledged(server, token(keys, "customs"), purpose="joint_inspection") as ws:
        await subscribe(ws, ME)
        answer = await receive(ws)
        done = await receive(ws)

    assert answer == {
        "id": "1",
        "type": "next",
        "payload": {"data": {"me": {"department": "customs", "purpose": "joint_inspection"}}},
    }
    assert done == {"id": "1", "type": "complete"}


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        pytest.param(
            {},
            "Forbidden: send 'Authorization: Bearer <access token>' (mint one with: liaison token)",
            id="no-token",
        ),
        pytest.param(
            {"Authorization": "Basic Y3VzdG9tczpzZWNyZXQ="},
            "Forbidden: the Authorization header must use the Bearer scheme",
            id="basic-scheme",
        ),
        pytest.param(
            {"Authorization": "Bearer not.a.jwt"},
            "Forbidden: token header is not base64url-encoded JSON",
            id="garbage",
        ),
    ],
)
async def test_connection_init_without_a_valid_token_closes_the_socket_4403(
    server: str, payload: dict[str, str], reason: str
) -> None:
    async with opened(server) as ws:
        await send(ws, {"type": "connection_init", "payload": payload})
        assert await closed_with(ws) == (4403, reason)


async def test_a_forged_or_expired_token_closes_the_socket_4403(
    server: str, keys: SigningKeys, tmp_path: Path
) -> None:
    forged = token(SigningKeys.load_or_create(tmp_path), "customs")
    expired = token(keys, "customs", lifetime=60, issued_at=int(time.time()) - 3600)
    refusals = []
    for bearer in (forged, expired):
        async with opened(server) as ws:
            payload = {"Authorization": f"Bearer {bearer}"}
            await send(ws, {"type": "connection_init", "payload": payload})
            refusals.append(await closed_with(ws))

    assert refusals == [
        (4403, "Forbidden: token key id is not recognised"),
        (4403, "Forbidden: token has expired"),
    ]


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        pytest.param(
            {"Liaison-Purpose": "Joint Inspection"},
            "Liaison-Purpose must be a purpose code such as joint_inspection (lowercase "
            "letters, digits and underscores).",
            id="purpose",
        ),
        pytest.param(
            {"Liaison-Purpose": 7},
            "connection_init payload: liaison-purpose must be a string",
            id="purpose-not-a-string",
        ),
        pytest.param(
            {"Liaison-Case": "x" * 129},
            "Liaison-Case must be 1 to 128 printable characters.",
            id="case",
        ),
    ],
)
async def test_a_malformed_purpose_or_case_closes_the_socket_4400(
    server: str, keys: SigningKeys, extra: dict[str, object], reason: str
) -> None:
    async with opened(server) as ws:
        payload = {"Authorization": f"Bearer {token(keys, 'customs')}", **extra}
        await send(ws, {"type": "connection_init", "payload": payload})
        assert await closed_with(ws) == (4400, reason)


async def test_a_subscribe_before_connection_init_closes_the_socket_4401(server: str) -> None:
    async with opened(server) as ws:
        await subscribe(ws, ME)
        assert await closed_with(ws) == (4401, "Unauthorized")


async def test_the_handshake_header_is_enough_for_clients_that_can_set_headers(
    server: str, keys: SigningKeys
) -> None:
    headers = {
        "Authorization": f"Bearer {token(keys, 'market')}",
        "Liaison-Purpose": "joint_inspection",
    }
    async with opened(server, headers=headers) as ws:
        await send(ws, {"type": "connection_init"})
        assert await receive(ws) == {"type": "connection_ack"}
        await subscribe(ws, ME)
        answer = await receive(ws)

    assert answer["payload"]["data"]["me"]["department"] == "market"


async def test_the_socket_is_closed_when_its_token_expires(server: str, keys: SigningKeys) -> None:
    short = token(keys, "customs", lifetime=2)
    async with acknowledged(server, short) as ws:
        await subscribe(ws, "subscription { riskChanged { id } }")
        assert await closed_with(ws, seconds=10) == (4403, "Forbidden: token expired")


async def test_a_revoked_token_closes_the_socket_at_its_next_subscribe(
    server: str, keys: SigningKeys, sessions: async_sessionmaker[AsyncSession]
) -> None:
    bearer = token(keys, "customs")
    claims = verify_access_token(bearer, keys, issuer=TEST_ISSUER, audience=TEST_AUDIENCE)
    async with acknowledged(server, bearer) as ws:
        await subscribe(ws, ME, operation_id="before")
        assert (await receive(ws))["type"] == "next"
        assert (await receive(ws))["type"] == "complete"

        now = dt.datetime.now(dt.UTC)
        async with sessions() as session, session.begin():
            await revoke_token(
                session, claims.token_id, expires_at=now + dt.timedelta(hours=1), now=now
            )
        await subscribe(ws, ME, operation_id="after")
        assert await closed_with(ws) == (4403, "Forbidden: token has been revoked")

    # HTTP agrees: the same token is refused there too.
    async with httpx.AsyncClient(base_url=server) as http:
        response = await http.post(
            "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {bearer}"}
        )
    assert response.status_code == 401
