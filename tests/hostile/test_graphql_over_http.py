"""GraphQL over HTTP: media types chosen by Accept, the status codes of each, queries only
over GET, and no execution for bodies a cross-site form could send."""

from __future__ import annotations

import json

import httpx
import pytest
from hostile_support import (
    GRAPHQL_RESPONSE_JSON,
    ME,
    REGISTER,
    assert_json_refusal,
    bearer,
    new_uscc,
    register_variables,
    registered,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.api.keys import SigningKeys
from world import World

Sessions = async_sessionmaker[AsyncSession]

PARSE_ERROR = "{"
VALIDATION_ERROR = "{ 8f31403dfe404bccbb0e835f2629c6a7 }"
COERCION_ERROR = "query CoerceFailure($id: ID!) { __typename }"


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        pytest.param(None, "application/json", id="none"),
        pytest.param("*/*", "application/json", id="any"),
        pytest.param("application/json", "application/json", id="json"),
        pytest.param(GRAPHQL_RESPONSE_JSON, GRAPHQL_RESPONSE_JSON, id="graphql-response"),
        pytest.param(
            f"{GRAPHQL_RESPONSE_JSON}, application/json;q=0.9",
            GRAPHQL_RESPONSE_JSON,
            id="preferred",
        ),
        pytest.param(
            f"application/json, {GRAPHQL_RESPONSE_JSON};q=0.5", "application/json", id="lower-q"
        ),
        pytest.param("text/html", "application/json", id="neither"),
    ],
)
async def test_the_response_media_type_follows_accept(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, accept: str | None, media_type: str
) -> None:
    headers = bearer(keys)
    if accept is not None:
        headers["Accept"] = accept

    response = await http.post("/graphql", json={"query": ME}, headers=headers)

    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert response.json() == {"data": {"me": {"department": "customs"}}}


@pytest.mark.parametrize(
    ("query", "variables", "accept", "status"),
    [
        pytest.param(PARSE_ERROR, None, "application/json", 200, id="parse-json"),
        pytest.param(PARSE_ERROR, None, GRAPHQL_RESPONSE_JSON, 400, id="parse-graphql"),
        pytest.param(VALIDATION_ERROR, None, "application/json", 200, id="validation-json"),
        pytest.param(VALIDATION_ERROR, None, GRAPHQL_RESPONSE_JSON, 400, id="validation-graphql"),
        pytest.param(COERCION_ERROR, {"id": None}, "application/json", 200, id="coercion-json"),
        pytest.param(COERCION_ERROR, {"id": None}, GRAPHQL_RESPONSE_JSON, 400, id="coercion-gql"),
        pytest.param(
            "query A { __typename }", None, "application/json", 200, id="unknown-operation-json"
        ),
    ],
)
async def test_a_request_error_has_no_data_and_the_status_of_its_media_type(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    query: str,
    variables: dict[str, None] | None,
    accept: str,
    status: int,
) -> None:
    body = {"query": query, "variables": variables}
    if query.startswith("query A"):
        body["operationName"] = "B"

    response = await http.post("/graphql", json=body, headers={**bearer(keys), "Accept": accept})

    assert response.status_code == status
    assert response.headers["content-type"].split(";")[0] == accept
    result = response.json()
    assert "data" not in result
    assert len(result["errors"]) == 1


async def test_an_executed_operation_with_a_field_error_is_200_with_data_in_both(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    query = '{ me { department } enterprise(uscc: "not-a-uscc") { uscc } }'
    for accept in ("application/json", GRAPHQL_RESPONSE_JSON):
        response = await http.post(
            "/graphql", json={"query": query}, headers={**bearer(keys), "Accept": accept}
        )

        assert response.status_code == 200
        body = response.json()
        assert body["data"] == {"me": {"department": "customs"}, "enterprise": None}
        assert len(body["errors"]) == 1


async def test_a_query_over_get_is_served(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    response = await http.get(
        "/graphql",
        params={
            "query": "query Q($x: String!) { __type(name: $x) { name } }",
            "variables": '{"x": "Me"}',
        },
        headers={**bearer(keys), "Accept": GRAPHQL_RESPONSE_JSON},
    )

    assert response.status_code == 200
    assert response.json() == {"data": {"__type": {"name": "Me"}}}


async def test_a_mutation_over_get_is_405_and_not_executed(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    uscc = new_uscc(9001)

    response = await http.get(
        "/graphql",
        params={"query": REGISTER, "variables": json.dumps(register_variables(uscc))},
        headers=bearer(keys, "market", "contributor"),
    )

    assert_json_refusal(response, 405, "METHOD_NOT_ALLOWED", message="send them with POST")
    assert response.headers["allow"] == "POST"
    assert not await registered(sessions, uscc)


async def test_the_same_mutation_over_post_is_executed(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    uscc = new_uscc(9002)

    response = await http.post(
        "/graphql",
        json={"query": REGISTER, "variables": register_variables(uscc)},
        headers=bearer(keys, "market", "contributor"),
    )

    assert response.status_code == 200
    assert response.json()["data"]["registerEnterprise"]["errors"] == []
    assert await registered(sessions, uscc)


async def test_a_mutation_chosen_by_operation_name_over_get_is_405_too(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    uscc = new_uscc(9003)

    response = await http.get(
        "/graphql",
        params={
            "query": "query Harmless { __typename } " + REGISTER,
            "operationName": "Register",
            "variables": json.dumps(register_variables(uscc)),
        },
        headers=bearer(keys, "market", "contributor"),
    )

    assert_json_refusal(response, 405, "METHOD_NOT_ALLOWED")
    assert not await registered(sessions, uscc)


def _form(uscc: str) -> dict[str, str]:
    return {"query": REGISTER, "variables": json.dumps(register_variables(uscc))}


@pytest.mark.parametrize(
    ("kind", "serial"),
    [
        pytest.param("text/plain", 9101, id="text-plain"),
        pytest.param("application/x-www-form-urlencoded", 9102, id="form"),
        pytest.param("multipart/form-data", 9103, id="multipart"),
        pytest.param(None, 9104, id="no-content-type"),
        pytest.param("application/graphql", 9105, id="application-graphql"),
        pytest.param("application/json; charset=latin-1", 9106, id="latin-1"),
    ],
)
async def test_a_body_a_cross_site_form_could_send_is_415_and_not_executed(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    kind: str | None,
    serial: int,
) -> None:
    uscc = new_uscc(serial)
    headers = bearer(keys, "market", "contributor")
    request: dict[str, object]
    if kind == "application/x-www-form-urlencoded":
        request = {"data": _form(uscc)}
    elif kind == "multipart/form-data":
        request = {"files": {"operations": (None, json.dumps(_form(uscc)))}}
    else:
        request = {"content": json.dumps({"query": REGISTER, **register_variables(uscc)})}
        if kind is not None:
            headers["Content-Type"] = kind

    response = await http.post("/graphql", headers=headers, **request)  # type: ignore[arg-type]

    assert_json_refusal(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert not await registered(sessions, uscc)


async def test_a_json_body_with_an_explicit_utf8_charset_is_served(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    response = await http.post(
        "/graphql",
        content='{"query": "{ __type(name: \\"Run🏃Swim🏊\\") { name } }"}'.encode(),
        headers={**bearer(keys), "Content-Type": "application/json; charset=utf-8"},
    )

    assert response.status_code == 200
    assert response.json() == {"data": {"__type": None}}


async def test_a_subscription_over_http_is_a_request_error(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    response = await http.post(
        "/graphql",
        json={"query": "subscription { riskChanged { id } }"},
        headers={**bearer(keys), "Accept": GRAPHQL_RESPONSE_JSON},
    )

    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["message"] == (
        "Subscriptions are not served over HTTP: open a websocket (graphql-transport-ws) at "
        "this same path. Nothing was executed."
    )
