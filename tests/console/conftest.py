"""One real ``liaison serve --demo`` for the console's browser tests (SQLite, or a scratch
PostgreSQL database in the PostgreSQL pass), its console redirect URI on its own port."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from playwright.sync_api import Playwright, sync_playwright
from sqlalchemy.engine import make_url

from live_process import Served, environment_for, serving_process
from live_server import free_port


def _scratch_postgresql() -> tuple[str, str] | None:
    given = os.environ.get("LIAISON_TEST_DATABASE_URL", "")
    if not given.startswith("postgresql"):
        return None
    url = make_url(given)
    scratch = url.set(database=f"{url.database}_console")
    admin = url.set(drivername="postgresql")
    return scratch.render_as_string(hide_password=False), admin.render_as_string(
        hide_password=False
    )


async def _recreate(admin_url: str, name: str, *, create: bool) -> None:
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def console_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data_dir: Path = tmp_path_factory.mktemp("console-demo")
    postgresql = _scratch_postgresql()
    database_url = None
    name = ""
    if postgresql is not None:
        database_url, admin = postgresql
        name = make_url(database_url).database or ""
        asyncio.run(_recreate(admin, name, create=True))
    environment = environment_for(data_dir, database_url)
    port = free_port()
    environment["LIAISON_CONSOLE_REDIRECT_URIS"] = f"http://127.0.0.1:{port}/console/callback"
    try:
        with serving_process(["liaison", "serve", "--demo"], environment, port=port) as served:
            yield served
    finally:
        if postgresql is not None:
            asyncio.run(_recreate(postgresql[1], name, create=False))


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    # Playwright's sync API keeps an event loop running on this thread while it is open:
    # closed with the browser tests' module, so the async tests after them get theirs.
    with sync_playwright() as driver:
        yield driver
