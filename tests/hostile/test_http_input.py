"""Malformed and oversized HTTP requests: a precise 400 (or 413) JSON error with the request
id, never a stack trace or text/plain, and nothing executed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from hostile_support import (
    ME,
    app_with,
    assert_json_refusal,
    bearer,
    client_with,
)

from liaison.api.config import Settings
from liaison.api.keys import SigningKeys
from live_server import serving
from world import World

# ---------------------------------------------------------------------------------------
# Body size: 413 before parsing, with or without Content-Length.


async def test_a_body_declared_larger_than_the_limit_is_refused_before_authentication(
    settings: Settings,
) -> None:
    async with client_with(settings, max_body_bytes=1000) as client:
        response = await client.post(
            "/graphql",
            content=b'{"query": "' + b" " * 2000 + b'{ me { department } }"}',
            headers={"Content-Type": "application/json"},
        )

    error = assert_json_refusal(response, 413, "PAYLOAD_TOO_LARGE", message="1000 bytes")
    assert error["extensions"]["maximumBytes"] == 1000
    assert response.headers["connection"] == "close"


async def chunks(total: int, size: int = 256) -> AsyncIterator[bytes]:
    yield b'{"query": "'
    sent = 0
    while sent < total:
        yield b" " * size
        sent += size
    yield b'{ me { department } }"}'


async def test_a_chunked_body_is_counted_as_it_streams_in(
    settings: Settings, keys: SigningKeys, world: World
) -> None:
    async with client_with(settings, max_body_bytes=1000) as client:
        response = await client.post(
            "/graphql",
            content=chunks(5000),
            headers={**bearer(keys), "Content-Type": "application/json"},
        )

    assert "content-length" not in response.request.headers
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert_json_refusal(response, 413, "PAYLOAD_TOO_LARGE")


async def test_a_chunked_body_over_the_limit_is_refused_by_a_real_server(
    settings: Settings, keys: SigningKeys, world: World
) -> None:
    async with (
        app_with(settings, max_body_bytes=1000) as app,
        serving(app) as url,
        httpx.AsyncClient() as client,
    ):
        refused = await client.post(
            f"{url}/graphql",
            content=chunks(50_000),
            headers={**bearer(keys), "Content-Type": "application/json"},
        )
        served = await client.post(
            f"{url}/graphql",
            content=chunks(500),
            headers={**bearer(keys), "Content-Type": "application/json"},
        )

    assert_json_refusal(refused, 413, "PAYLOAD_TOO_LARGE")
    assert served.status_code == 200
    assert served.json() == {"data": {"me": {"department": "customs"}}}


async def test_a_body_within_the_limit_is_served(
    settings: Settings, keys: SigningKeys, world: World
) -> None:
    async with client_with(settings, max_body_bytes=1000) as client:
        response = await client.post("/graphql", json={"query": ME}, headers=bearer(keys))

    assert response.status_code == 200
    assert response.json() == {"data": {"me": {"department": "customs"}}}


# ---------------------------------------------------------------------------------------
# Malformed bodies and parameters: 400 with a precise message.


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(b"", "The request body is empty", id="empty"),
        pytest.param(b'{ "not a JSON', "The request body is not valid JSON", id="truncated"),
        pytest.param(b"{'query': '{ me }'}", "The request body is not valid JSON", id="quotes"),
        pytest.param(
            b'{"query": "\xff\xfe{ me }"}',
            "The request body is not valid UTF-8 (byte 11)",
            id="utf8",
        ),
        pytest.param(b"[" * 5000 + b"]" * 5000, "not valid JSON", id="nested-5000-deep"),
        pytest.param(b'"{ me { department } }"', "must be a JSON object", id="string"),
        pytest.param(b"42", "must be a JSON object", id="number"),
        pytest.param(b"null", "must be a JSON object", id="null"),
        pytest.param(b'{"qeury": "{ me { department } }"}', "has no `query`", id="typo"),
        pytest.param(b'{"query": ""}', "`query` is empty", id="empty-query"),
        pytest.param(
            b'{"query": {"obj": "ect"}}', "`query` must be a string, not an object", id="q-obj"
        ),
        pytest.param(b'{"query": 0}', "`query` must be a string, not a number", id="q-number"),
        pytest.param(b'{"query": false}', "`query` must be a string, not a boolean", id="q-bool"),
        pytest.param(
            b'{"query": ["{ me }"]}', "`query` must be a string, not an array", id="q-array"
        ),
        pytest.param(
            b'{"query": "{ me { department } }", "variables": "{}"}',
            "`variables` must be an object or null, not a string",
            id="variables-string",
        ),
        pytest.param(
            b'{"query": "{ me { department } }", "variables": [1]}',
            "`variables` must be an object or null, not an array",
            id="variables-array",
        ),
        pytest.param(
            b'{"query": "{ me { department } }", "operationName": 0}',
            "`operationName` must be a string or null, not a number",
            id="operation-name-number",
        ),
        pytest.param(
            b'{"query": "{ me { department } }", "operationName": {"a": 1}}',
            "`operationName` must be a string or null, not an object",
            id="operation-name-object",
        ),
        pytest.param(
            b'{"query": "{ me { department } }", "extensions": false}',
            "`extensions` must be an object or null, not a boolean",
            id="extensions-bool",
        ),
    ],
)
async def test_a_malformed_body_is_a_precise_400(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, body: bytes, message: str
) -> None:
    response = await http.post(
        "/graphql", content=body, headers={**bearer(keys), "Content-Type": "application/json"}
    )

    assert_json_refusal(response, 400, "BAD_REQUEST", message=message)


async def test_a_batch_is_refused_with_a_clear_error_and_nothing_runs(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    response = await http.post(
        "/graphql", json=[{"query": ME}, {"query": ME}], headers=bearer(keys)
    )

    assert_json_refusal(
        response,
        400,
        "BATCHING_NOT_SUPPORTED",
        message="Batched requests (a JSON array) are not accepted: send one operation per request.",
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        pytest.param({}, "The request has no `query`", id="no-query"),
        pytest.param(
            {"query": ME, "variables": "{oops"},
            "`variables` URL parameter is not valid JSON",
            id="bad-variables",
        ),
        pytest.param(
            {"query": ME, "variables": "[]"}, "`variables` must be an object", id="variables-array"
        ),
        pytest.param([("query", ME), ("query", ME)], "gives `query` more than once", id="repeated"),
    ],
)
async def test_a_malformed_get_is_a_precise_400(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    params: dict[str, str] | list[tuple[str, str]],
    message: str,
) -> None:
    response = await http.get("/graphql", params=params, headers=bearer(keys))

    assert_json_refusal(response, 400, "BAD_REQUEST", message=message)


async def test_a_get_without_a_query_asking_for_any_type_is_told_what_is_missing(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    response = await http.get("/graphql", headers={**bearer(keys), "Accept": "*/*"})

    assert_json_refusal(response, 400, "BAD_REQUEST", message="has no `query`")


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        pytest.param("PUT", "/graphql", 405, "METHOD_NOT_ALLOWED", id="put"),
        pytest.param("DELETE", "/graphql", 405, "METHOD_NOT_ALLOWED", id="delete"),
        pytest.param("PATCH", "/graphql", 405, "METHOD_NOT_ALLOWED", id="patch"),
        pytest.param("GET", "/graphq1", 404, "NOT_FOUND", id="unknown-path"),
        pytest.param("POST", "/healthz", 405, "METHOD_NOT_ALLOWED", id="post-healthz"),
    ],
)
async def test_routing_refusals_are_json_too(
    http: httpx.AsyncClient, keys: SigningKeys, method: str, path: str, status: int, code: str
) -> None:
    response = await http.request(method, path, headers=bearer(keys))

    assert_json_refusal(response, status, code)
    if status == 405 and path == "/graphql":
        assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}


async def test_head_on_graphql_is_405_with_the_methods_that_work(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    response = await http.head("/graphql", headers=bearer(keys))

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
