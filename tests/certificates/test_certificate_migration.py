"""Migration 0019, written by hand, builds exactly the tables the models declare (columns,
types, nullability, keys, indexes) on the database under test, and comes down again."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from migration_checks import differences, down_and_up

TABLES = {
    "certificate",
    "certificate_event",
    "joint_discipline_entry",
    "joint_discipline_measure",
    "discipline_measure_rule",
}


async def test_the_migrated_tables_are_the_models_tables(engine: AsyncEngine) -> None:
    assert await differences(engine, TABLES) == []


def test_the_migration_comes_down_and_goes_up_again(tmp_path: Path) -> None:
    after_downgrade, after_upgrade = down_and_up(tmp_path, "0018")

    assert not TABLES & after_downgrade
    assert after_upgrade >= TABLES
