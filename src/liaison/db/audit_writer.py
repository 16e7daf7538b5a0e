"""Group commit for the audit chain: the events of many concurrent reads appended in one
transaction, so that the chain's head is locked once for all of them.

The head's row lock (``db.audit.reserve_slot``) is held from the reservation to the commit,
and so across every round trip in between and every wait of the process's event loop
before each of them. Under load, with one append per request, those waits queue the
requests of every process behind one another on that lock (measured by ``bench/soak.py``:
half of fifty requests in flight were waiting for the lock). A writer per process takes
what has queued while its previous batch was being written, and writes it as one batch:
the lock is taken once per batch, not once per request.

Fail closed as before: :meth:`AuditWriter.append` returns once the event has committed,
and raises if it did not; the caller returns no data then. An event that fails within a
batch is retried alone, so one bad event cannot take the other answers with it.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from liaison.db.audit import AuditEntry, append_events
from liaison.db.engine import create_engine, session_factory

_MOST_PER_BATCH = 256


@dataclass(frozen=True, slots=True)
class _Waiting:
    entry: AuditEntry
    committed: asyncio.Future[int]


class AuditWriter:
    """Appends the audit events of one process's reads, a batch at a time.

    A server's writer has a connection of its own (:meth:`on_own_connection`): the
    requests waiting for their events hold connections of the request pool, which the
    writer must not wait for."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        most: int = _MOST_PER_BATCH,
        engine: AsyncEngine | None = None,
    ) -> None:
        self._sessions = sessions
        self._most = most
        self._queue: list[_Waiting] = []
        self._writing: asyncio.Task[None] | None = None
        self.engine = engine  # its own, disposed by close()

    @classmethod
    def on_own_connection(cls, database_url: str) -> AuditWriter:
        engine = create_engine(database_url, pool_size=1)
        return cls(session_factory(engine), engine=engine)

    async def append(self, entry: AuditEntry) -> int:
        """The event's seq, once it has committed."""
        waiting = _Waiting(entry, asyncio.get_running_loop().create_future())
        # Retrieved even when its caller has given up, so the loop does not log it.
        waiting.committed.add_done_callback(lambda f: f.cancelled() or f.exception())
        self._queue.append(waiting)
        if self._writing is None or self._writing.done():
            self._writing = asyncio.create_task(self._write_queued())
        # A caller that gives up (its client went away) leaves the event to be written.
        return await asyncio.shield(waiting.committed)

    async def close(self) -> None:
        """Writes what is queued, then lets its own connection go."""
        if self._writing is not None:
            with contextlib.suppress(Exception):
                await self._writing
        if self.engine is not None:
            await self.engine.dispose()

    async def _write_queued(self) -> None:
        batch: list[_Waiting] = []
        try:
            while self._queue:
                batch, self._queue = self._queue[: self._most], self._queue[self._most :]
                try:
                    await self._write(batch)
                except Exception:
                    if len(batch) == 1:
                        continue
                    for waiting in batch:
                        with contextlib.suppress(Exception):
                            await self._write([waiting])
        except BaseException as stopped:  # cancelled: nobody may be left waiting
            for waiting in [*batch, *self._queue]:
                _settle(waiting, error=stopped)
            self._queue = []
            raise

    async def _write(self, batch: list[_Waiting]) -> None:
        try:
            async with self._sessions() as session:
                seqs = await append_events(session, [w.entry for w in batch])
                await session.commit()
        except BaseException as error:
            if len(batch) == 1 or not isinstance(error, Exception):
                for waiting in batch:
                    _settle(waiting, error=error)
            raise
        for waiting, seq in zip(batch, seqs, strict=True):
            _settle(waiting, seq=seq)


def _settle(
    waiting: _Waiting, *, seq: int | None = None, error: BaseException | None = None
) -> None:
    if waiting.committed.done():
        return
    if error is not None:
        waiting.committed.set_exception(
            error if isinstance(error, Exception) else RuntimeError("audit writer stopped")
        )
    else:
        waiting.committed.set_result(int(seq or 0))
