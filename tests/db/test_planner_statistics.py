"""After a bulk load the planner's statistics are there at once (``liaison demo`` and
``liaison restore`` gather them): without them PostgreSQL plans keyset pages as if the
tables were empty, until autovacuum's first round."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from liaison.db.demo.generate import populate
from liaison.db.engine import create_engine
from liaison.db.planner_statistics import gather_statistics
from scratch_databases import scratch_database

STATISTICS = {
    # The row count the planner believes (-1 on PostgreSQL: never gathered).
    "postgresql": "SELECT reltuples FROM pg_class WHERE relname = 'dangerous_chemical_entry'",
    # sqlite_stat1's first figure for a table's index is the table's row count.
    "sqlite": "SELECT max(CAST(stat AS INTEGER)) FROM sqlite_stat1 "
    "WHERE tbl = 'dangerous_chemical_entry'",
}


async def test_the_planner_knows_how_many_rows_a_bulk_loaded_table_holds(tmp_path: Path) -> None:
    async with scratch_database(tmp_path, "statistics") as url:
        engine = create_engine(url)
        try:
            await populate(engine, enterprises=60, seed=7)
            async with engine.connect() as connection:
                dialect = connection.dialect.name
                rows = await connection.scalar(
                    text("SELECT count(*) FROM dangerous_chemical_entry")
                )
            await gather_statistics(engine)
            async with engine.connect() as connection:
                believed = await connection.scalar(text(STATISTICS[dialect]))
        finally:
            await engine.dispose()
    assert rows is not None
    assert rows > 0
    assert believed == rows
