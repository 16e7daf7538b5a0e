"""The ``liaison`` command."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import time
from importlib import resources
from pathlib import Path

import click

from liaison.api.config import Settings, from_environment
from liaison.api.keys import SigningKeys
from liaison.api.tokens import mint_access_token
from liaison.permissions.principal import Role

DEMO_ENTERPRISES = 300


def _settings(database_url: str | None, data_dir: Path | None) -> Settings:
    settings = from_environment()
    if data_dir is not None and database_url is None:
        database_url = f"sqlite:///{(data_dir / 'liaison.db').as_posix()}"
    return settings.with_overrides(database_url=database_url, data_dir=data_dir)


database_option = click.option(
    "--database-url",
    envvar="LIAISON_DATABASE_URL",
    help="Any SQLAlchemy URL: sqlite:///liaison.db, postgresql://user@host/db.",
)
data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="LIAISON_DATA_DIR",
    help="Where the signing keys (and the default SQLite database) live.",
)


@click.group()
def main() -> None:
    """Liaison: field-level, audited sharing of enterprise data between departments."""


@main.command()
@database_option
@data_dir_option
def migrate(database_url: str | None, data_dir: Path | None) -> None:
    """Create or upgrade the database schema."""
    from liaison.db.migrate import upgrade

    settings = _settings(database_url, data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    click.echo(f"database at head: {settings.database_url}")


@main.command()
@database_option
@data_dir_option
@click.option("--enterprises", default=DEMO_ENTERPRISES, show_default=True, type=click.IntRange(1))
@click.option("--seed", default=2026, show_default=True, type=int)
def demo(database_url: str | None, data_dir: Path | None, enterprises: int, seed: int) -> None:
    """Create a demo database: departments, the memorandum, enterprises and their records."""
    settings = _settings(database_url, data_dir)
    _build_demo(settings, enterprises, seed)


def _build_demo(settings: Settings, enterprises: int, seed: int) -> None:
    from liaison.api.demo_users import add_demo_users
    from liaison.db.agreements import store_agreement
    from liaison.db.demo.generate import DemoError, populate
    from liaison.db.engine import create_engine, session_factory
    from liaison.db.migrate import upgrade
    from liaison.db.planner_statistics import gather_statistics
    from liaison.permissions.policy_file import load_policy_file

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    upgrade(settings.database_url)
    memorandum = resources.files("liaison.db.demo") / "memorandum.yaml"
    spec = load_policy_file(Path(str(memorandum)))

    async def build() -> None:
        engine = create_engine(settings.database_url)
        try:
            summary = await populate(engine, enterprises=enterprises, seed=seed)
            async with session_factory(engine)() as session, session.begin():
                await store_agreement(
                    session,
                    spec,
                    status="active",
                    created_by="liaison demo",
                    signed_at=dt.datetime.now(dt.UTC),
                )
                users = await add_demo_users(session)
            await gather_statistics(engine)
        finally:
            await engine.dispose()
        click.echo(
            f"demo ready in {time.perf_counter() - started:.1f}s: "
            + ", ".join(
                f"{v} {k.replace('_', ' ')}"
                for k, v in {**vars(summary), **summary.joint_work}.items()
                if k != "joint_work"
            )
            + f"; agreement {spec.code} active; {users} demo users (password: "
            "<username>-demo-pass)"
        )

    try:
        asyncio.run(build())
    except DemoError as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@database_option
@data_dir_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--demo", "with_demo", is_flag=True, help="Build the demo database first if empty.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1))
def serve(
    database_url: str | None,
    data_dir: Path | None,
    host: str,
    port: int,
    with_demo: bool,
    workers: int,
) -> None:
    """Serve the GraphQL API (GraphiQL at /graphql in a browser)."""
    import os

    import uvicorn

    from liaison.db.migrate import upgrade

    settings = _settings(database_url, data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if with_demo and not asyncio.run(_has_departments(settings.database_url)):
        _build_demo(settings, DEMO_ENTERPRISES, 2026)
    else:
        upgrade(settings.database_url)
    SigningKeys.load_or_create(settings.data_dir)
    os.environ["LIAISON_DATABASE_URL"] = settings.database_url
    os.environ["LIAISON_DATA_DIR"] = str(settings.data_dir)
    click.echo(f"Liaison on http://{host}:{port}/graphql  (database: {settings.database_url})")
    click.echo("Mint a token:  liaison token --department emergency --role reader")
    uvicorn.run(
        "liaison.api.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        proxy_headers=False,
        # A websocket message may be no larger than an HTTP request body.
        ws_max_size=settings.limits.max_body_bytes or 16 * 1024 * 1024,
    )


async def _has_departments(url: str) -> bool:
    from sqlalchemy import inspect, select

    from liaison.db import models
    from liaison.db.engine import create_engine

    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
            if "department" not in tables:
                return False
            return (await connection.scalar(select(models.Department.id).limit(1))) is not None
    finally:
        await engine.dispose()


@main.command()
@data_dir_option
@click.option("--department", required=True, help="Department code, e.g. customs.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    default=("reader",),
    show_default=True,
    type=click.Choice([r.value for r in Role]),
    help="Repeat for several roles.",
)
@click.option("--subject", default=None, help="Who the token is for (default: <department>-demo).")
@click.option("--lifetime", default=None, type=click.IntRange(60, 86_400), help="Seconds.")
def token(
    data_dir: Path | None,
    department: str,
    roles: tuple[str, ...],
    subject: str | None,
    lifetime: int | None,
) -> None:
    """Mint a bearer access token for a principal of a department (demos and tests)."""
    settings = _settings(None, data_dir)
    keys = SigningKeys.load_or_create(settings.data_dir)
    try:
        minted = mint_access_token(
            keys,
            issuer=settings.issuer,
            audience=settings.audience,
            subject=subject or f"{department}-demo",
            department=department,
            roles=roles,
            client_id="liaison-cli",
            lifetime_seconds=lifetime or settings.token_lifetime_seconds,
        )
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    sys.stdout.write(minted + "\n")


def _register_groups() -> None:
    from liaison.api.cli_agreements import agreements
    from liaison.api.cli_audit import audit
    from liaison.api.cli_backup import backup_command, restore_command
    from liaison.api.cli_console import console
    from liaison.api.cli_departments import departments
    from liaison.api.cli_identity import clients, keys_group, tokens
    from liaison.api.cli_maintenance import maintenance
    from liaison.api.cli_users import users

    main.add_command(agreements)
    main.add_command(audit)
    main.add_command(console)
    main.add_command(clients)
    main.add_command(tokens)
    main.add_command(keys_group)
    main.add_command(maintenance)
    main.add_command(backup_command)
    main.add_command(restore_command)
    main.add_command(users)
    main.add_command(departments)


_register_groups()
