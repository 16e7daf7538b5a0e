"""Databases of a test's own, on the backend the suite runs on: a SQLite file in the
test's directory, or a scratch PostgreSQL database next to the suite's (created, migrated
and dropped by the test)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from liaison.db.migrate import upgrade


def on_postgresql() -> bool:
    return os.environ.get("LIAISON_TEST_DATABASE_URL", "").startswith("postgresql")


def _admin_url() -> str:
    url = make_url(os.environ["LIAISON_TEST_DATABASE_URL"])
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def _postgresql(statement: str) -> None:
    connection = await asyncpg.connect(_admin_url())
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@asynccontextmanager
async def scratch_database(
    directory: Path, label: str, *, migrated: bool = True
) -> AsyncIterator[str]:
    """The URL of a new, empty database (migrated to head unless ``migrated=False``)."""
    if on_postgresql():
        base = make_url(os.environ["LIAISON_TEST_DATABASE_URL"])
        name = f"{base.database}_{label}_{uuid.uuid4().hex[:8]}"
        await _postgresql(f'CREATE DATABASE "{name}"')
        url = base.set(database=name).render_as_string(hide_password=False)
    else:
        name = ""
        url = f"sqlite:///{(directory / f'{label}-{uuid.uuid4().hex[:8]}.db').as_posix()}"
    try:
        if migrated:
            await asyncio.to_thread(upgrade, url)
        yield url
    finally:
        if name:
            await _postgresql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
