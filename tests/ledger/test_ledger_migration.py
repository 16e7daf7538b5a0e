"""Migration 0017, written by hand, builds exactly what the models declare for the ledger
(the new tables, and the columns added to enterprises, grades and certificates) on the
database under test, and comes down again."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from liaison.db.engine import create_engine
from liaison.db.migrate import alembic_config, upgrade
from migration_checks import differences

NEW_TABLES = {"enterprise_alteration", "department_place"}
GROWN = {
    "enterprise": {"business_scope"},
    "safety_grade": {"self_assessment_score", "self_assessed_on"},
    "standardization_certificate": {"revoked_on", "revocation_reason"},
}


async def test_the_migrated_tables_are_the_models_tables(engine: AsyncEngine) -> None:
    assert await differences(engine, NEW_TABLES | set(GROWN)) == []


def test_the_migration_comes_down_and_goes_up_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'round-trip.db'}"
    upgrade(url)

    command.downgrade(alembic_config(url), "0016")
    after_downgrade = _columns(url)
    upgrade(url)
    after_upgrade = _columns(url)

    assert not NEW_TABLES & set(after_downgrade)
    for table, columns in GROWN.items():
        assert not columns & after_downgrade[table], table
        assert columns <= after_upgrade[table], table
    assert set(after_upgrade) >= NEW_TABLES


def _columns(url: str) -> dict[str, set[str]]:
    async def read() -> dict[str, set[str]]:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(
                    lambda c: {
                        table: {column["name"] for column in inspect(c).get_columns(table)}
                        for table in inspect(c).get_table_names()
                    }
                )
        finally:
            await engine.dispose()

    return asyncio.run(read())
