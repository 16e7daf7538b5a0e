"""An external OpenID Connect provider signs people in the same way: a second, real Liaison
process (its own data directory, SQLite database and demo users) is the provider, and this
one trusts its issuer and JWKS through an issuers file. The console's whole flow runs
against the second process over HTTP, and the token it yields works here."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import TEST_AUDIENCE
from live_server import free_port
from sign_in.conftest import client_of, people_settings
from sign_in.sign_in_support import (
    ME,
    authorization_parameters,
    csrf_token,
    form_action,
)
from world import World

CONSOLE_CALLBACK = "https://liaison.test/console/callback"


@dataclass(frozen=True)
class Provider:
    base: str
    issuer: str


def _liaison() -> str:
    return str(Path(sys.executable).with_name("liaison"))


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    """``liaison demo`` then ``liaison serve`` in a process of its own, on 127.0.0.1."""
    data_dir = tmp_path_factory.mktemp("provider")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")},
        "LIAISON_DATA_DIR": str(data_dir),
        "LIAISON_ISSUER": base,
        "LIAISON_AUDIENCE": TEST_AUDIENCE,
        "LIAISON_CONSOLE_REDIRECT_URIS": CONSOLE_CALLBACK,
    }
    subprocess.run(
        [_liaison(), "demo", "--enterprises", "2"],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    log = (data_dir / "serve.log").open("wb")
    server = subprocess.Popen(
        [_liaison(), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_healthy(base, server)
        yield Provider(base=base, issuer=base)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _wait_until_healthy(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the provider exited with {server.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("the provider did not answer /healthz within 60 s")


@pytest.fixture
async def liaison(
    provider: Provider, settings: Any, tmp_path: Path, world: World
) -> AsyncIterator[httpx.AsyncClient]:
    issuers = tmp_path / "issuers.toml"
    issuers.write_text(
        f"""
[[issuers]]
name = "provider"
issuer = "{provider.issuer}"
jwks_uri = "{provider.base}/.well-known/jwks.json"
audience = "{TEST_AUDIENCE}"
algorithms = ["ES256"]
department_claim = "department"
departments = {{ "customs" = "customs", "emergency" = "emergency" }}
console_client_id = "liaison-console"
authorization_endpoint = "{provider.base}/oauth/authorize"
token_endpoint = "{provider.base}/oauth/token"
revocation_endpoint = "{provider.base}/oauth/revoke"
"""
    )
    from liaison.api.app import create_app

    app = create_app(people_settings(settings).with_overrides(issuers_file=issuers))
    async with client_of(app) as client:
        yield client


async def test_a_person_of_an_external_provider_signs_in_and_calls_graphql_here(
    liaison: httpx.AsyncClient, provider: Provider
) -> None:
    options = (await liaison.get("/console/config.json")).json()["providers"]
    chosen = next(option for option in options if option["name"] == "provider")
    verifier = "console-verifier-" + "v" * 40
    parameters = authorization_parameters(
        verifier, client_id=chosen["client_id"], redirect_uri=CONSOLE_CALLBACK, state="ext-1"
    )

    async with httpx.AsyncClient() as browser:
        page = await browser.get(chosen["authorization_endpoint"], params=parameters)
        assert page.status_code == 200, page.text
        assert page.headers["set-cookie"].startswith("liaison-login=")  # plain http loopback
        posted = await browser.post(
            form_action(page),
            data={
                "csrf_token": csrf_token(page),
                "username": "customs.inspector",
                "password": "customs.inspector-demo-pass",
            },
        )
        assert posted.status_code == 302, posted.text
        returned = httpx.URL(posted.headers["location"])
        assert str(returned).startswith(CONSOLE_CALLBACK + "?")
        assert returned.params["state"] == "ext-1"
        tokens = await browser.post(
            chosen["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": returned.params["code"],
                "redirect_uri": CONSOLE_CALLBACK,
                "client_id": chosen["client_id"],
                "code_verifier": verifier,
            },
        )
    assert tokens.status_code == 200, tokens.text

    response = await liaison.post(
        "/graphql",
        json={"query": ME},
        headers={"Authorization": f"Bearer {tokens.json()['access_token']}"},
    )

    assert response.status_code == 200, response.text
    assert response.json() == {
        "data": {
            "me": {
                "subject": "provider:user:customs.inspector",
                "department": "customs",
                "roles": ["contributor", "reader"],
                "clientId": "provider:liaison-console",
            }
        }
    }


async def test_the_providers_own_token_is_refused_after_it_logs_the_person_out(
    liaison: httpx.AsyncClient, provider: Provider
) -> None:
    verifier = "console-verifier-" + "w" * 40
    parameters = authorization_parameters(verifier, redirect_uri=CONSOLE_CALLBACK, state="ext-2")
    async with httpx.AsyncClient(base_url=provider.base) as browser:
        page = await browser.get("/oauth/authorize", params=parameters)
        posted = await browser.post(
            form_action(page),
            data={
                "csrf_token": csrf_token(page),
                "username": "customs.steward",
                "password": "customs.steward-demo-pass",
            },
        )
        code = httpx.URL(posted.headers["location"]).params["code"]
        tokens = (
            await browser.post(
                "/oauth/token",
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": CONSOLE_CALLBACK,
                    "client_id": "liaison-console",
                    "code_verifier": verifier,
                },
            )
        ).json()
        await browser.post(
            "/oauth/revoke",
            data={"token": tokens["refresh_token"], "client_id": "liaison-console"},
        )
        at_provider = await browser.post(
            "/graphql",
            json={"query": ME},
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
        )
    here = await liaison.post(
        "/graphql",
        json={"query": "{ me { roles } }"},
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )

    # The provider refuses it at once; a relying party learns of it only when the short
    # access token expires (an external provider's revocations are its own).
    assert at_provider.status_code == 401
    assert here.status_code == 200
    assert here.json()["data"]["me"]["roles"] == ["reader", "steward"]
