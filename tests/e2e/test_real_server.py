"""Through a real uvicorn server on 127.0.0.1, with the clients users use."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from gql import Client, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXAsyncTransport

from liaison.api.keys import SigningKeys
from live_server import serving
from world import USCC_CHEMICAL, World, token


@pytest.fixture
async def server(app: object) -> AsyncIterator[str]:
    async with serving(app) as url:
        yield url


async def test_a_gql_client_reads_an_enterprise_with_a_minted_token(
    server: str, keys: SigningKeys, world: World
) -> None:
    transport = HTTPXAsyncTransport(
        url=f"{server}/graphql",
        headers={
            "Authorization": f"Bearer {token(keys, 'customs')}",
            "Liaison-Purpose": "joint_inspection",
        },
    )
    async with Client(transport=transport) as session:
        request = gql("query($u: String!) { me { department } enterprise(uscc: $u) { uscc } }")
        request.variable_values = {"u": USCC_CHEMICAL}
        result = await session.execute(request)

    assert result == {"me": {"department": "customs"}, "enterprise": {"uscc": USCC_CHEMICAL}}


async def test_a_gql_client_without_a_token_is_told_to_authenticate(
    server: str, world: World
) -> None:
    transport = HTTPXAsyncTransport(url=f"{server}/graphql")
    with pytest.raises(TransportQueryError) as refused:
        async with Client(transport=transport) as session:
            await session.execute(gql("{ me { department } }"))

    assert refused.value.errors is not None
    assert [e["extensions"]["code"] for e in refused.value.errors] == ["UNAUTHENTICATED"]


async def test_a_websocket_handshake_with_a_bad_token_is_refused_with_401(
    server: str, world: World
) -> None:
    import websockets

    url = server.replace("http", "ws", 1) + "/graphql"
    with pytest.raises(websockets.InvalidStatus) as refused:
        await websockets.connect(
            url,
            subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
            additional_headers={"Authorization": "Bearer not-a-token"},
        )

    assert refused.value.response.status_code == 401


async def test_healthz_answers_over_real_http(server: str) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{server}/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
