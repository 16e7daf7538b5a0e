"""Migration 0018, written by hand, builds exactly the tables the models declare (columns,
types, nullability, keys, indexes) on the database under test, seeds the rule table, and
comes down again."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from liaison.db.recognition_models import InspectionRule
from migration_checks import differences, down_and_up

TABLES = {"recognition", "inspection_rule"}


async def test_the_migrated_tables_are_the_models_tables(engine: AsyncEngine) -> None:
    assert await differences(engine, TABLES) == []


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
    after_downgrade, after_upgrade = down_and_up(tmp_path, "0017")

    assert not TABLES & after_downgrade
    assert after_upgrade >= TABLES
