"""``liaison clients``: registration with the secret shown once and stored hashed, listing,
revocation; and the client credentials it prints work at /oauth/token."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from identity.identity_support import run_cli
from liaison.api.config import Settings
from liaison.db.identity_models import OAuthClient
from world import World

ADDED = re.compile(r"^client_id:     (customs-[0-9a-f]{16})\nclient_secret: (lcs_[\w-]{43})\n$")


async def add(settings: Settings, *args: str) -> tuple[str, str]:
    result = await run_cli("clients", "add", *args, "--database-url", settings.database_url)
    assert result.exit_code == 0, result.output
    match = ADDED.match(result.stdout)
    assert match, result.stdout
    return match[1], match[2]


async def test_clients_add_prints_the_secret_once_and_stores_only_its_hash(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    world: World,
    clean_identity: None,
) -> None:
    client_id, secret = await add(
        settings, "--department", "customs", "--roles", "reader,contributor", "--name", "portal"
    )

    async with sessions() as session:
        row = (await session.scalars(select(OAuthClient))).one()
    assert (row.client_id, row.name, row.department, row.roles) == (
        client_id,
        "portal",
        "customs",
        ["reader", "contributor"],
    )
    assert row.secret_hash.startswith("scrypt$16384$8$1$")
    assert secret not in row.secret_hash

    listed = await run_cli("clients", "list", "--database-url", settings.database_url)
    assert listed.stdout == f"{client_id}\tcustoms\treader,contributor\tactive\tportal\n"
    assert secret not in listed.output


async def test_the_printed_credentials_get_a_token_until_the_client_is_revoked(
    ihttp: httpx.AsyncClient, settings: Settings, world: World, clean_identity: None
) -> None:
    client_id, secret = await add(settings, "--department", "customs", "--roles", "reader")
    form = {"grant_type": "client_credentials"}

    granted = await ihttp.post("/oauth/token", data=form, auth=(client_id, secret))
    revoked = await run_cli("clients", "revoke", client_id, "--database-url", settings.database_url)
    again = await run_cli("clients", "revoke", client_id, "--database-url", settings.database_url)
    refused = await ihttp.post("/oauth/token", data=form, auth=(client_id, secret))
    listed = await run_cli("clients", "list", "--database-url", settings.database_url)

    assert granted.status_code == 200, granted.text
    assert revoked.output == f"registered client {client_id}: revoked\n"
    assert again.output == f"registered client {client_id}: already revoked\n"
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"
    assert "\trevoked 20" in listed.stdout


async def test_clients_add_refuses_unknown_roles_and_departments(
    settings: Settings, world: World, clean_identity: None
) -> None:
    url = settings.database_url

    bad_role = await run_cli(
        "clients", "add", "--department", "customs", "--roles", "reader,root", "--database-url", url
    )
    no_role = await run_cli(
        "clients", "add", "--department", "customs", "--roles", ",", "--database-url", url
    )
    bad_department = await run_cli(
        "clients", "add", "--department", "interpol", "--roles", "reader", "--database-url", url
    )
    listed = await run_cli("clients", "list", "--database-url", url)

    assert bad_role.exit_code == no_role.exit_code == 2
    assert "'root' is not a role" in bad_role.output
    assert bad_department.exit_code == 1
    assert "no department 'interpol' in the database" in bad_department.output
    assert listed.stdout == "no clients (add one with: liaison clients add)\n"
