"""``liaison users``: the people who sign in to the console (README, Security / Identity /
4). Passwords come from a prompt (typed twice) or, for scripts, one line on standard input;
they are stored only as argon2id hashes and never printed."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.api.cli import _settings, data_dir_option, database_option
from liaison.api.cli_run import run_in_transaction as _run
from liaison.api.passwords import MIN_PASSWORD_LENGTH, PasswordRejected, hash_password
from liaison.db import people
from liaison.db.directory import UnknownDepartment
from liaison.permissions.principal import Role

password_stdin_option = click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of a prompt.",
)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(
            f"Password (at least {MIN_PASSWORD_LENGTH} characters)",
            hide_input=True,
            confirmation_prompt=True,
        )
    try:
        return hash_password(password)
    except PasswordRejected as exc:
        raise click.ClickException(str(exc)) from None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@click.group()
def users() -> None:
    """People who sign in to the console (authorization code with PKCE at /oauth/authorize)."""


@users.command("add")
@database_option
@data_dir_option
@click.argument("username")
@click.option("--department", required=True, help="The department code the person acts for.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="Repeat for several roles.",
)
@click.option("--name", default=None, help="Display name (default: the username).")
@password_stdin_option
def add_user(
    database_url: str | None,
    data_dir: Path | None,
    username: str,
    department: str,
    roles: tuple[str, ...],
    name: str | None,
    password_stdin: bool,
) -> None:
    """Add a person. USERNAME is lowercase: letters, digits, '.', '_' and '-'."""
    from liaison.db.migrate import upgrade

    if not people.USERNAME.fullmatch(username):
        raise click.BadParameter(
            "use 2 to 64 lowercase letters, digits, '.', '_' or '-', starting with a letter "
            "or digit",
            param_hint="USERNAME",
        )
    settings = _settings(database_url, data_dir)
    upgrade(settings.database_url)
    password_hash = _password(password_stdin)

    async def add(session: AsyncSession) -> people.Person:
        return await people.add_user(
            session,
            username=username,
            display_name=name or username,
            department=department,
            roles=tuple(dict.fromkeys(roles)),
            password_hash=password_hash,
            now=_now(),
        )

    try:
        person = _run(settings.database_url, add)
    except UnknownDepartment:
        raise click.ClickException(f"no department {department!r} in the database") from None
    except people.UserExists:
        raise click.ClickException(f"user {username!r} already exists") from None
    click.echo(f"user {person.username} added: {person.department}, {','.join(person.roles)}")


@users.command("list")
@database_option
@data_dir_option
def list_users(database_url: str | None, data_dir: Path | None) -> None:
    """Every person, disabled ones included (password hashes are never shown)."""
    settings = _settings(database_url, data_dir)
    rows = _run(settings.database_url, people.list_users)
    if not rows:
        click.echo("no users (add one with: liaison users add)")
        return
    for row in rows:
        state = "disabled" if row.disabled else "active"
        click.echo(
            f"{row.username}\t{row.department}\t{','.join(row.roles)}\t{state}\t{row.display_name}"
        )


def _set_disabled(
    settings_args: tuple[str | None, Path | None], username: str, disabled: bool
) -> None:
    settings = _settings(*settings_args)

    async def change(session: AsyncSession) -> tuple[people.Person, bool]:
        return await people.set_disabled(session, username, disabled=disabled, now=_now())

    try:
        _, changed = _run(settings.database_url, change)
    except people.UnknownUser:
        raise click.ClickException(f"no user {username!r}") from None
    state = "disabled" if disabled else "enabled"
    click.echo(f"user {username}: {state}" if changed else f"user {username}: already {state}")


@users.command("disable")
@database_option
@data_dir_option
@click.argument("username")
def disable_user(database_url: str | None, data_dir: Path | None, username: str) -> None:
    """Stop USERNAME signing in; every sign-in of theirs ends now (refresh tokens and live
    access tokens are refused from the next request on, in every server process)."""
    _set_disabled((database_url, data_dir), username, True)


@users.command("enable")
@database_option
@data_dir_option
@click.argument("username")
def enable_user(database_url: str | None, data_dir: Path | None, username: str) -> None:
    """Let USERNAME sign in again (sign-ins ended by disabling stay ended)."""
    _set_disabled((database_url, data_dir), username, False)


@users.command("reset")
@database_option
@data_dir_option
@click.argument("username")
@password_stdin_option
def reset_user(
    database_url: str | None, data_dir: Path | None, username: str, password_stdin: bool
) -> None:
    """Give USERNAME a new password; every sign-in of theirs ends now."""
    settings = _settings(database_url, data_dir)
    password_hash = _password(password_stdin)

    async def reset(session: AsyncSession) -> people.Person:
        return await people.set_password(
            session, username, password_hash, now=_now(), reason="password reset"
        )

    try:
        _run(settings.database_url, reset)
    except people.UnknownUser:
        raise click.ClickException(f"no user {username!r}") from None
    click.echo(f"user {username}: new password set; every sign-in ended")
