"""Engines and sessions. Ordinary URLs in, async drivers out."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}


class UnsupportedDatabase(ValueError):
    """A database URL whose backend is neither SQLite nor PostgreSQL."""


def async_url(url: str | URL) -> URL:
    """``sqlite:///liaison.db`` and ``postgresql://...`` become their asyncio drivers' URLs."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in _ASYNC_DRIVERS:
        raise UnsupportedDatabase(
            f"unsupported database {backend!r}: use a sqlite:/// or postgresql:// URL"
        )
    return parsed.set(drivername=_ASYNC_DRIVERS[backend])


def create_engine(url: str | URL, *, pool_size: int = 10) -> AsyncEngine:
    target = async_url(url)
    options: dict[str, Any] = {}
    options["pool_size"] = pool_size
    options["max_overflow"] = pool_size
    # No ping per checkout (a round trip on every request): a connection a restarted
    # server dropped fails its statement, the pool is invalidated, the next request
    # reconnects. Recycling bounds how long an idle connection is trusted.
    options["pool_recycle"] = 1800
    engine = create_async_engine(target, **options)
    if target.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers proceed during a write; synchronous=FULL makes every commit, audit
    # events included, durable before the data it guards is returned.
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "synchronous=FULL",
        "foreign_keys=ON",
        "busy_timeout=10000",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def statement_interrupter(session: AsyncSession) -> Callable[[], None] | None:
    """What stops the statement ``session`` will be running, for a caller that may give up
    on it; taken beforehand, since giving up invalidates (and closes) the session's
    connection.

    A cancelled asyncpg query is cancelled on the server: nothing to do (None). aiosqlite
    runs a statement in its own thread to the end whatever happens to the task awaiting it,
    holding the connection (and SQLite's write lock) meanwhile; ``sqlite3``'s interrupt,
    safe to call from any thread, makes it stop at once.
    """
    if session.get_bind().dialect.name != "sqlite":
        return None
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    # aiosqlite.Connection keeps the sqlite3 connection it runs in its thread as ``_conn``.
    sqlite_connection: sqlite3.Connection = raw.driver_connection._conn  # type: ignore[union-attr]
    return sqlite_connection.interrupt
