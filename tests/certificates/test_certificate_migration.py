"""Migration 0019, written by hand, builds exactly the tables the models declare (columns,
types, nullability, keys, indexes) on the database under test, and comes down again."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from liaison.db.engine import create_engine
from liaison.db.migrate import alembic_config, upgrade
from liaison.db.models import Base

TABLES = {
    "certificate",
    "certificate_event",
    "joint_discipline_entry",
    "joint_discipline_measure",
    "discipline_measure_rule",
}


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": _ours}
    )
    return list(compare_metadata(context, Base.metadata))


def _ours(thing: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
    table = name if kind == "table" else getattr(getattr(thing, "table", None), "name", None)
    return table in TABLES


async def test_the_migrated_tables_are_the_models_tables(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        differences = await connection.run_sync(_differences)

    assert differences == []


def test_the_migration_comes_down_and_goes_up_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'round-trip.db'}"
    upgrade(url)

    command.downgrade(alembic_config(url), "0018")
    after_downgrade = _table_names(url)
    upgrade(url)

    assert not TABLES & after_downgrade
    assert _table_names(url) >= TABLES


def _table_names(url: str) -> set[str]:
    async def names() -> set[str]:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
        finally:
            await engine.dispose()

    return asyncio.run(names())
