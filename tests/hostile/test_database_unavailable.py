"""A database out of reach (restarting, stopped, unreachable) is answered 503
DATABASE_UNAVAILABLE with Retry-After, a message that says so and the request id: never a
stack trace, never a 500 that looks like a bug."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import httpx

from liaison.api.app import create_app
from liaison.api.config import Settings
from liaison.api.keys import SigningKeys
from live_server import free_port
from scratch_databases import on_postgresql
from world import token


def unreachable_url(tmp_path: Path) -> str:
    if on_postgresql():
        return f"postgresql://postgres@127.0.0.1:{free_port()}/nothing_listens_here"
    return f"sqlite:///{tmp_path / 'no such directory' / 'liaison.db'}"


async def test_a_request_to_a_database_out_of_reach_is_answered_503_saying_so(
    settings: Settings, keys: SigningKeys, tmp_path: Path
) -> None:
    app = create_app(dataclasses.replace(settings, database_url=unreachable_url(tmp_path)))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://liaison.test") as client:
        response = await client.post(
            "/graphql",
            json={"query": "{ me { department } }"},
            headers={"Authorization": f"Bearer {token(keys, 'customs')}"},
        )
        health = await client.get("/healthz")

    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    body = response.json()
    assert len(body["errors"]) == 1
    assert body["errors"][0]["extensions"]["code"] == "DATABASE_UNAVAILABLE"
    assert body["errors"][0]["extensions"]["requestId"] == response.headers["x-request-id"]
    assert body["errors"][0]["message"].startswith("The database is unavailable right now")
    assert "Traceback" not in response.text
    assert health.status_code == 503
