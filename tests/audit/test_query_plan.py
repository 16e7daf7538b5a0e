"""The auditors' typical question is answered from indexes, not by scanning every event
(PostgreSQL's plan over a trail of 20,000 events loaded and rolled back in the test;
SQLite's from its indexes)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.db.audit_log import AccessLogFilter, access_log_statement, seq_range

Sessions = async_sessionmaker[AsyncSession]
EVENTS = 20_000

# Synthetic rows straight into the tables (the chain is not the point here, and the
# transaction is rolled back): 2,000 enterprises, five an event.
_SYNTHETIC_TRAIL = (
    """INSERT INTO audit_event SELECT g, now() + g * interval '1 second', 'synthetic-' || g,
       's', (ARRAY['emergency', 'park', 'ecology', 'market'])[1 + g % 4], 'c', 'query', NULL,
       repeat('0', 64), repeat('0', 64), 'joint_inspection', NULL, 'ok', repeat('0', 64),
       md5('synthetic' || g) || md5(g::text)
       FROM generate_series(CAST(:low AS bigint), CAST(:high AS bigint)) AS g""",
    """INSERT INTO audit_disclosure SELECT g, 0,
       (ARRAY['customs', 'market', 'emergency'])[1 + g % 3], 'dangerous_chemical_entry',
       'cas_number', 'full', 1, 'memo', 1, 5, 'granted by memo'
       FROM generate_series(CAST(:low AS bigint), CAST(:high AS bigint)) AS g""",
    """INSERT INTO audit_enterprise SELECT DISTINCT
       'SYN' || lpad(((g * 5 + k) % 2000)::text, 15, '0'), g, 'customs',
       'dangerous_chemical_entry'
       FROM generate_series(CAST(:low AS bigint), CAST(:high AS bigint)) AS g,
            generate_series(0, 4) AS k""",
)


# The auditor's typical question, naming its own department as provider; and the same
# without naming it, which reads both its own operations and its parts of others'.
QUESTIONS = {
    "provider named": {"provider": "customs", "record_type": "dangerous_chemical_entry"},
    "provider implied": {"record_type": "dangerous_chemical_entry"},
}


@pytest.mark.parametrize("criteria", list(QUESTIONS.values()), ids=list(QUESTIONS))
async def test_who_read_an_enterprises_chemical_entries_this_month_is_answered_from_indexes(
    sessions: Sessions, criteria: dict[str, str]
) -> None:
    async with sessions() as session:
        if session.bind.dialect.name != "postgresql":
            plan = await _sqlite_plan(session, criteria)
            assert "USING COVERING INDEX sqlite_autoindex_audit_enterprise_1" in plan, plan
            assert "SCAN audit_enterprise" not in plan, plan
            assert "SCAN audit_event" not in plan, plan
            return
        async with session.begin():
            head = await session.scalar(text("SELECT seq FROM audit_head"))
            for statement in _SYNTHETIC_TRAIL:
                await session.execute(text(statement), {"low": head + 1, "high": head + EVENTS})
            await session.execute(text("ANALYZE audit_event, audit_disclosure, audit_enterprise"))
            question = AccessLogFilter(
                enterprise_uscc="SYN000000000000042",
                since=dt.datetime.now(dt.UTC) - dt.timedelta(days=30),
                **criteria,
            )
            seqs = await seq_range(session, question.since, question.until)
            assert seqs is not None
            statement = access_log_statement(
                question, visible_to="customs", seqs=seqs, before_seq=None, limit=51
            )
            sql = statement.compile(
                dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
            )
            plan = "\n".join((await session.execute(text(f"EXPLAIN {sql}"))).scalars())
            await session.rollback()

    assert "on pk_audit_enterprise" in plan, plan
    assert "Seq Scan" not in plan, plan


async def _sqlite_plan(session: AsyncSession, criteria: dict[str, str]) -> str:
    """SQLite's plan for the same question (its planner works from the schema's indexes; the
    suite's trail is small, so no rows are loaded)."""
    question = AccessLogFilter(enterprise_uscc="SYN000000000000042", **criteria)
    statement = access_log_statement(
        question, visible_to="customs", seqs=(1, 20_000), before_seq=None, limit=51
    )
    sql = statement.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})
    rows = await session.execute(text(f"EXPLAIN QUERY PLAN {sql}"))
    return "\n".join(str(row[-1]) for row in rows)
