"""A graphql-transport-ws client for the tests: a real socket to a real uvicorn server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

from liaison.db.change_feed import ChangeFeed

PROTOCOL = websockets.Subprotocol("graphql-transport-ws")
# Long enough for a change to travel feed -> poller -> subscription on a busy CI machine.
WAIT = 10.0


@dataclass(frozen=True)
class LiveServer:
    url: str
    changes: ChangeFeed

    async def listening(self, subscriptions: int = 1) -> None:
        """Waits until that many subscriptions have taken their place in the feed: from
        then on they see every change (the protocol itself acknowledges no subscribe)."""
        async with asyncio.timeout(WAIT):
            while self.changes.listening < subscriptions:  # noqa: ASYNC110 - no event to await
                await asyncio.sleep(0.01)


def ws_url(base: str) -> str:
    return base.replace("http", "ws", 1) + "/graphql"


@asynccontextmanager
async def opened(
    base: str, *, headers: dict[str, str] | None = None
) -> AsyncIterator[ClientConnection]:
    async with websockets.connect(
        ws_url(base), subprotocols=[PROTOCOL], additional_headers=headers or {}
    ) as connection:
        yield connection


@asynccontextmanager
async def acknowledged(
    base: str,
    bearer: str,
    *,
    purpose: str | None = "joint_inspection",
    request_id: str | None = None,
) -> AsyncIterator[ClientConnection]:
    """A socket authenticated the way browsers do it: the token in ``connection_init``."""
    payload: dict[str, str] = {"Authorization": f"Bearer {bearer}"}
    if purpose is not None:
        payload["Liaison-Purpose"] = purpose
    headers = {"X-Request-ID": request_id} if request_id else None
    async with opened(base, headers=headers) as connection:
        await send(connection, {"type": "connection_init", "payload": payload})
        assert await receive(connection) == {"type": "connection_ack"}
        yield connection


async def send(connection: ClientConnection, message: dict[str, Any]) -> None:
    await connection.send(json.dumps(message))


async def receive(connection: ClientConnection, seconds: float = WAIT) -> dict[str, Any]:
    async with asyncio.timeout(seconds):
        frame = await connection.recv()
    assert isinstance(frame, str), "graphql-transport-ws messages are text frames"
    message: dict[str, Any] = json.loads(frame)
    return message


async def subscribe(
    connection: ClientConnection,
    query: str,
    variables: dict[str, Any] | None = None,
    operation_id: str = "1",
) -> None:
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    await send(connection, {"id": operation_id, "type": "subscribe", "payload": payload})


async def closed_with(connection: ClientConnection, seconds: float = WAIT) -> tuple[int, str]:
    """Waits for the server to close the socket; its close code and reason."""
    async with asyncio.timeout(seconds):
        try:
            while True:
                await connection.recv()
        except websockets.ConnectionClosed as closed:
            frame = closed.rcvd
    if frame is None:
        raise AssertionError("the server closed without a close frame")
    return frame.code, frame.reason


async def nothing_within(connection: ClientConnection, seconds: float) -> bool:
    """True when no message arrives within ``seconds``."""
    try:
        async with asyncio.timeout(seconds):
            await connection.recv()
    except TimeoutError:
        return True
    return False
