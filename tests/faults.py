"""Real faults injected into the database, for fail-closed tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

Sessions = async_sessionmaker[AsyncSession]

_SQLITE_BREAK = (
    "CREATE TRIGGER audit_event_unwritable BEFORE INSERT ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit storage unavailable (injected)'); END",
)
_SQLITE_MEND = ("DROP TRIGGER audit_event_unwritable",)
_POSTGRESQL_BREAK = (
    """CREATE FUNCTION audit_unwritable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit storage unavailable (injected)'; END $$""",
    "CREATE TRIGGER audit_event_unwritable BEFORE INSERT ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_unwritable()",
)
_POSTGRESQL_MEND = (
    "DROP TRIGGER audit_event_unwritable ON audit_event",
    "DROP FUNCTION audit_unwritable()",
)


@asynccontextmanager
async def audit_storage_unwritable(sessions: Sessions) -> AsyncIterator[None]:
    """For the duration of the block, every insert into audit_event fails in the database."""
    async with sessions() as session, session.begin():
        postgresql = session.bind.dialect.name == "postgresql"
        for statement in _POSTGRESQL_BREAK if postgresql else _SQLITE_BREAK:
            await session.execute(text(statement))
    try:
        yield
    finally:
        async with sessions() as session, session.begin():
            for statement in _POSTGRESQL_MEND if postgresql else _SQLITE_MEND:
                await session.execute(text(statement))
