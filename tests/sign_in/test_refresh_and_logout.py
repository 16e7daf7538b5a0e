"""Refresh tokens rotate on every use, a rotated-out one presented again revokes its whole
sign-in, they expire idle and absolutely, and log-out (RFC 7009) ends the sign-in and its
access tokens; disabling a person ends their sign-ins at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from identity.identity_support import run_cli
from liaison.api.config import Settings
from liaison.db import people
from liaison.db.audit import utc
from liaison.db.people_models import AuthorizationCode, RefreshFamily, RefreshToken
from sign_in.conftest import PASSWORDS, client_of, people_settings
from sign_in.sign_in_support import (
    assert_oauth_error,
    me,
    redirected_to,
    refresh,
    revoke,
    sign_in,
    start,
    submit,
)

Sessions = async_sessionmaker[AsyncSession]
Folks = dict[str, people.Person]
OFFICER = "customs.officer"


def assert_revoked(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.json()["errors"][0]["message"] == "token has been revoked"


async def test_a_refresh_rotates_the_refresh_token_and_issues_a_new_access_token(
    phttp: httpx.AsyncClient, folks: Folks, sessions: Sessions
) -> None:
    first = await sign_in(phttp, OFFICER, PASSWORDS[OFFICER])

    renewed = await refresh(phttp, first["refresh_token"])

    assert renewed.status_code == 200, renewed.text
    second = renewed.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert (second["token_type"], second["expires_in"], second["scope"]) == (
        "Bearer",
        300,
        "contributor reader",
    )
    assert (await me(phttp, second["access_token"])).status_code == 200
    async with sessions() as session:
        rows = list(await session.scalars(select(RefreshToken).order_by(RefreshToken.id)))
    assert len(rows) == 2
    assert rows[0].rotated_at is not None
    assert rows[1].rotated_at is None
    assert first["refresh_token"] not in {row.token_hash for row in rows}


async def test_a_refresh_may_ask_for_fewer_roles_but_not_more(
    phttp: httpx.AsyncClient, folks: Folks
) -> None:
    first = await sign_in(phttp, OFFICER, PASSWORDS[OFFICER], scope="reader")

    more = await refresh(phttp, first["refresh_token"], scope="reader contributor")

    assert_oauth_error(more, 400, "invalid_scope")


async def test_a_rotated_out_refresh_token_presented_again_revokes_the_whole_sign_in(
    phttp: httpx.AsyncClient, folks: Folks, sessions: Sessions
) -> None:
    first = await sign_in(phttp, OFFICER, PASSWORDS[OFFICER])
    second = (await refresh(phttp, first["refresh_token"])).json()

    replayed = await refresh(phttp, first["refresh_token"])

    assert_oauth_error(
        replayed,
        400,
        "invalid_grant",
        "refresh token has already been used; every token of this sign-in has been revoked",
    )
    assert_oauth_error(
        await refresh(phttp, second["refresh_token"]),
        400,
        "invalid_grant",
        "refresh token has been revoked",
    )
    assert_revoked(await me(phttp, first["access_token"]))
    assert_revoked(await me(phttp, second["access_token"]))
    async with sessions() as session:
        family = (await session.scalars(select(RefreshFamily))).one()
    assert family.revoked_reason == "refresh token reused"


@pytest.mark.parametrize("limit", ["idle", "absolute"])
async def test_an_expired_refresh_token_is_refused(
    phttp: httpx.AsyncClient, folks: Folks, sessions: Sessions, limit: str
) -> None:
    first = await sign_in(phttp, OFFICER, PASSWORDS[OFFICER])
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    async with sessions() as session, session.begin():
        if limit == "idle":
            await session.execute(update(RefreshToken).values(idle_expires_at=past))
        else:
            await session.execute(update(RefreshFamily).values(absolute_expires_at=past))

    response = await refresh(phttp, first["refresh_token"])

    assert_oauth_error(response, 400, "invalid_grant", "refresh token has expired")


async def test_a_new_refresh_token_never_outlives_the_sign_ins_absolute_lifetime(
    settings: Settings, folks: Folks, sessions: Sessions
) -> None:
    app = _app(settings, refresh_idle_seconds=600, refresh_absolute_seconds=900)
    async with client_of(app) as client:
        first = await sign_in(client, OFFICER, PASSWORDS[OFFICER])
        await refresh(client, first["refresh_token"])

    async with sessions() as session:
        family = (await session.scalars(select(RefreshFamily))).one()
        rows = list(await session.scalars(select(RefreshToken).order_by(RefreshToken.id)))
    created = utc(family.created_at)
    assert utc(family.absolute_expires_at) - created == dt.timedelta(seconds=900)
    for row in rows:
        idle = utc(row.idle_expires_at) - utc(row.issued_at)
        assert idle == dt.timedelta(seconds=600)


async def test_an_unknown_refresh_token_is_refused(phttp: httpx.AsyncClient, folks: Folks) -> None:
    response = await refresh(phttp, "lrt_made-up")

    assert_oauth_error(response, 400, "invalid_grant", "refresh token is not valid")


async def test_logging_out_with_the_refresh_token_ends_the_sign_in_and_its_access_token(
    phttp: httpx.AsyncClient, folks: Folks
) -> None:
    tokens = await sign_in(phttp, OFFICER, PASSWORDS[OFFICER])

    response = await revoke(phttp, tokens["refresh_token"], token_type_hint="refresh_token")

    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["cache-control"] == "no-store"
    assert_revoked(await me(phttp, tokens["access_token"]))
    assert_oauth_error(
        await refresh(phttp, tokens["refresh_token"]),
        400,
        "invalid_grant",
        "refresh token has been revoked",
    )


async def test_logging_out_with_the_access_token_revokes_it_and_its_sign_in(
    phttp: httpx.AsyncClient, folks: Folks
) -> None:
    tokens = await sign_in(phttp, OFFICER, PASSWORDS[OFFICER])

    response = await revoke(phttp, tokens["access_token"], token_type_hint="access_token")

    assert response.status_code == 200
    assert_revoked(await me(phttp, tokens["access_token"]))
    assert (await refresh(phttp, tokens["refresh_token"])).status_code == 400


async def test_revoking_an_unknown_token_is_answered_like_any_other(
    phttp: httpx.AsyncClient, folks: Folks
) -> None:
    assert (await revoke(phttp, "lrt_nothing-like-this")).status_code == 200
    assert (await revoke(phttp, "not.a.token")).status_code == 200


@pytest.mark.parametrize(
    ("form", "status", "error", "description"),
    [
        ({"client_id": "someone-else"}, 401, "invalid_client", "client authentication failed"),
        ({"client_id": ""}, 401, "invalid_client", "client authentication failed"),
        ({"token": ""}, 400, "invalid_request", "token is required"),
    ],
    ids=["other-client", "no-client", "no-token"],
)
async def test_revocation_needs_the_console_client_and_a_token(
    phttp: httpx.AsyncClient,
    folks: Folks,
    form: dict[str, str],
    status: int,
    error: str,
    description: str,
) -> None:
    tokens = await sign_in(phttp, OFFICER, PASSWORDS[OFFICER])

    response = await revoke(phttp, tokens["refresh_token"], **form)

    assert_oauth_error(response, status, error, description)
    assert (await me(phttp, tokens["access_token"])).status_code == 200


async def test_disabling_a_person_ends_their_sign_ins_at_once(
    phttp: httpx.AsyncClient, folks: Folks, sessions: Sessions
) -> None:
    tokens = await sign_in(phttp, OFFICER, PASSWORDS[OFFICER])
    renewed = (await refresh(phttp, tokens["refresh_token"])).json()

    async with sessions() as session, session.begin():
        await people.set_disabled(session, OFFICER, disabled=True, now=dt.datetime.now(dt.UTC))

    assert_revoked(await me(phttp, tokens["access_token"]))
    assert_revoked(await me(phttp, renewed["access_token"]))
    assert_oauth_error(
        await refresh(phttp, renewed["refresh_token"]),
        400,
        "invalid_grant",
        "refresh token has been revoked",
    )
    async with sessions() as session, session.begin():
        await people.set_disabled(session, OFFICER, disabled=False, now=dt.datetime.now(dt.UTC))
    # Enabling again does not bring the ended sign-in back.
    assert_revoked(await me(phttp, renewed["access_token"]))


def _app(settings: Settings, **sign_in: Any) -> Any:
    from liaison.api.app import create_app

    return create_app(people_settings(settings, **sign_in))


async def test_tokens_purge_forgets_ended_sign_ins_and_codes_never_exchanged(
    phttp: httpx.AsyncClient, folks: Folks, sessions: Sessions, settings: Settings
) -> None:
    ended = await sign_in(phttp, OFFICER, PASSWORDS[OFFICER])
    live = await sign_in(phttp, OFFICER, PASSWORDS[OFFICER])
    started = await start(phttp)
    redirected_to(await submit(phttp, started, OFFICER, PASSWORDS[OFFICER]))  # never exchanged
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    async with sessions() as session, session.begin():
        await session.execute(
            update(RefreshFamily)
            .where(RefreshFamily.id == select(func.min(RefreshFamily.id)).scalar_subquery())
            .values(absolute_expires_at=long_ago)
        )
        await session.execute(
            update(AuthorizationCode)
            .where(AuthorizationCode.family_id.is_(None))
            .values(expires_at=long_ago)
        )

    result = await run_cli("tokens", "purge", "--database-url", settings.database_url)

    assert result.output.splitlines()[1] == "purged 1 ended sign-in(s) (and codes never exchanged)"
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(RefreshFamily)) == 1
        assert await session.scalar(select(func.count()).select_from(AuthorizationCode)) == 1
    assert (await refresh(phttp, live["refresh_token"])).status_code == 200
    assert_oauth_error(
        await refresh(phttp, ended["refresh_token"]),
        400,
        "invalid_grant",
        "refresh token is not valid",
    )
