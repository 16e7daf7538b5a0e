"""Operations over graphql-transport-ws meet the same limits as over HTTP: depth, aliases,
tokens, document and variables size, and the record budget."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import websockets
from hostile_support import app_with
from websockets.asyncio.client import ClientConnection

from liaison.api.config import Settings
from liaison.api.keys import SigningKeys
from live_server import serving
from world import World, token

DEPTH_6 = "{ enterprises { edges { node { dangerousChemicalEntries { enterprise { uscc } } } } } }"
ENTERPRISES = "{ enterprises { edges { node { uscc } } } }"


@asynccontextmanager
async def socket(
    settings: Settings, keys: SigningKeys, **limits: Any
) -> AsyncIterator[ClientConnection]:
    async with app_with(settings, **limits) as app, serving(app) as url, connected(url, keys) as ws:
        yield ws


@asynccontextmanager
async def connected(url: str, keys: SigningKeys) -> AsyncIterator[ClientConnection]:
    async with (
        websockets.connect(
            url.replace("http", "ws", 1) + "/graphql",
            subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
            additional_headers={"Authorization": f"Bearer {token(keys, 'customs')}"},
        ) as connection,
    ):
        await connection.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await connection.recv()) == {"type": "connection_ack"}
        yield connection


async def run(
    connection: ClientConnection,
    query: str,
    variables: dict[str, Any] | None = None,
    operation_id: str = "1",
) -> dict[str, Any]:
    """The operation's one result: its ``next`` payload, or its ``error`` message."""
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    await connection.send(json.dumps({"id": operation_id, "type": "subscribe", "payload": payload}))
    frame = await connection.recv()
    assert isinstance(frame, str), "graphql-transport-ws messages are text frames"
    message: dict[str, Any] = json.loads(frame)
    assert message["id"] == operation_id
    if message["type"] == "next":
        assert json.loads(await connection.recv()) == {"id": operation_id, "type": "complete"}
    return message


def limit_of(message: dict[str, Any]) -> str:
    assert message["type"] == "error", message
    assert len(message["payload"]) == 1
    extensions = message["payload"][0]["extensions"]
    assert extensions["code"] == "LIMIT_EXCEEDED"
    limit: str = extensions["limit"]
    return limit


async def test_depth_is_limited_over_the_websocket_as_over_http(
    settings: Settings, keys: SigningKeys, world: World
) -> None:
    async with socket(settings, keys, max_depth=5) as connection:
        refused = await run(connection, DEPTH_6, operation_id="deep")
        served = await run(connection, ENTERPRISES, operation_id="shallow")

    assert limit_of(refused) == "depth"
    assert refused["payload"][0]["message"] == (
        "The operation nests fields 6 deep; at most 5 are allowed."
    )
    # Within the limits, the same socket serves a query as HTTP would.
    assert served["type"] == "next"
    assert "errors" not in served["payload"]
    assert len(served["payload"]["data"]["enterprises"]["edges"]) == 3


async def test_aliases_are_limited_over_the_websocket(
    settings: Settings, keys: SigningKeys, world: World
) -> None:
    query = "{ " + " ".join(f"a{n}: me {{ department }}" for n in range(4)) + " }"

    async with socket(settings, keys, max_aliases=3) as connection:
        message = await run(connection, query)

    assert limit_of(message) == "aliases"


@pytest.mark.parametrize(
    ("limits", "variables", "limit"),
    [
        pytest.param({"max_document_bytes": 40}, None, "documentBytes", id="document"),
        pytest.param({"max_variables_bytes": 20}, {"x": "y" * 20}, "variablesBytes", id="vars"),
    ],
)
async def test_sizes_are_limited_over_the_websocket(
    settings: Settings,
    keys: SigningKeys,
    world: World,
    limits: dict[str, int],
    variables: dict[str, str] | None,
    limit: str,
) -> None:
    query = "query($x: String) { me { department } e: enterprise(uscc: $x) { uscc } }"

    async with socket(settings, keys, **limits) as connection:
        message = await run(connection, query, variables)

    assert limit_of(message) == limit


async def test_operations_in_flight_on_one_socket_are_limited(
    settings: Settings, keys: SigningKeys, world: World
) -> None:
    async with socket(settings, keys, max_socket_operations=2) as connection:
        for n in (1, 2):
            payload = {"query": "subscription { riskChanged { id } }"}
            await connection.send(
                json.dumps({"id": f"s{n}", "type": "subscribe", "payload": payload})
            )
        refused = await run(connection, "{ me { department } }", operation_id="third")

    assert limit_of(refused) == "socketOperations"
    assert refused["payload"][0]["message"] == (
        "2 operations are already running on this socket, the most allowed: complete one, "
        "or open another socket."
    )


async def test_a_document_over_the_token_limit_closes_the_socket_as_the_protocol_says(
    settings: Settings, keys: SigningKeys, world: World
) -> None:
    query = "{ me { " + "department " * 60 + "} }"

    async with socket(settings, keys, max_tokens=50) as connection:
        await connection.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}})
        )
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await connection.recv()

    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4400
    assert "more than 50 tokens" in closed.value.rcvd.reason


async def test_the_record_budget_spent_over_http_is_enforced_over_the_websocket(
    settings: Settings, keys: SigningKeys, world: World
) -> None:
    headers = {"Authorization": f"Bearer {token(keys, 'customs')}"}
    async with app_with(settings, rate_records_per_minute=5) as app, serving(app) as url:
        async with httpx.AsyncClient(base_url=url) as client:
            for _ in range(2):  # 3 enterprises each: 6 records, over a budget of 5
                response = await client.post(
                    "/graphql", json={"query": ENTERPRISES}, headers=headers
                )
                assert response.status_code == 200
        async with connected(url, keys) as connection:
            refused = await run(connection, "{ me { department } }")

    assert refused["type"] == "error"
    assert refused["payload"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert refused["payload"][0]["extensions"]["retryAfterSeconds"] >= 1


async def test_a_subscribe_message_with_a_non_string_query_closes_the_socket(
    settings: Settings, keys: SigningKeys, world: World
) -> None:
    async with socket(settings, keys) as connection:
        await connection.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": 5}}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await connection.recv()

    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4400
    assert closed.value.rcvd.reason.startswith("Invalid subscribe payload")


async def test_the_legacy_graphql_ws_protocol_is_not_spoken(
    settings: Settings, keys: SigningKeys, world: World
) -> None:
    async with (
        app_with(settings) as app,
        serving(app) as url,
        websockets.connect(
            url.replace("http", "ws", 1) + "/graphql",
            subprotocols=[websockets.Subprotocol("graphql-ws")],
            additional_headers={"Authorization": f"Bearer {token(keys, 'customs')}"},
        ) as connection,
    ):
        assert connection.subprotocol is None
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await connection.recv()

    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4406
    assert closed.value.rcvd.reason == "Subprotocol not acceptable"


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param('{"type": "ping", "payload": {"x": NaN}}', id="nan"),
        pytest.param("[" * 5000 + "]" * 5000, id="nested-5000-deep"),
    ],
)
async def test_a_message_that_is_not_strict_json_closes_the_socket(
    settings: Settings, keys: SigningKeys, world: World, raw: str
) -> None:
    async with socket(settings, keys) as connection:
        await connection.send(raw)
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await connection.recv()

    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4400
    assert closed.value.rcvd.reason == "WebSocket message must be valid JSON"
