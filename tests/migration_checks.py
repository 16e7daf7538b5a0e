"""What every hand-written migration test asks: that the migrated tables are exactly what
the models declare (alembic's comparison on the database under test: columns, types,
nullability, keys, indexes), and that the migration comes down and goes up again."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from liaison.db.engine import create_engine
from liaison.db.migrate import alembic_config, upgrade
from liaison.db.models import Base


async def differences(engine: AsyncEngine, tables: Collection[str]) -> list[Any]:
    """Alembic's differences between the database and the models, for ``tables`` only
    (each of them a table the models declare, so a misspelt name cannot make it vacuous)."""
    unknown = set(tables) - set(Base.metadata.tables)
    assert not unknown, f"no model declares {sorted(unknown)}"

    def ours(thing: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
        table = name if kind == "table" else getattr(getattr(thing, "table", None), "name", None)
        return table in tables

    def compare(connection: Any) -> list[Any]:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": ours}
        )
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as connection:
        return await connection.run_sync(compare)


def down_and_up(tmp_path: Path, revision: str) -> tuple[set[str], set[str]]:
    """The table names of a fresh SQLite database migrated to the head, then down to
    ``revision``, and after going up again."""
    url = f"sqlite:///{tmp_path / 'round-trip.db'}"
    upgrade(url)
    command.downgrade(alembic_config(url), revision)
    after_downgrade = table_names(url)
    upgrade(url)
    return after_downgrade, table_names(url)


def table_names(url: str) -> set[str]:
    async def names() -> set[str]:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
        finally:
            await engine.dispose()

    return asyncio.run(names())
