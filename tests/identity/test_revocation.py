"""Revocation by jti and by client, written by another process, effective on the next
request in every server process sharing the database."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conftest import TEST_AUDIENCE, TEST_ISSUER
from identity.conftest import client_for, issuers_toml
from identity.identity_support import IdP, JWKSServer, assert_refused, decode_segment, me, run_cli
from liaison.api.config import Settings
from liaison.api.keys import SigningKeys
from liaison.api.tokens import mint_access_token
from liaison.db.identity_models import RevokedToken
from world import World


def local_token(keys: SigningKeys, jti: str, client_id: str = "revocation-tests") -> str:
    return mint_access_token(
        keys,
        issuer=TEST_ISSUER,
        audience=TEST_AUDIENCE,
        subject="officer-9",
        department="customs",
        roles=["reader"],
        client_id=client_id,
        lifetime_seconds=600,
        token_id=jti,
    )


async def test_a_token_revoked_by_jti_is_refused_on_the_next_request_and_only_it(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    settings: Settings,
    world: World,
    clean_identity: None,
) -> None:
    revoked, sibling = local_token(keys, "jti-revoke-me"), local_token(keys, "jti-keep-me")
    assert (await me(http, revoked)).status_code == 200

    result = await run_cli(
        "tokens", "revoke", "jti-revoke-me", "--database-url", settings.database_url
    )

    assert result.exit_code == 0, result.output
    assert result.output.startswith("token jti-revoke-me: revoked, kept until ")
    assert_refused(await me(http, revoked), "token has been revoked")
    assert (await me(http, sibling)).status_code == 200


async def test_revoking_a_client_refuses_every_token_naming_it(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    settings: Settings,
    world: World,
    clean_identity: None,
) -> None:
    first, second = local_token(keys, "a", "portal-1"), local_token(keys, "b", "portal-1")
    other = local_token(keys, "c", "portal-2")

    result = await run_cli(
        "clients", "revoke", "portal-1", "--reason", "laptop stolen",
        "--database-url", settings.database_url,
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert result.output == "client (not registered here) portal-1: revoked\n"
    assert_refused(await me(http, first), "token's client has been revoked")
    assert_refused(await me(http, second), "token's client has been revoked")
    assert (await me(http, other)).status_code == 200


async def test_an_external_token_is_revoked_by_its_issuer_qualified_jti(
    ihttp: httpx.AsyncClient,
    customs_idp: IdP,
    settings: Settings,
    world: World,
    clean_identity: None,
) -> None:
    token = customs_idp.token(claims={"jti": "idp-jti-77"})
    assert (await me(ihttp, token)).status_code == 200

    await run_cli("tokens", "revoke", "idp-jti-77", "--database-url", settings.database_url)
    still = await me(ihttp, token)  # the bare jti is not this issuer's token id
    await run_cli(
        "tokens", "revoke", "customs-idp:idp-jti-77", "--database-url", settings.database_url
    )

    assert still.status_code == 200
    assert_refused(await me(ihttp, token), "token has been revoked")


async def test_a_revocation_by_another_process_reaches_every_server_process(
    make_app: Any,
    keys: SigningKeys,
    settings: Settings,
    data_dir: Path,
    world: World,
    clean_identity: None,
) -> None:
    # Two apps with their own engines and pools stand for two server processes; the
    # revocation is written by a third, separate OS process.
    token = local_token(keys, "jti-cross-process")
    apps = [make_app(data_dir=data_dir), make_app(data_dir=data_dir)]
    async with client_for(apps[0]) as one, client_for(apps[1]) as two:
        assert [(await me(c, token)).status_code for c in (one, two)] == [200, 200]

        liaison = Path(sys.executable).with_name("liaison")
        completed = await asyncio.to_thread(
            subprocess.run,
            [str(liaison), "tokens", "revoke", "jti-cross-process"],
            env={**os.environ, "LIAISON_DATABASE_URL": settings.database_url},
            capture_output=True,
            text=True,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr

        for client in (one, two):
            assert_refused(await me(client, token), "token has been revoked")


async def test_revocations_of_expired_tokens_are_purged_and_others_kept(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], clean_identity: None
) -> None:
    url = settings.database_url
    await run_cli("tokens", "revoke", "old", "--until", "2020-01-01", "--database-url", url)
    await run_cli("tokens", "revoke", "new", "--database-url", url)
    await run_cli("tokens", "revoke", "new", "--reason", "twice", "--database-url", url)

    result = await run_cli("tokens", "purge", "--database-url", url)

    assert result.output == (
        "purged 1 expired revocation(s)\npurged 0 ended sign-in(s) (and codes never exchanged)\n"
    )
    async with sessions() as session:
        kept = list(await session.scalars(select(RevokedToken.jti)))
    assert kept == ["new"]


async def test_a_whole_token_may_be_revoked_and_is_kept_until_it_expires(
    http: httpx.AsyncClient,
    ihttp: httpx.AsyncClient,
    keys: SigningKeys,
    customs_idp: IdP,
    jwks_server: JWKSServer,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    world: World,
    clean_identity: None,
) -> None:
    issuers_file = tmp_path / "issuers.toml"
    issuers_file.write_text(issuers_toml(jwks_server))
    env = {
        "LIAISON_ISSUER": TEST_ISSUER,
        "LIAISON_ISSUERS_FILE": str(issuers_file),
        "LIAISON_DATABASE_URL": settings.database_url,
    }
    local = local_token(keys, "jti-whole-local")
    external = customs_idp.token(claims={"jti": "jti-whole-external"})
    stranger = customs_idp.token(claims={"iss": "https://elsewhere.example"})

    revoked_local = await run_cli("tokens", "revoke", local, env=env)
    revoked_external = await run_cli("tokens", "revoke", external, env=env)
    unknown = await run_cli("tokens", "revoke", stranger, env=env)

    assert revoked_local.exit_code == 0, revoked_local.output
    assert revoked_local.output.startswith("token jti-whole-local: revoked")
    assert revoked_external.output.startswith("token customs-idp:jti-whole-external: revoked")
    assert unknown.exit_code == 1
    assert "neither Liaison" in unknown.output
    assert_refused(await me(http, local), "token has been revoked")
    assert_refused(await me(ihttp, external), "token has been revoked")
    async with sessions() as session:
        rows = {row.jti: row.expires_at for row in await session.scalars(select(RevokedToken))}
    kept_until = rows["jti-whole-local"]
    kept_until = kept_until if kept_until.tzinfo else kept_until.replace(tzinfo=dt.UTC)
    assert kept_until.timestamp() == decode_segment(local.split(".")[1])["exp"]
