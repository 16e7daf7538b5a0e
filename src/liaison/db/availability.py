"""Telling "the database is away" (restarting, unreachable, out of connections) from every
other failure: the first is answered 503 with a retry hint, the second is a bug."""

from __future__ import annotations

import sqlite3

import asyncpg
from sqlalchemy import exc as sa

UNAVAILABLE_MESSAGE = (
    "The database is unavailable right now; nothing was returned or changed. Retry in a "
    "few seconds."
)
RETRY_AFTER_SECONDS = 2

_DRIVER_CAUSES: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,  # cannot connect now, connection failure, ...
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.InterfaceError,
    asyncpg.AdminShutdownError,  # a restart or fast shutdown ended the session
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,  # starting up or in recovery
    asyncpg.TooManyConnectionsError,
    asyncpg.DiskFullError,  # could not extend a file: no space left on the device
    ConnectionError,
)


# SQLite's own "cannot now": the file is out of reach, another writer held the lock past the
# busy timeout, or its disk is full.
_SQLITE_AWAY = (
    "unable to open database file",
    "database is locked",
    "disk I/O error",
    "database or disk is full",
)


def database_unavailable(error: BaseException | None) -> bool:
    """True when ``error`` (or what caused it) says the database could not be reached or
    dropped the connection, rather than refused a statement."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, sa.DBAPIError) and error.connection_invalidated:
            return True
        if isinstance(error, sa.TimeoutError):  # no pooled connection came free in time
            return True
        if isinstance(error, _DRIVER_CAUSES):
            return True
        if isinstance(error, sqlite3.OperationalError) and str(error) in _SQLITE_AWAY:
            return True
        original = getattr(error, "orig", None)
        if isinstance(original, BaseException) and id(original) not in seen:
            error = original
            continue
        error = error.__cause__ or error.__context__
    return False
