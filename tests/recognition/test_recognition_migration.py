"""Migration 0018, written by hand, builds exactly the tables the models declare (columns,
types, nullability, keys, indexes) on the database under test, seeds the rule table, and
comes down again."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from liaison.db.engine import create_engine
from liaison.db.migrate import alembic_config, upgrade
from liaison.db.models import Base
from liaison.db.recognition_models import InspectionRule

TABLES = {"recognition", "inspection_rule"}


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


async def test_the_rule_table_is_seeded_with_a_default_for_every_department_kind(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as connection:
        defaults = set(
            (
                await connection.execute(
                    select(InspectionRule.department_kind).where(
                        InspectionRule.scheme == "default", InspectionRule.grade == "unknown"
                    )
                )
            ).scalars()
        )
        count = await connection.scalar(select(func.count()).select_from(InspectionRule))

    assert defaults == {
        "customs",
        "emergency_management",
        "market_supervision",
        "park_committee",
        "ecology_environment",
    }
    assert count == 25


def test_the_migration_comes_down_and_goes_up_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'round-trip.db'}"
    upgrade(url)

    command.downgrade(alembic_config(url), "0017")
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
