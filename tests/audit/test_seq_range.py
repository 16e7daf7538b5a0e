"""A period is turned into a range of seqs from the time index (seq order is time order):
events sharing the boundary's time are all inside, none before or after the period is."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.db.audit_log import seq_range

Sessions = async_sessionmaker[AsyncSession]
START = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)

# Twelve events after the trail's head, three at each second (rolled back at the end).
_EVENTS = """INSERT INTO audit_event SELECT :head + g,
    CAST(:start AS TIMESTAMPTZ) + ((g - 1) / 3) * interval '1 second', 'range-' || g, 's',
    'emergency', 'c', 'query', NULL, repeat('0', 64), repeat('0', 64), 'joint_inspection',
    NULL, 'ok', repeat('0', 64), md5('range' || g) || md5(g::text)
    FROM generate_series(1, 12) AS g"""
# (INSERT first: Python's sqlite3 opens a transaction only before a statement that starts
# with INSERT, so one that starts with WITH would be committed, not rolled back.)
_EVENTS_SQLITE = """INSERT INTO audit_event
    WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 12)
    SELECT :head + n,
    strftime('%Y-%m-%d %H:%M:%S', :start, '+' || ((n - 1) / 3) || ' seconds') || '.000000',
    'range-' || n,
    's', 'emergency', 'c', 'query', NULL, hex(zeroblob(32)), hex(zeroblob(32)),
    'joint_inspection', NULL, 'ok', hex(zeroblob(32)), printf('%064d', n) FROM g"""


async def test_a_period_covers_every_event_at_its_first_time_and_none_at_its_end(
    sessions: Sessions,
) -> None:
    async with sessions() as session, session.begin():
        head = int(await session.scalar(text("SELECT max(seq) FROM audit_event")) or 0)
        postgresql = session.bind.dialect.name == "postgresql"
        start = START if postgresql else START.strftime("%Y-%m-%d %H:%M:%S")
        await session.execute(
            text(_EVENTS if postgresql else _EVENTS_SQLITE), {"head": head, "start": start}
        )
        second = dt.timedelta(seconds=1)

        # Events head+1..3 at START, 4..6 at +1 s, 7..9 at +2 s, 10..12 at +3 s.
        within = await seq_range(session, START + second, START + 3 * second)
        from_middle = await seq_range(session, START + second / 2, None)
        none_after = await seq_range(session, START + 4 * second, None)
        none_before = await seq_range(session, None, dt.datetime(1999, 1, 1, tzinfo=dt.UTC))
        capped = await seq_range(session, START, None, upto=head + 5)
        await session.rollback()
    async with sessions() as session:
        left = await session.scalar(text("SELECT max(seq) FROM audit_event"))

    assert within == (head + 4, head + 9)
    assert from_middle == (head + 4, head + 12)
    assert none_after is None
    assert none_before is None
    assert capped == (head + 1, head + 5)
    assert int(left or 0) == head  # the trail is as it was
