"""Wakes subscriptions when the record-change feed or the policy epoch moves.

One poller per process asks the database for both marks while anyone listens, whichever
process made the change: on PostgreSQL as soon as a notification says they moved (every
change and every policy change sends one on commit, ``db.changes.notify_listeners``; this
process LISTENs on a connection of its own), and every ``poll_seconds`` in any case, which
on SQLite is the only way and on PostgreSQL covers a listening connection that was lost. A
woken listener reads what it has not seen yet from the database by its own cursor, so a
slow subscriber holds no queue in memory and misses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.db.changes import CHANNEL, feed_marks

log = logging.getLogger("liaison.changes")


class Listener:
    def __init__(self) -> None:
        self._moved = asyncio.Event()

    def wake(self) -> None:
        self._moved.set()

    async def wait(self, seconds: float | None) -> None:
        """Returns when the feed or the epoch has moved since the last wait, or after
        ``seconds``, whichever comes first."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._moved.wait()
        self._moved.clear()


class ChangeFeed:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        poll_seconds: float = 1.0,
        notifications: bool = True,
    ) -> None:
        """``notifications=False``: poll only, even on PostgreSQL."""
        self.sessions = sessions
        self.poll_seconds = poll_seconds
        self.notifications = notifications
        self._listeners: set[Listener] = set()
        self._joined: set[Listener] = set()
        self._poller: asyncio.Task[None] | None = None
        self._notified = asyncio.Event()
        self._notifications: asyncpg.Connection | None = None

    @property
    def listening(self) -> int:
        """Subscriptions waiting on this process's feed now."""
        return len(self._listeners)

    @contextlib.asynccontextmanager
    async def listen(self) -> AsyncIterator[Listener]:
        listener = Listener()
        self._listeners.add(listener)
        self._joined.add(listener)
        if self._poller is None or self._poller.done():
            self._poller = asyncio.create_task(self._poll(), name="liaison-change-feed")
        try:
            yield listener
        finally:
            self._listeners.discard(listener)
            self._joined.discard(listener)

    async def close(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        await self._stop_listening()

    async def _listen_for_notifications(self) -> None:
        """On PostgreSQL, a connection of this process's own that LISTENs (opened again
        at the next poll if it was lost)."""
        if not self.notifications or (
            self._notifications is not None and not self._notifications.is_closed()
        ):
            return
        bind = self.sessions.kw.get("bind")
        if bind is None or bind.dialect.name != "postgresql":
            return
        url = bind.url.set(drivername="postgresql").render_as_string(hide_password=False)
        try:
            connection = await asyncpg.connect(url)
            await connection.add_listener(CHANNEL, self._on_notification)
        except (OSError, asyncpg.PostgresError):
            log.warning("change feed: LISTEN unavailable, polling every %g s", self.poll_seconds)
            return
        self._notifications = connection

    def _on_notification(self, *_: object) -> None:
        self._notified.set()

    async def _stop_listening(self) -> None:
        connection, self._notifications = self._notifications, None
        if connection is not None and not connection.is_closed():
            with contextlib.suppress(OSError, asyncpg.PostgresError):
                await connection.close()

    async def _poll(self) -> None:
        marks: tuple[int, int] | None = None
        while self._listeners:
            await self._listen_for_notifications()
            try:
                async with self.sessions() as session:
                    now = await feed_marks(session)
            except Exception:  # the database is away: listeners wait, the poller retries
                log.exception("change feed poll failed; retrying")
            else:
                # A listener that joined since the last poll may have read its cursor just
                # before a change this poll is the first to see: it looks once more.
                woken = self._listeners if marks is not None and now != marks else self._joined
                for listener in list(woken):
                    listener.wake()
                self._joined = set()
                marks = now
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_seconds):
                    await self._notified.wait()
            self._notified.clear()
        await self._stop_listening()
