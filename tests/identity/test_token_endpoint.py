"""The embedded issuer through HTTP: OAuth 2 client credentials at /oauth/token (RFC 6749
§4.4, errors per §5.2), RFC 9068 tokens that the API accepts, and RFC 8414 metadata."""

from __future__ import annotations

import base64
import urllib.parse
from typing import Any

import httpx
import pytest
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata

from conftest import TEST_AUDIENCE, TEST_ISSUER
from identity.conftest import PUBLIC_URL, RegisterClient, client_for
from identity.identity_support import decode_segment, me
from world import World

TOKEN = "/oauth/token"
FORM = {"grant_type": "client_credentials"}


def basic(client_id: str, secret: str) -> dict[str, str]:
    credentials = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {credentials}"}


def assert_oauth_error(
    response: httpx.Response, status: int, error: str, description: str | None = None
) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["error"] == error
    assert set(body) <= {"error", "error_description"}
    if description is not None:
        assert body["error_description"] == description


def assert_invalid_client(response: httpx.Response) -> None:
    assert_oauth_error(response, 401, "invalid_client", "client authentication failed")
    assert response.headers["www-authenticate"] == 'Basic realm="liaison", error="invalid_client"'


async def test_a_client_gets_an_rfc_9068_token_with_http_basic_and_the_api_accepts_it(
    ihttp: httpx.AsyncClient, identity_app: Any, register_client: RegisterClient, world: World
) -> None:
    client_id, secret = await register_client("customs", "reader", "contributor")

    response = await ihttp.post(TOKEN, data=FORM, headers=basic(client_id, secret))

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert (body["token_type"], body["expires_in"], body["scope"]) == (
        "Bearer",
        600,
        "contributor reader",
    )
    header, claims = (decode_segment(part) for part in body["access_token"].split(".")[:2])
    keys = identity_app.state.identity.keys.current()
    assert header == {"alg": "ES256", "typ": "at+jwt", "kid": keys.signing_kid}
    assert claims["iss"] == TEST_ISSUER
    assert claims["aud"] == TEST_AUDIENCE
    assert claims["sub"] == claims["client_id"] == client_id
    assert claims["department"] == "customs"
    assert claims["roles"] == ["contributor", "reader"]
    assert claims["exp"] - claims["iat"] == 600
    assert claims["jti"]

    answer = await me(ihttp, body["access_token"])

    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["me"] == {
        "subject": client_id,
        "department": "customs",
        "roles": ["contributor", "reader"],
        "clientId": client_id,
    }


async def test_a_client_may_authenticate_with_its_secret_in_the_body(
    ihttp: httpx.AsyncClient, register_client: RegisterClient, world: World
) -> None:
    client_id, secret = await register_client("emergency", "reader")

    response = await ihttp.post(
        TOKEN, data={**FORM, "client_id": client_id, "client_secret": secret}
    )

    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "reader"
    claims = decode_segment(response.json()["access_token"].split(".")[1])
    assert (claims["department"], claims["client_id"]) == ("emergency", client_id)


async def test_a_client_may_ask_for_fewer_roles_than_it_holds_through_scope(
    ihttp: httpx.AsyncClient, register_client: RegisterClient, world: World
) -> None:
    client_id, secret = await register_client("customs", "reader", "contributor")

    response = await ihttp.post(
        TOKEN, data={**FORM, "scope": "reader"}, headers=basic(client_id, secret)
    )

    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "reader"
    assert decode_segment(response.json()["access_token"].split(".")[1])["roles"] == ["reader"]


@pytest.mark.parametrize("scope", ["steward", "reader admin", "superuser"])
async def test_asking_for_a_role_the_client_does_not_hold_is_invalid_scope(
    ihttp: httpx.AsyncClient, register_client: RegisterClient, world: World, scope: str
) -> None:
    client_id, secret = await register_client("customs", "reader", "contributor")

    response = await ihttp.post(
        TOKEN, data={**FORM, "scope": scope}, headers=basic(client_id, secret)
    )

    assert_oauth_error(
        response, 400, "invalid_scope", "scope must be roles this client holds: reader contributor"
    )


async def test_a_wrong_secret_an_unknown_client_and_no_credentials_get_the_same_401(
    ihttp: httpx.AsyncClient, register_client: RegisterClient, world: World
) -> None:
    client_id, secret = await register_client()

    attempts = [
        await ihttp.post(TOKEN, data=FORM, headers=basic(client_id, secret + "x")),
        await ihttp.post(TOKEN, data=FORM, headers=basic(client_id, secret[:-1])),
        await ihttp.post(TOKEN, data=FORM, headers=basic("customs-0000000000000000", secret)),
        await ihttp.post(TOKEN, data={**FORM, "client_id": client_id, "client_secret": "nope"}),
        await ihttp.post(TOKEN, data=FORM),
        await ihttp.post(
            TOKEN, data={**FORM, "client_id": "\x00" + client_id, "client_secret": secret}
        ),
        await ihttp.post(TOKEN, data={**FORM, "client_id": "c" * 3000, "client_secret": secret}),
        await ihttp.post(TOKEN, data=FORM, headers=basic(client_id.upper(), secret)),
        await ihttp.post(TOKEN, data=FORM, headers={"Authorization": "Basic !!!"}),
        await ihttp.post(
            TOKEN,
            data=FORM,
            headers={"Authorization": "Basic " + base64.b64encode(b"\xff\xfe:x").decode()},
        ),
    ]

    for response in attempts:
        assert_invalid_client(response)
    assert len({response.text for response in attempts}) == 1


async def test_a_revoked_client_gets_no_token_and_its_tokens_stop_working(
    ihttp: httpx.AsyncClient,
    register_client: RegisterClient,
    world: World,
    sessions: Any,
) -> None:
    import datetime as dt

    from liaison.db.identity import revoke_client

    client_id, secret = await register_client()
    issued = (await ihttp.post(TOKEN, data=FORM, headers=basic(client_id, secret))).json()
    assert (await me(ihttp, issued["access_token"])).status_code == 200

    async with sessions() as session, session.begin():
        await revoke_client(session, client_id, now=dt.datetime.now(dt.UTC))

    assert_invalid_client(await ihttp.post(TOKEN, data=FORM, headers=basic(client_id, secret)))
    refused = await me(ihttp, issued["access_token"])
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["message"] == "token's client has been revoked"


@pytest.mark.parametrize(
    ("form", "description"),
    [
        pytest.param({}, "grant_type is required", id="no grant_type"),
        pytest.param({"grant_type": ""}, "grant_type is required", id="empty grant_type"),
        pytest.param(
            [("grant_type", "client_credentials"), ("grant_type", "client_credentials")],
            "grant_type must not be repeated",
            id="repeated grant_type",
        ),
        pytest.param(
            [("grant_type", "client_credentials"), ("scope", "reader"), ("scope", "admin")],
            "scope must not be repeated",
            id="repeated scope",
        ),
    ],
)
async def test_a_malformed_token_request_is_invalid_request(
    ihttp: httpx.AsyncClient,
    register_client: RegisterClient,
    form: Any,
    description: str,
) -> None:
    client_id, secret = await register_client()

    response = await ihttp.post(
        TOKEN,
        content=urllib.parse.urlencode(form),
        headers={**basic(client_id, secret), "Content-Type": "application/x-www-form-urlencoded"},
    )

    assert_oauth_error(response, 400, "invalid_request", description)


@pytest.mark.parametrize("grant_type", ["password", "implicit", "x"])
async def test_any_other_grant_type_is_unsupported(
    ihttp: httpx.AsyncClient, register_client: RegisterClient, grant_type: str
) -> None:
    client_id, secret = await register_client()

    response = await ihttp.post(
        TOKEN,
        data={"grant_type": grant_type, "username": "a", "password": "b"},
        headers=basic(client_id, secret),
    )

    assert_oauth_error(
        response,
        400,
        "unsupported_grant_type",
        "grant_type must be client_credentials, authorization_code or refresh_token",
    )


@pytest.mark.parametrize("grant_type", ["authorization_code", "refresh_token"])
async def test_a_registered_client_cannot_use_the_grants_of_the_console(
    ihttp: httpx.AsyncClient, register_client: RegisterClient, grant_type: str
) -> None:
    client_id, secret = await register_client()

    response = await ihttp.post(
        TOKEN,
        data={"grant_type": grant_type, "code": "x", "refresh_token": "x"},
        headers=basic(client_id, secret),
    )

    assert_oauth_error(response, 401, "invalid_client")


async def test_two_authentication_methods_at_once_are_refused(
    ihttp: httpx.AsyncClient, register_client: RegisterClient
) -> None:
    client_id, secret = await register_client()

    response = await ihttp.post(
        TOKEN,
        data={**FORM, "client_id": client_id, "client_secret": secret},
        headers=basic(client_id, secret),
    )

    assert_oauth_error(
        response, 400, "invalid_request", "use one client authentication method, not two"
    )


async def test_a_json_body_is_refused(
    ihttp: httpx.AsyncClient, register_client: RegisterClient
) -> None:
    client_id, secret = await register_client()

    response = await ihttp.post(TOKEN, json=FORM, headers=basic(client_id, secret))

    assert_oauth_error(
        response,
        400,
        "invalid_request",
        "the request body must be application/x-www-form-urlencoded",
    )


async def test_an_oversized_body_is_refused_with_413_before_parsing(
    ihttp: httpx.AsyncClient, register_client: RegisterClient
) -> None:
    client_id, secret = await register_client()

    response = await ihttp.post(
        TOKEN, data={**FORM, "padding": "x" * 5000}, headers=basic(client_id, secret)
    )

    assert_oauth_error(response, 413, "invalid_request", "the request body exceeds 4096 bytes")


async def test_get_is_not_a_way_to_ask_for_a_token(ihttp: httpx.AsyncClient) -> None:
    response = await ihttp.get(TOKEN, params=FORM)

    assert response.status_code == 405


async def test_client_credentials_over_plain_http_off_loopback_are_refused(
    make_app: Any, register_client: RegisterClient
) -> None:
    client_id, secret = await register_client()
    app = make_app(public_url=None)
    plain = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://liaison.test"
    )

    async with plain:
        response = await plain.post(TOKEN, data=FORM, headers=basic(client_id, secret))

    assert_oauth_error(response, 400, "insecure_transport")


async def test_client_credentials_over_http_on_loopback_are_accepted(
    make_app: Any, register_client: RegisterClient
) -> None:
    client_id, secret = await register_client()
    app = make_app(public_url=None)
    loopback = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
    )

    async with loopback:
        response = await loopback.post(TOKEN, data=FORM, headers=basic(client_id, secret))

    assert response.status_code == 200, response.text


# ---------------------------------------------------------------------------------------
# RFC 8414 metadata


async def test_the_authorization_server_metadata_describes_the_embedded_issuer(
    ihttp: httpx.AsyncClient,
) -> None:
    response = await ihttp.get("/.well-known/oauth-authorization-server")

    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=300"
    metadata = response.json()
    assert metadata == {
        "issuer": TEST_ISSUER,
        "token_endpoint": f"{PUBLIC_URL}/oauth/token",
        "jwks_uri": f"{PUBLIC_URL}/.well-known/jwks.json",
        "authorization_endpoint": f"{PUBLIC_URL}/oauth/authorize",
        "revocation_endpoint": f"{PUBLIC_URL}/oauth/revoke",
        "grant_types_supported": ["client_credentials", "authorization_code", "refresh_token"],
        "token_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
            "none",
        ],
        "revocation_endpoint_auth_methods_supported": ["none"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["reader", "contributor", "steward", "auditor", "admin"],
    }
    checked = AuthorizationServerMetadata(metadata)
    checked.validate_authorization_endpoint()
    checked.validate_revocation_endpoint()
    checked.validate_response_types_supported()
    checked.validate_code_challenge_methods_supported()
    checked.validate_token_endpoint()
    checked.validate_jwks_uri()
    checked.validate_grant_types_supported()
    checked.validate_token_endpoint_auth_methods_supported()
    checked.validate_scopes_supported()


async def test_an_https_issuer_is_published_where_rfc_8414_puts_it(make_app: Any) -> None:
    app = make_app(issuer="https://liaison.example.gov.cn/api", public_url=None)

    async with client_for(app) as client:
        inserted = await client.get("/.well-known/oauth-authorization-server/api")
        plain = await client.get("/.well-known/oauth-authorization-server")

    assert inserted.status_code == plain.status_code == 200
    metadata = inserted.json()
    AuthorizationServerMetadata(metadata).validate_issuer()
    assert metadata["issuer"] == "https://liaison.example.gov.cn/api"
    assert metadata["token_endpoint"] == "https://liaison.example.gov.cn/api/oauth/token"


async def test_metadata_built_from_the_host_header_is_not_cached(make_app: Any) -> None:
    app = make_app(public_url=None)

    async with client_for(app) as client:
        response = await client.get("/.well-known/oauth-authorization-server")

    assert response.headers["cache-control"] == "no-store"
    assert response.json()["token_endpoint"] == f"{PUBLIC_URL}/oauth/token"
