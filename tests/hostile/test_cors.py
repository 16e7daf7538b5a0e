"""CORS from a configured allow-list (LIAISON_CORS_ORIGINS, none by default): preflights
answered for allowed origins only, with exactly the methods and headers Liaison takes."""

from __future__ import annotations

import httpx
import pytest
import websockets
from hostile_support import ME, app_with, bearer, client_with

from liaison.api.config import Settings
from liaison.api.keys import SigningKeys
from live_server import serving
from world import World, token

PORTAL = "https://portal.example.gov.cn"
ELSEWHERE = "https://evil.example.com"


def preflight(origin: str, method: str = "POST", headers: str = "authorization, content-type"):
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": headers,
    }


async def test_by_default_no_origin_is_allowed(settings: Settings) -> None:
    async with client_with(settings) as client:
        response = await client.options("/graphql", headers=preflight(PORTAL))

    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "CORS_REFUSED"
    assert "access-control-allow-origin" not in response.headers


async def test_a_preflight_from_an_allowed_origin_is_answered(settings: Settings) -> None:
    async with client_with(settings, cors_origins=(PORTAL,)) as client:
        response = await client.options(
            "/graphql",
            headers=preflight(
                PORTAL,
                headers="Authorization, Content-Type, Liaison-Purpose, Liaison-Case, X-Request-ID",
            ),
        )

    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == PORTAL
    assert response.headers["access-control-allow-methods"] == "GET, POST"
    assert response.headers["access-control-allow-headers"] == (
        "Authorization, Content-Type, Liaison-Purpose, Liaison-Case, X-Request-ID"
    )
    assert response.headers["access-control-max-age"] == "600"
    assert "access-control-allow-credentials" not in response.headers
    assert "Origin" in response.headers["vary"]


@pytest.mark.parametrize(
    ("headers", "says"),
    [
        pytest.param(preflight(ELSEWHERE), "is not allowed to call this API", id="other-origin"),
        pytest.param(preflight(PORTAL, method="PUT"), "Method PUT is not allowed", id="put"),
        pytest.param(
            preflight(PORTAL, headers="authorization, x-forwarded-for"),
            "x-forwarded-for are not allowed",
            id="header",
        ),
        pytest.param(
            preflight(PORTAL.replace("https", "http")), "is not allowed", id="scheme-differs"
        ),
    ],
)
async def test_any_other_preflight_is_refused(
    settings: Settings, headers: dict[str, str], says: str
) -> None:
    async with client_with(settings, cors_origins=(PORTAL,)) as client:
        response = await client.options("/graphql", headers=headers)

    assert response.status_code == 403
    assert says in response.json()["errors"][0]["message"]
    assert "access-control-allow-origin" not in response.headers


async def test_a_response_to_an_allowed_origin_names_it_and_exposes_the_request_id(
    settings: Settings, keys: SigningKeys, world: World
) -> None:
    async with client_with(settings, cors_origins=(PORTAL,)) as client:
        answered = await client.post(
            "/graphql", json={"query": ME}, headers={**bearer(keys), "Origin": PORTAL}
        )
        refused = await client.post("/graphql", json={"query": ME}, headers={"Origin": PORTAL})

    for response in (answered, refused):
        assert response.headers["access-control-allow-origin"] == PORTAL
        assert response.headers["access-control-expose-headers"] == "X-Request-ID, Retry-After"
        assert "Origin" in response.headers["vary"]
    assert answered.status_code == 200
    assert refused.status_code == 401


async def test_a_response_to_another_origin_carries_no_cors_headers(
    settings: Settings, keys: SigningKeys, world: World
) -> None:
    async with client_with(settings, cors_origins=(PORTAL,)) as client:
        response = await client.post(
            "/graphql", json={"query": ME}, headers={**bearer(keys), "Origin": ELSEWHERE}
        )

    assert response.status_code == 200  # a bearer token, not a cookie: nothing ambient to abuse
    assert "access-control-allow-origin" not in response.headers
    assert "access-control-expose-headers" not in response.headers


@pytest.mark.parametrize(("origin", "accepted"), [(PORTAL, True), (ELSEWHERE, False)])
async def test_a_websocket_from_a_page_is_accepted_only_from_an_allowed_origin(
    settings: Settings, keys: SigningKeys, world: World, origin: str, accepted: bool
) -> None:
    async with app_with(settings, cors_origins=(PORTAL,)) as app, serving(app) as url:
        connect = websockets.connect(
            url.replace("http", "ws", 1) + "/graphql",
            subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
            additional_headers={"Authorization": f"Bearer {token(keys, 'customs')}"},
            origin=websockets.Origin(origin),
        )
        if accepted:
            async with connect as socket:
                assert socket.subprotocol == "graphql-transport-ws"
        else:
            with pytest.raises(websockets.InvalidStatus) as refused:
                await connect
            assert refused.value.response.status_code == 403


async def test_the_plain_http_client_without_origin_is_unaffected(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    response = await http.post("/graphql", json={"query": ME}, headers=bearer(keys))

    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
