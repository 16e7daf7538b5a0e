"""The change feed wakes a process's subscriptions when any process commits a change: at
once on PostgreSQL (LISTEN/NOTIFY), at the next poll on SQLite (and on PostgreSQL should
its listening connection be lost)."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.db.agreements import bump_policy_epoch
from liaison.db.change_feed import ChangeFeed
from liaison.db.changes import note_change
from scratch_databases import on_postgresql

Sessions = async_sessionmaker[AsyncSession]
SLOW_POLL = 30.0  # far longer than any wait below: only a notification can be that quick


async def woken_after(feed: ChangeFeed, sessions: Sessions, change: object) -> float:
    """Seconds from the commit of ``change`` (a coroutine function on a session) until a
    listener of ``feed`` is woken."""
    async with feed.listen() as listener:
        await listener.wait(5)  # the first wake-up every new listener gets
        await asyncio.sleep(0.2)  # the poller is now waiting
        started = time.monotonic()
        async with sessions() as session, session.begin():
            await change(session)  # type: ignore[operator]
        await listener.wait(10)
        return time.monotonic() - started


async def test_a_committed_change_wakes_listeners_of_another_feed(sessions: Sessions) -> None:
    feed = ChangeFeed(sessions, poll_seconds=SLOW_POLL if on_postgresql() else 0.2)
    try:

        async def change(session: AsyncSession) -> None:
            await note_change(session, "risk", 1)

        waited = await woken_after(feed, sessions, change)
    finally:
        await feed.close()

    # PostgreSQL: notified on commit, not at the poll 30 s away; SQLite: the next poll.
    assert waited < 5


async def test_a_policy_change_wakes_listeners_too(sessions: Sessions) -> None:
    feed = ChangeFeed(sessions, poll_seconds=SLOW_POLL if on_postgresql() else 0.2)
    try:
        waited = await woken_after(feed, sessions, bump_policy_epoch)
    finally:
        await feed.close()

    assert waited < 5


async def test_without_notifications_the_poll_still_wakes_listeners(sessions: Sessions) -> None:
    feed = ChangeFeed(sessions, poll_seconds=0.2, notifications=False)
    try:

        async def change(session: AsyncSession) -> None:
            await note_change(session, "risk", 2)

        waited = await woken_after(feed, sessions, change)
    finally:
        await feed.close()

    assert waited < 5
