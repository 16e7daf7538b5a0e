"""Helpers for the people tests: the console's side of the authorization code flow with
PKCE, as a browser and the console's script would do it."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
import urllib.parse
from dataclasses import dataclass
from typing import Any

import httpx

CONSOLE = "liaison-console"
REDIRECT_URI = "https://console.liaison.test/console/callback"
PUBLIC_URL = "https://liaison.test"
ME = "{ me { subject department roles clientId } }"
WRONG = "Wrong username or password."


def challenge_of(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass
class Started:
    """An authorization request the browser has opened: the page, its form's action and
    CSRF token, and the PKCE verifier the console keeps."""

    page: httpx.Response
    verifier: str
    state: str
    action: str
    csrf_token: str


def authorization_parameters(verifier: str, **changes: str | None) -> dict[str, str]:
    parameters: dict[str, str | None] = {
        "response_type": "code",
        "client_id": CONSOLE,
        "redirect_uri": REDIRECT_URI,
        "state": "state-1",
        "code_challenge": challenge_of(verifier),
        "code_challenge_method": "S256",
        **changes,
    }
    return {name: value for name, value in parameters.items() if value is not None}


async def start(http: httpx.AsyncClient, **changes: str | None) -> Started:
    verifier = secrets.token_urlsafe(48)
    state = secrets.token_urlsafe(8)
    parameters = authorization_parameters(verifier, **{"state": state, **changes})
    page = await http.get("/oauth/authorize", params=parameters)
    assert page.status_code == 200, page.text
    return Started(page, verifier, state, form_action(page), csrf_token(page))


def form_action(page: httpx.Response) -> str:
    """Where the form posts: relative to the page, resolved as a browser would."""
    found = re.search(r'<form method="post" action="([^"]+)"', page.text)
    assert found, page.text
    return str(page.url.join(html.unescape(found[1])))


def csrf_token(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return html.unescape(found[1])


async def submit(
    http: httpx.AsyncClient, started: Started, username: str, password: str, **form: str
) -> httpx.Response:
    data = {"csrf_token": started.csrf_token, "username": username, "password": password, **form}
    return await http.post(started.action, data=data)


def redirected_to(response: httpx.Response) -> dict[str, str]:
    """The query of the redirect back to the console."""
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(REDIRECT_URI + "?"), location
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))


async def exchange(
    http: httpx.AsyncClient, code: str, verifier: str | None, **changes: str
) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": CONSOLE,
        **changes,
    }
    if verifier is not None:
        form["code_verifier"] = verifier
    return await http.post("/oauth/token", data=form)


async def refresh(http: httpx.AsyncClient, refresh_token: str, **changes: str) -> httpx.Response:
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": CONSOLE}
    return await http.post("/oauth/token", data={**form, **changes})


async def revoke(http: httpx.AsyncClient, value: str, **changes: str) -> httpx.Response:
    return await http.post("/oauth/revoke", data={"token": value, "client_id": CONSOLE, **changes})


async def sign_in(
    http: httpx.AsyncClient, username: str, password: str, **changes: str | None
) -> dict[str, Any]:
    """The whole flow: the tokens the console ends up holding."""
    started = await start(http, **changes)
    returned = redirected_to(await submit(http, started, username, password))
    assert returned["state"] == started.state
    tokens = await exchange(http, returned["code"], started.verifier)
    assert tokens.status_code == 200, tokens.text
    body: dict[str, Any] = tokens.json()
    return body


async def me(http: httpx.AsyncClient, access_token: str) -> httpx.Response:
    return await http.post(
        "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {access_token}"}
    )


def assert_oauth_error(
    response: httpx.Response, status: int, error: str, description: str | None = None
) -> None:
    assert response.status_code == status, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["error"] == error, body
    if description is not None:
        assert body["error_description"] == description
