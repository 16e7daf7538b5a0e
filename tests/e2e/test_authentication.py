"""The HTTP edge of the real ASGI app: who is calling, with which purpose, under which
request id; and the unauthenticated endpoints (GraphiQL, health, JWKS)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest

from conftest import TEST_AUDIENCE, TEST_ISSUER
from liaison.api.keys import SigningKeys
from liaison.api.tokens import mint_access_token
from world import World, token

ME = {"query": "{ me { department roles } }"}
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def mint(keys: SigningKeys, **overrides: object) -> str:
    claims: dict[str, object] = {
        "issuer": TEST_ISSUER,
        "audience": TEST_AUDIENCE,
        "subject": "customs-tester",
        "department": "customs",
        "roles": ("reader",),
        "client_id": "tests",
        "lifetime_seconds": 600,
        **overrides,
    }
    return mint_access_token(keys, **claims)  # type: ignore[arg-type]


def assert_refused(response: httpx.Response, reason: str, error: str = "invalid_token") -> None:
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["www-authenticate"] == f'Bearer error="{error}"'
    body = response.json()
    assert "data" not in body
    assert len(body["errors"]) == 1
    assert body["errors"][0]["message"] == reason
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert body["errors"][0]["extensions"]["requestId"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text
    assert 'File "' not in response.text


async def test_a_request_without_authorization_is_told_how_to_authenticate(
    http: httpx.AsyncClient,
) -> None:
    response = await http.post("/graphql", json=ME)

    assert_refused(
        response,
        "send 'Authorization: Bearer <access token>' (mint one with: liaison token)",
        error="invalid_request",
    )


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param("Basic Y3VzdG9tczpzZWNyZXQ=", id="basic"),
        pytest.param("Token abc.def.ghi", id="token"),
        pytest.param("Bearer", id="bearer-without-token"),
        pytest.param("Bearer    ", id="bearer-with-blanks"),
        pytest.param("BearerX abc", id="bearer-lookalike"),
    ],
)
async def test_a_non_bearer_authorization_is_refused(
    http: httpx.AsyncClient, authorization: str
) -> None:
    response = await http.post("/graphql", json=ME, headers={"Authorization": authorization})

    assert_refused(response, "the Authorization header must use the Bearer scheme")


async def test_the_bearer_scheme_is_case_insensitive(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    response = await http.post(
        "/graphql", json=ME, headers={"Authorization": f"bearer {token(keys, 'park')}"}
    )

    assert response.status_code == 200
    assert response.json() == {"data": {"me": {"department": "park", "roles": ["reader"]}}}


async def test_an_expired_token_is_refused(http: httpx.AsyncClient, keys: SigningKeys) -> None:
    expired = mint(keys, lifetime_seconds=60, now=int(time.time()) - 3600)

    response = await http.post("/graphql", json=ME, headers={"Authorization": f"Bearer {expired}"})

    assert_refused(response, "token has expired")
    assert expired not in response.text


async def test_a_token_signed_by_a_key_the_server_does_not_hold_is_refused(
    http: httpx.AsyncClient, keys: SigningKeys, tmp_path: Path
) -> None:
    stranger = SigningKeys.load_or_create(tmp_path)
    assert stranger.signing_kid not in keys.kids
    forged = mint(stranger)

    response = await http.post("/graphql", json=ME, headers={"Authorization": f"Bearer {forged}"})

    assert_refused(response, "token key id is not recognised")


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        pytest.param(
            {"audience": "urn:liaison:other-api"}, "token audience is not accepted", id="aud"
        ),
        pytest.param({"issuer": "urn:liaison:elsewhere"}, "token issuer is not accepted", id="iss"),
        pytest.param(
            {"now": int(time.time()) + 3600}, "token is not yet valid", id="minted-for-later"
        ),
    ],
)
async def test_a_token_for_another_audience_issuer_or_time_is_refused(
    http: httpx.AsyncClient, keys: SigningKeys, overrides: dict[str, object], reason: str
) -> None:
    response = await http.post(
        "/graphql", json=ME, headers={"Authorization": f"Bearer {mint(keys, **overrides)}"}
    )

    assert_refused(response, reason)


@pytest.mark.parametrize(
    ("garbage", "reason"),
    [
        pytest.param("not-a-token", "token is not a compact JWS", id="one-part"),
        pytest.param("a.b.c.d", "token is not a compact JWS", id="four-parts"),
        pytest.param("x" * 9000, "token is too large", id="huge"),
        pytest.param("e30.e30.", "token algorithm must be ES256", id="empty-header"),
        pytest.param("bm90IGpzb24.e30.", "token header is not base64url-encoded JSON", id="text"),
        pytest.param(
            "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
            "token algorithm must be ES256",
            id="alg-none",
        ),
    ],
)
async def test_a_garbage_token_is_refused_with_a_precise_reason(
    http: httpx.AsyncClient, garbage: str, reason: str
) -> None:
    response = await http.post("/graphql", json=ME, headers={"Authorization": f"Bearer {garbage}"})

    assert_refused(response, reason)


async def test_a_tampered_signature_is_refused(http: httpx.AsyncClient, keys: SigningKeys) -> None:
    header, payload, signature = token(keys, "customs").split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]

    response = await http.post(
        "/graphql",
        json=ME,
        headers={"Authorization": f"Bearer {header}.{payload}.{flipped}"},
    )

    assert_refused(response, "signature does not verify")


# ---------------------------------------------------------------------------------------
# Request ids


async def test_a_valid_token_answers_with_the_callers_identity_and_a_fresh_request_id(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    bearer = {"Authorization": f"Bearer {token(keys, 'customs', 'reader', 'contributor')}"}

    first = await http.post("/graphql", json=ME, headers=bearer)
    second = await http.post("/graphql", json=ME, headers=bearer)

    assert first.status_code == 200
    assert first.json() == {
        "data": {"me": {"department": "customs", "roles": ["contributor", "reader"]}}
    }
    assert REQUEST_ID.match(first.headers["x-request-id"])
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


@pytest.mark.parametrize("authenticated", [True, False])
async def test_a_valid_incoming_request_id_is_echoed_back(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, authenticated: bool
) -> None:
    headers = {"X-Request-ID": "case-2026.0042:retry-1"}
    if authenticated:
        headers["Authorization"] = f"Bearer {token(keys, 'customs')}"

    response = await http.post("/graphql", json=ME, headers=headers)

    assert response.status_code == (200 if authenticated else 401)
    assert response.headers.get_list("x-request-id") == ["case-2026.0042:retry-1"]


@pytest.mark.parametrize(
    "incoming",
    [
        pytest.param("two words", id="space"),
        pytest.param("x" * 129, id="too-long"),
        pytest.param("<script>", id="markup"),
        pytest.param("ünïcode", id="non-ascii"),
    ],
)
async def test_an_invalid_incoming_request_id_is_replaced(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, incoming: str
) -> None:
    headers = [
        (b"authorization", f"Bearer {token(keys, 'customs')}".encode()),
        (b"x-request-id", incoming.encode()),
    ]

    response = await http.post("/graphql", json=ME, headers=headers)

    assert response.status_code == 200
    echoed = response.headers.get_list("x-request-id")
    assert len(echoed) == 1
    assert echoed[0] != incoming
    assert REQUEST_ID.match(echoed[0])


@pytest.mark.parametrize(
    ("method", "path", "headers", "authenticated"),
    [
        pytest.param("POST", "/graphql", {}, False, id="unauthenticated"),
        pytest.param("POST", "/graphql", {"Liaison-Purpose": "Bad"}, True, id="bad-purpose"),
        pytest.param("POST", "/graphql", {}, True, id="answered"),
        pytest.param("GET", "/graphql?query={me{department}}", {}, True, id="get-query"),
        pytest.param("GET", "/graphql", {"Accept": "text/html"}, False, id="graphiql"),
        pytest.param("GET", "/healthz", {}, False, id="healthz"),
        pytest.param("GET", "/.well-known/jwks.json", {}, False, id="jwks"),
        pytest.param("GET", "/static/graphiql/graphiql.min.css", {}, False, id="asset"),
    ],
)
async def test_every_response_carries_a_request_id(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    method: str,
    path: str,
    headers: dict[str, str],
    authenticated: bool,
) -> None:
    if authenticated:
        headers = {**headers, "Authorization": f"Bearer {token(keys, 'market')}"}

    response = await http.request(
        method, path, headers=headers, json=ME if method == "POST" else None
    )

    assert response.status_code < 500
    assert len(response.headers.get_list("x-request-id")) == 1
    assert REQUEST_ID.match(response.headers["x-request-id"])


# ---------------------------------------------------------------------------------------
# Purpose


@pytest.mark.parametrize(
    "purpose",
    [
        pytest.param("Joint_Inspection", id="capitals"),
        pytest.param("joint-inspection", id="dash"),
        pytest.param("joint inspection", id="space"),
        pytest.param("j", id="too-short"),
        pytest.param("1st_inspection", id="leading-digit"),
        pytest.param("a" * 65, id="too-long"),
        pytest.param("", id="empty"),
    ],
)
async def test_an_invalid_purpose_header_is_a_bad_request(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, purpose: str
) -> None:
    response = await http.post(
        "/graphql",
        json=ME,
        headers={
            "Authorization": f"Bearer {token(keys, 'emergency')}",
            "Liaison-Purpose": purpose,
            "X-Request-ID": "purpose-check-1",
        },
    )

    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    assert len(body["errors"]) == 1
    assert body["errors"][0]["extensions"] == {
        "code": "BAD_REQUEST",
        "requestId": "purpose-check-1",
    }
    assert "Liaison-Purpose" in body["errors"][0]["message"]
    assert response.headers["x-request-id"] == "purpose-check-1"


async def test_a_well_formed_purpose_reaches_the_schema(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    response = await http.post(
        "/graphql",
        json={"query": "{ me { purpose } }"},
        headers={
            "Authorization": f"Bearer {token(keys, 'emergency')}",
            "Liaison-Purpose": "emergency_response",
        },
    )

    assert response.status_code == 200
    assert response.json() == {"data": {"me": {"purpose": "emergency_response"}}}


async def test_an_invalid_purpose_from_an_unauthenticated_caller_is_still_a_401(
    http: httpx.AsyncClient,
) -> None:
    response = await http.post("/graphql", json=ME, headers={"Liaison-Purpose": "Bad Purpose"})

    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


# ---------------------------------------------------------------------------------------
# GraphiQL, health and keys: no token needed, no internet needed.


async def test_a_browser_gets_the_graphiql_page_served_from_local_assets(
    http: httpx.AsyncClient,
) -> None:
    response = await http.get("/graphql", headers={"Accept": "text/html,application/xhtml+xml"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<html" in page
    assert '<script src="/static/graphiql/graphiql.min.js"></script>' in page
    external = re.findall(r"""(?:src|href)=["'](https?:)?//""", page)
    assert external == [], "GraphiQL must not load anything from the internet"


async def test_every_asset_the_graphiql_page_references_is_served(
    http: httpx.AsyncClient,
) -> None:
    page = (await http.get("/graphql", headers={"Accept": "text/html"})).text
    assets = re.findall(r"""(?:src|href)=["'](/static/graphiql/[^"']+)["']""", page)
    assert "/static/graphiql/graphiql.min.js" in assets
    assert len(assets) >= 4

    for asset in assets:
        response = await http.get(asset)

        assert response.status_code == 200, asset
        kind = "javascript" if asset.endswith(".js") else "css"
        assert kind in response.headers["content-type"], asset
        assert len(response.content) > 1000, asset


async def test_graphiql_is_served_as_javascript(http: httpx.AsyncClient) -> None:
    response = await http.get("/static/graphiql/graphiql.min.js")

    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]
    assert b"GraphiQL" in response.content


async def test_a_missing_asset_is_a_404(http: httpx.AsyncClient) -> None:
    response = await http.get("/static/graphiql/../../../etc/passwd")

    assert response.status_code == 404


async def test_a_get_query_is_not_mistaken_for_a_browser(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    response = await http.get(
        "/graphql",
        params={"query": "{ me { department } }"},
        headers={"Accept": "text/html", "Authorization": f"Bearer {token(keys, 'ecology')}"},
    )

    assert response.status_code == 200
    assert response.json() == {"data": {"me": {"department": "ecology"}}}


async def test_a_get_query_needs_a_token_like_a_post(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", params={"query": "{ me { department } }"})

    assert_refused(
        response,
        "send 'Authorization: Bearer <access token>' (mint one with: liaison token)",
        error="invalid_request",
    )


async def test_the_health_probe_reports_ok(http: httpx.AsyncClient) -> None:
    response = await http.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_the_jwks_lists_every_verification_key_and_no_private_part(
    http: httpx.AsyncClient, keys: SigningKeys
) -> None:
    response = await http.get("/.well-known/jwks.json")

    assert response.status_code == 200
    published = response.json()["keys"]
    assert [key["kid"] for key in published] == list(keys.kids)
    for key in published:
        assert key["kty"] == "EC"
        assert key["crv"] == "P-256"
        assert {"x", "y"} <= key.keys()
        assert "d" not in key
    assert '"d"' not in response.text


async def test_a_token_verifies_against_the_published_jwks(
    http: httpx.AsyncClient, keys: SigningKeys
) -> None:
    from joserfc import jwt
    from joserfc.jwk import KeySet

    published = KeySet.import_key_set((await http.get("/.well-known/jwks.json")).json())

    claims = jwt.decode(token(keys, "market"), published, algorithms=["ES256"]).claims

    assert claims["department"] == "market"
    assert claims["aud"] == TEST_AUDIENCE
