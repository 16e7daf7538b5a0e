"""``liaison users``: adding people with a hashed password, listing, disabling (which ends
their sign-ins), enabling and resetting; the person then signs in through the console."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.api.cli import main
from liaison.api.config import Settings
from liaison.db.people_models import UserAccount
from sign_in.conftest import clean_people
from sign_in.sign_in_support import WRONG, me, redirected_to, refresh, sign_in, start, submit
from world import World

Sessions = async_sessionmaker[AsyncSession]
PASSWORD = "a long enough password"


async def liaison(settings: Settings, *args: str, given: str | None = None) -> Result:
    """The ``liaison`` command in a worker thread (it runs its own event loop)."""
    command = [*args, "--database-url", settings.database_url]
    return await asyncio.to_thread(CliRunner().invoke, main, command, input=given)


@pytest.fixture
async def nobody(world: World, sessions: Sessions) -> AsyncIterator[None]:
    await clean_people(sessions)
    yield
    await clean_people(sessions)


async def add(settings: Settings, username: str = "customs.li", *options: str) -> Result:
    return await liaison(
        settings,
        "users",
        "add",
        username,
        "--department",
        "customs",
        "--role",
        "reader",
        "--role",
        "contributor",
        *options,
        "--password-stdin",
        given=PASSWORD + "\n",
    )


async def test_users_add_stores_an_argon2id_hash_and_lists_the_person(
    settings: Settings, sessions: Sessions, nobody: None
) -> None:
    added = await add(settings, "customs.li", "--name", "Li Wei 李伟")
    listed = await liaison(settings, "users", "list")

    assert added.exit_code == 0, added.output
    assert added.output == "user customs.li added: customs, reader,contributor\n"
    assert listed.output == "customs.li\tcustoms\treader,contributor\tactive\tLi Wei 李伟\n"
    async with sessions() as session:
        row = (await session.scalars(select(UserAccount))).one()
    assert row.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PASSWORD not in row.password_hash
    assert row.disabled is False


async def test_users_add_prompts_twice_for_the_password(settings: Settings, nobody: None) -> None:
    typed = await liaison(
        settings,
        "users",
        "add",
        "customs.wang",
        "--department",
        "customs",
        "--role",
        "reader",
        given=f"{PASSWORD}\n{PASSWORD}\n",
    )

    assert typed.exit_code == 0, typed.output
    assert "Repeat for confirmation" in typed.output
    assert PASSWORD not in typed.output


@pytest.mark.parametrize(
    ("args", "given", "message"),
    [
        (("customs.li",), "short\n", "a password needs at least 12 characters"),
        (("Customs.Li",), PASSWORD + "\n", "use 2 to 64 lowercase letters"),
    ],
    ids=["short-password", "uppercase-name"],
)
async def test_users_add_refuses_a_short_password_and_a_bad_name(
    settings: Settings, nobody: None, args: tuple[str, ...], given: str, message: str
) -> None:
    result = await liaison(
        settings,
        "users",
        "add",
        *args,
        "--department",
        "customs",
        "--role",
        "reader",
        "--password-stdin",
        given=given,
    )

    assert result.exit_code in (1, 2)
    assert message in result.output
    assert (await liaison(settings, "users", "list")).output == (
        "no users (add one with: liaison users add)\n"
    )


async def test_users_add_refuses_a_taken_name_an_unknown_department_and_role(
    settings: Settings, nobody: None
) -> None:
    await add(settings)

    taken = await add(settings)
    department = await liaison(
        settings,
        "users",
        "add",
        "x.y",
        "--department",
        "interpol",
        "--role",
        "reader",
        "--password-stdin",
        given=PASSWORD + "\n",
    )
    role = await liaison(
        settings,
        "users",
        "add",
        "x.y",
        "--department",
        "customs",
        "--role",
        "root",
        "--password-stdin",
        given=PASSWORD + "\n",
    )

    assert (taken.exit_code, department.exit_code, role.exit_code) == (1, 1, 2)
    assert "user 'customs.li' already exists" in taken.output
    assert "no department 'interpol' in the database" in department.output
    assert "'root' is not one of" in role.output


async def test_a_person_added_on_the_command_line_signs_in_until_disabled(
    settings: Settings, phttp: httpx.AsyncClient, nobody: None
) -> None:
    await add(settings)
    tokens = await sign_in(phttp, "customs.li", PASSWORD)

    disabled = await liaison(settings, "users", "disable", "customs.li")
    again = await liaison(settings, "users", "disable", "customs.li")
    listed = await liaison(settings, "users", "list")
    access = await me(phttp, tokens["access_token"])
    renewed = await refresh(phttp, tokens["refresh_token"])
    attempt = await submit(phttp, await start(phttp), "customs.li", PASSWORD)

    assert disabled.output == "user customs.li: disabled\n"
    assert again.output == "user customs.li: already disabled\n"
    assert "\tdisabled\t" in listed.output
    assert access.status_code == 401
    assert access.json()["errors"][0]["message"] == "token has been revoked"
    assert renewed.json()["error_description"] == "refresh token has been revoked"
    assert attempt.status_code == 401
    assert WRONG in attempt.text

    enabled = await liaison(settings, "users", "enable", "customs.li")
    assert enabled.output == "user customs.li: enabled\n"
    redirected_to(await submit(phttp, await start(phttp), "customs.li", PASSWORD))


async def test_a_reset_sets_a_new_password_and_ends_every_sign_in(
    settings: Settings, phttp: httpx.AsyncClient, nobody: None
) -> None:
    await add(settings)
    tokens = await sign_in(phttp, "customs.li", PASSWORD)

    reset = await liaison(
        settings,
        "users",
        "reset",
        "customs.li",
        "--password-stdin",
        given="another long password\n",
    )

    assert reset.exit_code == 0, reset.output
    assert reset.output == "user customs.li: new password set; every sign-in ended\n"
    assert (await refresh(phttp, tokens["refresh_token"])).status_code == 400
    assert (await me(phttp, tokens["access_token"])).status_code == 401
    old = await submit(phttp, await start(phttp), "customs.li", PASSWORD)
    assert old.status_code == 401
    redirected_to(await submit(phttp, await start(phttp), "customs.li", "another long password"))


@pytest.mark.parametrize("command", ["disable", "enable", "reset"])
async def test_commands_on_an_unknown_user_say_so(
    settings: Settings, nobody: None, command: str
) -> None:
    result = await liaison(
        settings,
        "users",
        command,
        "nobody.here",
        *(["--password-stdin"] if command == "reset" else []),
        given=PASSWORD + "\n",
    )

    assert result.exit_code == 1
    assert "no user 'nobody.here'" in result.output
