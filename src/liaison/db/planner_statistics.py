"""The query planner's statistics, gathered at once after a bulk load.

A database just filled by ``liaison demo`` or ``liaison restore`` (``pg_restore`` brings
no statistics) has none until autovacuum gets round to it, up to minutes later, and until
then PostgreSQL plans every keyset page as if each table held a row or two: a page of 50
dangerous-chemical entries sorted all 3,000 of the demo's (3.3 ms) instead of walking the
primary key (0.24 ms), measured under ``bench/soak.py``'s load.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


async def gather_statistics(engine: AsyncEngine) -> None:
    """``ANALYZE`` every table (PostgreSQL and SQLite alike)."""
    async with engine.begin() as connection:
        await connection.execute(text("ANALYZE"))
