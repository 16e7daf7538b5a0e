"""Failed sign-ins are limited per account and per client address, counted in the database,
and the limit is checked before any password is hashed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.api import people_login
from liaison.api.app import create_app
from liaison.api.config import Settings
from liaison.api.login_limits import client_address
from liaison.db import people
from liaison.db.people_models import LoginFailure
from sign_in.conftest import PASSWORDS, client_of, people_settings
from sign_in.sign_in_support import WRONG, redirected_to, start, submit

Sessions = async_sessionmaker[AsyncSession]
Folks = dict[str, people.Person]
OFFICER = "customs.officer"
LIMITED = "Too many failed sign-ins. Try again in 15 minutes."


@pytest.fixture(scope="module")
def limited_app(settings: Settings) -> Any:
    return create_app(
        people_settings(
            settings,
            failures_per_account=3,
            failures_per_address=5,
            failure_window_seconds=900,
            trusted_proxies=("10.0.0.2",),
        )
    )


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The usernames whose password was checked (argon2 run), in order."""
    checked: list[str] = []
    real = people_login.verify_password

    def counting(password: str, encoded: str | None) -> bool:
        checked.append(password)
        return real(password, encoded)

    monkeypatch.setattr(people_login, "verify_password", counting)
    return checked


@pytest.fixture
async def from_address(limited_app: Any) -> AsyncIterator[Any]:
    clients: list[httpx.AsyncClient] = []

    def make(address: str) -> httpx.AsyncClient:
        client = client_of(limited_app, address)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


async def fail(client: httpx.AsyncClient, username: str, times: int) -> list[int]:
    statuses = []
    for n in range(times):
        started = await start(client)
        statuses.append(
            (await submit(client, started, username, f"wrong-password-{n}")).status_code
        )
    return statuses


async def test_an_account_is_locked_after_its_failures_even_with_the_right_password(
    from_address: Any, folks: Folks, sessions: Sessions, hashes: list[str]
) -> None:
    client = from_address("203.0.113.10")
    assert await fail(client, OFFICER, 3) == [401, 401, 401]

    started = await start(client)
    response = await submit(client, started, OFFICER, PASSWORDS[OFFICER])

    assert response.status_code == 429
    # The oldest counted failure leaves the 900 s window first (seconds pass on a busy CI).
    assert 870 <= int(response.headers["retry-after"]) <= 900
    assert response.text.count(LIMITED) == 1
    assert "登录失败次数过多，请在 15 分钟后再试。" in response.text
    assert "location" not in response.headers
    assert len(hashes) == 3  # the fourth attempt never reached argon2
    async with sessions() as session:
        counted = await session.scalar(select(func.count()).select_from(LoginFailure))
    assert counted == 3  # a refused attempt does not extend the lock


async def test_an_account_locked_from_one_address_is_locked_from_every_address(
    from_address: Any, folks: Folks
) -> None:
    await fail(from_address("203.0.113.11"), OFFICER, 3)

    other = from_address("203.0.113.12")
    response = await submit(other, await start(other), OFFICER, PASSWORDS[OFFICER])

    assert response.status_code == 429


async def test_an_unknown_account_is_limited_like_a_real_one(
    from_address: Any, folks: Folks
) -> None:
    client = from_address("203.0.113.13")

    assert await fail(client, "nobody.at.all", 4) == [401, 401, 401, 429]


async def test_an_address_is_limited_across_accounts(
    from_address: Any, folks: Folks, hashes: list[str]
) -> None:
    client = from_address("203.0.113.14")
    for n in range(5):
        assert await fail(client, f"guess.{n}", 1) == [401]

    response = await submit(client, await start(client), OFFICER, PASSWORDS[OFFICER])
    elsewhere = from_address("203.0.113.15")
    allowed = await submit(elsewhere, await start(elsewhere), OFFICER, PASSWORDS[OFFICER])

    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
    assert len(hashes) == 6
    assert redirected_to(allowed)["code"]


async def test_a_successful_sign_in_forgets_the_accounts_failures(
    from_address: Any, folks: Folks
) -> None:
    client = from_address("203.0.113.16")
    await fail(client, OFFICER, 2)
    redirected_to(await submit(client, await start(client), OFFICER, PASSWORDS[OFFICER]))

    assert await fail(client, OFFICER, 3) == [401, 401, 401]


async def test_the_socket_peer_is_the_address_unless_it_is_a_trusted_proxy(
    from_address: Any, folks: Folks
) -> None:
    spoofing = from_address("203.0.113.17")
    for n in range(5):
        started = await start(spoofing)
        forged = {"X-Forwarded-For": f"192.0.2.{n}"}
        await spoofing.post(
            started.action,
            data={"csrf_token": started.csrf_token, "username": f"x.{n}", "password": "p" * 12},
            headers=forged,
        )
    started = await start(spoofing)
    response = await spoofing.post(
        started.action,
        data={"csrf_token": started.csrf_token, "username": OFFICER, "password": "p" * 12},
        headers={"X-Forwarded-For": "192.0.2.99"},
    )

    assert response.status_code == 429  # X-Forwarded-For from an untrusted peer is ignored


def test_a_trusted_proxys_forwarded_address_is_the_client() -> None:
    from starlette.requests import Request

    def request(peer: str, forwarded: str | None) -> Request:
        headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
        return Request({"type": "http", "headers": headers, "client": (peer, 1)})

    proxies = ("10.0.0.2",)
    assert client_address(request("10.0.0.2", "192.0.2.1, 198.51.100.9"), proxies) == (
        "198.51.100.9"
    )
    assert client_address(request("10.0.0.2", "not-an-ip"), proxies) == "10.0.0.2"
    assert client_address(request("10.0.0.3", "198.51.100.9"), proxies) == "10.0.0.3"


async def test_a_wrong_password_is_answered_with_the_generic_message(
    from_address: Any, folks: Folks
) -> None:
    client = from_address("203.0.113.18")

    response = await submit(client, await start(client), OFFICER, "wrong-password-x")

    assert response.status_code == 401
    assert WRONG in response.text


async def test_unknown_and_disabled_users_cost_one_password_check_like_anyone(
    from_address: Any, folks: Folks, hashes: list[str]
) -> None:
    client = from_address("203.0.113.19")

    for username in ("nobody.at.all", "customs.leaver", OFFICER):
        await submit(client, await start(client), username, "wrong-password-1")

    assert hashes == ["wrong-password-1"] * 3
