"""Admission: how many GraphQL operations over HTTP one server process executes at once
(``LIAISON_MAX_CONCURRENT_OPERATIONS``); the others wait their turn, in arrival order,
before they open a transaction.

Why: a server process is one event loop. Every operation it executes takes its turn on
the loop after each database round trip, so with fifty in flight each round trip of each
of them waited behind the others' work, and a mutation, which holds the writers' lock that
every process's mutations need (``db.audit.hold_writes``), held it through all those
waits: mutations queued for a second and more behind one another (``bench/soak.py``, 50
clients, 2 processes, 2 cores). With six at a time per process, the mixed load's p95 fell
by half at the same throughput.

A mutation waiting for the writers' lock keeps its place: letting it step out, so that
reads took its place, was measured too, and made the lock's holder slower (mutations'
p50 1.8 s), since it then shared the loop with more work.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class Admission:
    """``most`` operations at a time (0: no limit)."""

    def __init__(self, most: int) -> None:
        self.most = most
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @asynccontextmanager
    async def admitted(self) -> AsyncIterator[None]:
        slots = self._of_this_loop()
        if slots is None:
            yield
            return
        # asyncio's semaphore wakes its waiters in the order they came.
        async with slots:
            yield

    def _of_this_loop(self) -> asyncio.Semaphore | None:
        # A semaphore belongs to one event loop; an app served by several (tests) gets one
        # for each.
        if self.most <= 0:
            return None
        loop = asyncio.get_running_loop()
        if self._slots is None or self._loop is not loop:
            self._slots, self._loop = asyncio.Semaphore(self.most), loop
        return self._slots
