"""``/console/config.json``: the console's sign-in options, the embedded issuer first, then
each external issuer with a console client; and the issuers file's console settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import TEST_ISSUER
from liaison.api.app import create_app
from liaison.api.config import Settings
from liaison.api.issuers import IssuerConfigError, parse_issuers
from sign_in.conftest import client_of, people_settings
from sign_in.sign_in_support import CONSOLE, PUBLIC_URL

ROLES = ["reader", "contributor", "steward", "auditor", "admin"]
PROVIDER = {
    "name": "customs-idp",
    "issuer": "https://sso.customs.test/realms/liaison",
    "jwks_uri": "https://sso.customs.test/realms/liaison/certs",
    "audience": "urn:liaison:test-api",
    "algorithms": ["RS256"],
    "department": "customs",
}
CONSOLE_SETTINGS = {
    "console_client_id": "liaison-console-web",
    "authorization_endpoint": "https://sso.customs.test/realms/liaison/auth",
    "token_endpoint": "https://sso.customs.test/realms/liaison/token",
}

ISSUERS = """
[[issuers]]
name = "customs-idp"
issuer = "https://sso.customs.test/realms/liaison"
jwks_uri = "https://sso.customs.test/realms/liaison/certs"
audience = "urn:liaison:test-api"
algorithms = ["RS256"]
department = "customs"
console_client_id = "liaison-console-web"
authorization_endpoint = "https://sso.customs.test/realms/liaison/auth"
token_endpoint = "https://sso.customs.test/realms/liaison/token"
revocation_endpoint = "https://sso.customs.test/realms/liaison/revoke"
console_scopes = ["openid", "liaison"]

[[issuers]]
name = "park-sso"
issuer = "https://sso.park.test"
jwks_uri = "https://sso.park.test/jwks.json"
audience = "urn:liaison:test-api"
algorithms = ["ES256"]
department = "park"
"""


@pytest.fixture(scope="module")
def configured_app(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Any:
    issuers = tmp_path_factory.mktemp("console") / "issuers.toml"
    issuers.write_text(ISSUERS)
    return create_app(people_settings(settings).with_overrides(issuers_file=issuers))


async def test_the_console_config_lists_the_embedded_issuer_then_external_consoles(
    configured_app: Any,
) -> None:
    async with client_of(configured_app) as client:
        response = await client.get("/console/config.json")

    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=300"
    assert response.json() == {
        "providers": [
            {
                "name": "liaison",
                "issuer": TEST_ISSUER,
                "authorization_endpoint": f"{PUBLIC_URL}/oauth/authorize",
                "token_endpoint": f"{PUBLIC_URL}/oauth/token",
                "revocation_endpoint": f"{PUBLIC_URL}/oauth/revoke",
                "client_id": CONSOLE,
                "scopes": ROLES,
            },
            {
                "name": "customs-idp",
                "issuer": "https://sso.customs.test/realms/liaison",
                "authorization_endpoint": "https://sso.customs.test/realms/liaison/auth",
                "token_endpoint": "https://sso.customs.test/realms/liaison/token",
                "revocation_endpoint": "https://sso.customs.test/realms/liaison/revoke",
                "client_id": "liaison-console-web",
                "scopes": ["openid", "liaison"],
            },
        ]
    }


async def test_the_console_config_needs_no_token(phttp: httpx.AsyncClient) -> None:
    response = await phttp.get("/console/config.json")

    assert response.status_code == 200
    assert [p["name"] for p in response.json()["providers"]] == ["liaison"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"authorization_endpoint": "https://x.test/auth"},
            "issuer 'customs-idp': authorization_endpoint needs console_client_id",
        ),
        (
            {**CONSOLE_SETTINGS, "token_endpoint": None},
            "issuer 'customs-idp': token_endpoint is required (a non-empty string)",
        ),
        (
            {**CONSOLE_SETTINGS, "token_endpoint": "http://sso.customs.test/token"},
            "issuer 'customs-idp': token_endpoint must be https (http only on loopback)",
        ),
        (
            {**CONSOLE_SETTINGS, "console_scopes": "openid"},
            "issuer 'customs-idp': console_scopes must be a list of strings",
        ),
    ],
    ids=["endpoint-without-client", "no-token-endpoint", "plain-http", "scopes-not-a-list"],
)
def test_console_settings_in_the_issuers_file_are_checked_by_name(
    changes: dict[str, Any], message: str
) -> None:
    entry = {**PROVIDER, **changes}
    entry = {key: value for key, value in entry.items() if value is not None}

    with pytest.raises(IssuerConfigError) as refused:
        parse_issuers({"issuers": [entry]}, TEST_ISSUER)

    assert str(refused.value) == message


def test_a_loopback_provider_may_use_plain_http(tmp_path: Path) -> None:
    entry = {
        **PROVIDER,
        "console_client_id": "liaison-console",
        "authorization_endpoint": "http://127.0.0.1:9000/oauth/authorize",
        "token_endpoint": "http://127.0.0.1:9000/oauth/token",
    }

    (config,) = parse_issuers({"issuers": [entry]}, TEST_ISSUER)

    assert config.console is not None
    assert config.console.revocation_endpoint is None
    assert config.console.scopes == ()
