"""The console's sign-in: authorization code with PKCE (S256) through the login page, the
tokens it yields, and every way the request, the form and the exchange can be wrong."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import httpx
import pytest
from joserfc import jwt
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.api.keys import SigningKeys
from liaison.db import people
from liaison.db.audit import utc
from liaison.db.people_models import AuthorizationCode, RefreshFamily
from sign_in.conftest import PASSWORDS
from sign_in.sign_in_support import (
    CONSOLE,
    ME,
    REDIRECT_URI,
    WRONG,
    assert_oauth_error,
    authorization_parameters,
    exchange,
    me,
    redirected_to,
    sign_in,
    start,
    submit,
)

Sessions = async_sessionmaker[AsyncSession]
Folks = dict[str, people.Person]


async def test_a_person_signs_in_and_calls_graphql_with_the_token(
    phttp: httpx.AsyncClient, folks: Folks, keys: SigningKeys
) -> None:
    tokens = await sign_in(phttp, "customs.officer", PASSWORDS["customs.officer"])

    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 300
    assert tokens["scope"] == "contributor reader"
    assert tokens["refresh_token"].startswith("lrt_")
    response = await me(phttp, tokens["access_token"])
    assert response.status_code == 200, response.text
    assert response.json() == {
        "data": {
            "me": {
                "subject": "user:customs.officer",
                "department": "customs",
                "roles": ["contributor", "reader"],
                "clientId": CONSOLE,
            }
        }
    }


async def test_the_access_token_is_an_rfc_9068_token_signed_with_the_local_key(
    phttp: httpx.AsyncClient, folks: Folks, keys: SigningKeys
) -> None:
    tokens = await sign_in(phttp, "customs.officer", PASSWORDS["customs.officer"])

    decoded = jwt.decode(tokens["access_token"], keys.verification_key(keys.signing_kid))
    assert decoded.header == {"alg": "ES256", "typ": "at+jwt", "kid": keys.signing_kid}
    claims = decoded.claims
    assert claims["sub"] == "user:customs.officer"
    assert claims["client_id"] == CONSOLE
    assert claims["department"] == "customs"
    assert claims["exp"] - claims["iat"] == 300


async def test_a_scope_narrows_the_roles_to_those_asked_for(
    phttp: httpx.AsyncClient, folks: Folks
) -> None:
    tokens = await sign_in(phttp, "customs.officer", PASSWORDS["customs.officer"], scope="reader")

    assert tokens["scope"] == "reader"
    response = await me(phttp, tokens["access_token"])
    assert response.json()["data"]["me"]["roles"] == ["reader"]


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("customs.officer", "not-the-password-1"),  # wrong password
        ("nobody.here", "whatever-password-1"),  # unknown user
        ("customs.leaver", PASSWORDS["customs.leaver"]),  # disabled, right password
    ],
    ids=["wrong-password", "unknown-user", "disabled-user"],
)
async def test_a_refused_sign_in_gets_the_same_page_whoever_it_was(
    phttp: httpx.AsyncClient, folks: Folks, sessions: Sessions, username: str, password: str
) -> None:
    started = await start(phttp)

    response = await submit(phttp, started, username, password)

    assert response.status_code == 401
    assert response.text.count(WRONG) == 1
    assert "用户名或密码错误。" in response.text
    assert "location" not in response.headers
    assert f'value="{username}"' in response.text  # the name stays, the password does not
    assert password not in response.text
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(AuthorizationCode)) == 0


async def test_a_wrong_code_verifier_is_invalid_grant(
    phttp: httpx.AsyncClient, folks: Folks
) -> None:
    started = await start(phttp)
    code = redirected_to(
        await submit(phttp, started, "customs.officer", PASSWORDS["customs.officer"])
    )["code"]

    response = await exchange(phttp, code, "x" * 43)

    assert_oauth_error(
        response,
        400,
        "invalid_grant",
        "code_verifier does not match the code_challenge of the authorization request",
    )


async def test_a_missing_code_verifier_is_an_invalid_request(
    phttp: httpx.AsyncClient, folks: Folks
) -> None:
    started = await start(phttp)
    code = redirected_to(
        await submit(phttp, started, "customs.officer", PASSWORDS["customs.officer"])
    )["code"]

    response = await exchange(phttp, code, None)

    assert_oauth_error(response, 400, "invalid_request", "code_verifier is required (PKCE)")
    # The code is still good for the console that holds the verifier.
    assert (await exchange(phttp, code, started.verifier)).status_code == 200


@pytest.mark.parametrize(
    ("changes", "description"),
    [
        (
            {"code_challenge_method": "plain"},
            "code_challenge_method must be S256 (plain is refused)",
        ),
        ({"code_challenge_method": None}, "code_challenge_method must be S256 (plain is refused)"),
        (
            {"code_challenge": None, "code_challenge_method": None},
            "code_challenge is required (PKCE, S256)",
        ),
        ({"state": None}, "state is required"),
        ({"response_type": "token"}, None),
        ({"scope": "reader superuser"}, None),
    ],
    ids=["plain", "no-method", "no-challenge", "no-state", "implicit", "unknown-scope"],
)
async def test_a_bad_authorization_request_goes_back_to_the_console_with_an_error(
    phttp: httpx.AsyncClient, folks: Folks, changes: dict[str, Any], description: str | None
) -> None:
    parameters = authorization_parameters("v" * 43, **changes)

    response = await phttp.get("/oauth/authorize", params=parameters)

    returned = redirected_to(response)
    expected_error = (
        "invalid_scope"
        if "scope" in changes
        else "unsupported_response_type"
        if "response_type" in changes
        else "invalid_request"
    )
    assert returned["error"] == expected_error
    if description is not None:
        assert returned["error_description"] == description
    if changes.get("state", "") is not None:
        assert returned["state"] == "state-1"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"client_id": "someone-else"}, "The client does not exist on this server."),
        ({"redirect_uri": "https://evil.test/callback"}, "is not supported by client"),
        ({"redirect_uri": REDIRECT_URI + "/"}, "is not supported by client"),
        ({"redirect_uri": None}, "Missing 'redirect_uri' in request."),
    ],
    ids=["unknown-client", "foreign-redirect", "almost-the-redirect", "no-redirect"],
)
async def test_an_untrusted_client_or_redirect_uri_gets_an_error_page_never_a_redirect(
    phttp: httpx.AsyncClient, folks: Folks, changes: dict[str, Any], reason: str
) -> None:
    response = await phttp.get(
        "/oauth/authorize", params=authorization_parameters("v" * 43, **changes)
    )

    assert response.status_code == 400
    assert "location" not in response.headers
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "This sign-in link is not valid" in response.text
    assert html.escape(reason) in response.text


async def test_a_parameter_given_twice_gets_an_error_page(
    phttp: httpx.AsyncClient, folks: Folks
) -> None:
    query = httpx.QueryParams(authorization_parameters("v" * 43)).add(
        "redirect_uri", "https://evil.test/callback"
    )

    response = await phttp.get("/oauth/authorize", params=query)

    assert response.status_code == 400
    assert "redirect_uri must not be repeated" in response.text


async def test_a_reused_code_is_refused_and_revokes_what_it_issued(
    phttp: httpx.AsyncClient, folks: Folks, sessions: Sessions
) -> None:
    started = await start(phttp)
    code = redirected_to(
        await submit(phttp, started, "customs.officer", PASSWORDS["customs.officer"])
    )["code"]
    first = (await exchange(phttp, code, started.verifier)).json()
    assert (await me(phttp, first["access_token"])).status_code == 200

    again = await exchange(phttp, code, started.verifier)

    assert_oauth_error(
        again,
        400,
        "invalid_grant",
        "authorization code has already been used; the tokens it issued have been revoked",
    )
    refused = await me(phttp, first["access_token"])
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["message"] == "token has been revoked"
    assert_oauth_error(
        await phttp.post(
            "/oauth/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": first["refresh_token"],
                "client_id": CONSOLE,
            },
        ),
        400,
        "invalid_grant",
        "refresh token has been revoked",
    )
    async with sessions() as session:
        family = (await session.scalars(select(RefreshFamily))).one()
    assert family.revoked_reason == "code reused"


async def test_an_expired_code_is_refused(
    phttp: httpx.AsyncClient, folks: Folks, sessions: Sessions
) -> None:
    started = await start(phttp)
    code = redirected_to(
        await submit(phttp, started, "customs.officer", PASSWORDS["customs.officer"])
    )["code"]
    async with sessions() as session, session.begin():
        await session.execute(
            update(AuthorizationCode).values(
                expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
            )
        )

    response = await exchange(phttp, code, started.verifier)

    assert_oauth_error(response, 400, "invalid_grant", "authorization code has expired")


async def test_a_code_lives_sixty_seconds_and_is_stored_only_as_its_digest(
    phttp: httpx.AsyncClient, folks: Folks, sessions: Sessions
) -> None:
    started = await start(phttp)
    code = redirected_to(
        await submit(phttp, started, "customs.officer", PASSWORDS["customs.officer"])
    )["code"]

    async with sessions() as session:
        row = (await session.scalars(select(AuthorizationCode))).one()
    assert row.code_hash != code
    assert len(row.code_hash) == 64
    lifetime = utc(row.expires_at) - utc(row.created_at)
    assert lifetime == dt.timedelta(seconds=60)
    assert (row.client_id, row.redirect_uri, row.code_challenge_method) == (
        CONSOLE,
        REDIRECT_URI,
        "S256",
    )


async def test_a_redirect_uri_changed_at_the_exchange_is_refused(
    phttp: httpx.AsyncClient, folks: Folks
) -> None:
    started = await start(phttp)
    code = redirected_to(
        await submit(phttp, started, "customs.officer", PASSWORDS["customs.officer"])
    )["code"]

    response = await exchange(
        phttp, code, started.verifier, redirect_uri="https://evil.test/console/callback"
    )

    assert_oauth_error(
        response, 400, "invalid_grant", "redirect_uri does not match the authorization request"
    )


async def test_an_unknown_code_and_another_client_are_refused(
    phttp: httpx.AsyncClient, folks: Folks
) -> None:
    unknown = await exchange(phttp, "made-up-code", "v" * 43)
    other = await exchange(phttp, "made-up-code", "v" * 43, client_id="someone-else")

    assert_oauth_error(unknown, 400, "invalid_grant", "authorization code is not valid")
    assert_oauth_error(other, 401, "invalid_client")


@pytest.mark.parametrize("forged", ["missing", "forged", "other-request", "no-cookie"])
async def test_a_form_without_its_csrf_token_and_cookie_signs_nobody_in(
    phttp: httpx.AsyncClient, folks: Folks, forged: str
) -> None:
    started = await start(phttp)
    form = {"username": "customs.officer", "password": PASSWORDS["customs.officer"]}
    if forged == "forged":
        form["csrf_token"] = started.csrf_token[:-4] + "AAAA"
    elif forged == "other-request":
        form["csrf_token"] = (await start(phttp)).csrf_token  # another state, another token
    elif forged != "missing":
        form["csrf_token"] = started.csrf_token
        phttp.cookies.clear()

    response = await phttp.post(started.action, data=form)

    assert response.status_code == 400
    assert "This sign-in form has expired or was not sent from this page." in response.text
    assert "location" not in response.headers


async def test_the_sign_in_pages_forbid_framing_inline_code_and_caching(
    phttp: httpx.AsyncClient, folks: Folks
) -> None:
    started = await start(phttp)
    refused = await submit(phttp, started, "customs.officer", "not-the-password-1")
    error_page = await phttp.get("/oauth/authorize", params={"client_id": "nobody"})

    for response in (started.page, refused, error_page):
        policy = response.headers["content-security-policy"]
        assert "'unsafe-inline'" not in policy
        assert "'unsafe-eval'" not in policy
        assert "frame-ancestors 'none'" in policy
        assert "default-src 'none'" in policy
        assert "form-action 'self'" in policy
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store"
        assert "<script" not in response.text
        assert "style=" not in response.text


async def test_the_login_page_is_labelled_in_english_and_chinese_for_every_field(
    phttp: httpx.AsyncClient, folks: Folks
) -> None:
    page = (await start(phttp)).page.text

    assert '<label for="username">Username <span lang="zh-CN">用户名</span></label>' in page
    assert '<label for="password">Password <span lang="zh-CN">密码</span></label>' in page
    assert 'autocomplete="username"' in page
    assert 'autocomplete="current-password"' in page
    assert page.count("autofocus") == 1
    assert '<link rel="stylesheet" href="/oauth/static/login.css">' in page


async def test_the_nonce_cookie_is_host_only_strict_and_secure_over_https(
    phttp: httpx.AsyncClient, folks: Folks
) -> None:
    cookie = (await start(phttp)).page.headers["set-cookie"]

    assert cookie.startswith("__Host-liaison-login=")
    assert "; HttpOnly" in cookie
    assert "; SameSite=Strict" in cookie
    assert "; Secure" in cookie
    assert "; Path=/" in cookie
    assert "Domain" not in cookie


async def test_the_stylesheet_is_served_by_liaison_itself(phttp: httpx.AsyncClient) -> None:
    response = await phttp.get("/oauth/static/login.css")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/css; charset=utf-8"
    assert "font-family" in response.text


async def test_me_with_a_person_token_names_the_person_not_a_client(
    phttp: httpx.AsyncClient, folks: Folks
) -> None:
    tokens = await sign_in(phttp, "emergency.reader", PASSWORDS["emergency.reader"])

    response = await phttp.post(
        "/graphql",
        json={"query": ME},
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )

    assert response.json()["data"]["me"]["subject"] == "user:emergency.reader"
    assert response.json()["data"]["me"]["department"] == "emergency"


@pytest.mark.parametrize("username", ["nul\x00here", "tab\there", "x" * 300], ids=repr)
async def test_any_typed_name_is_only_refused(
    phttp: httpx.AsyncClient, folks: Folks, username: str
) -> None:
    response = await submit(phttp, await start(phttp), username, "some-password-1")

    assert response.status_code == 401
    assert WRONG in response.text


async def test_the_form_posts_back_to_the_url_it_was_loaded_from(
    phttp: httpx.AsyncClient, folks: Folks
) -> None:
    started = await start(phttp)

    assert started.action == str(started.page.url)
