"""A per-principal budget of resolved records: a token bucket per (subject, department),
refilled continuously.

An operation is charged, after it ran, the number of records the permission gate handed
out (every ``RecordView.keys`` entry: enterprises, entries, ratings, ...). A principal
whose bucket is empty is refused its next operation until the bucket has refilled above
zero; HTTP answers 429 with ``Retry-After``, a websocket an ``error`` message.

Each process decides from its own buckets, in memory. Where several processes share one
PostgreSQL (:meth:`RecordBudget.share_continuously` in the app's lifespan), each one also
charges what it spent to the shared budget (``db.record_budget``) every ``sync_seconds``
and takes back what is left, others' spending included: a principal cannot get N budgets
from N processes; between two syncs the processes together may let through at most what
each of them lets through in one interval. On SQLite (one process) the budget stays in
memory.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import StreamExecutionResult

from liaison.db.record_budget import shared_left, sync_spending
from liaison.permissions.principal import Principal
from liaison.schema.context import Context

log = logging.getLogger("liaison.budget")

RATE_LIMITED = "RATE_LIMITED"
_PRUNE_AT = 10_000


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RecordBudget:
    """``records_per_minute`` refilled continuously, at most one minute's worth banked.
    Zero records per minute means no limit."""

    def __init__(
        self, records_per_minute: int, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.capacity = float(records_per_minute)
        self.per_second = records_per_minute / 60.0
        self.clock = clock
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._lock = threading.Lock()
        # Since the last sync with the shared budget: records charged here, by principal
        # (principals only looked at are there with 0, so others' spending comes back).
        self._unsynced: dict[tuple[str, str], float] = {}
        self.shared = False  # set while share_continuously runs

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    @staticmethod
    def key(principal: Principal) -> tuple[str, str]:
        return (principal.department, principal.subject)

    def _refilled(self, key: tuple[str, str], now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= _PRUNE_AT:
                self._prune(now)
            bucket = self._buckets[key] = _Bucket(self.capacity, now)
        else:
            bucket.tokens = min(
                self.capacity, bucket.tokens + (now - bucket.updated) * self.per_second
            )
            bucket.updated = now
        return bucket

    def _prune(self, now: float) -> None:
        """Forget principals whose bucket has refilled: they would start full anyway."""
        for key, bucket in list(self._buckets.items()):
            if bucket.tokens + (now - bucket.updated) * self.per_second >= self.capacity:
                del self._buckets[key]

    def retry_after(self, principal: Principal) -> int:
        """0 when the principal may go on; otherwise whole seconds until it may."""
        if not self.enabled:
            return 0
        with self._lock:
            key = self.key(principal)
            bucket = self._refilled(key, self.clock())
            self._unsynced.setdefault(key, 0.0)
            if bucket.tokens > 0:
                return 0
            return max(1, math.ceil((-bucket.tokens + 1e-9) / self.per_second))

    def charge(self, principal: Principal, records: int) -> None:
        if not self.enabled or records <= 0:
            return
        with self._lock:
            key = self.key(principal)
            self._refilled(key, self.clock()).tokens -= records
            self._unsynced[key] = self._unsynced.get(key, 0.0) + records

    async def sync(self, session: AsyncSession) -> None:
        """Charges what was spent here since the last sync to the shared budget and takes
        back, for every principal seen, what is left there (others' spending included),
        less what was spent here meanwhile. The caller commits."""
        if not self.enabled:
            return
        with self._lock:
            spent, self._unsynced = self._unsynced, {}
        left = await sync_spending(
            session,
            {_shared_key(key): records for key, records in spent.items()},
            capacity=self.capacity,
            per_second=self.per_second,
        )
        with self._lock:
            now = self.clock()
            for key in spent:
                bucket = self._refilled(key, now)
                bucket.tokens = left[_shared_key(key)] - self._unsynced.get(key, 0.0)

    async def learn(self, principal: Principal, sessions: async_sessionmaker[AsyncSession]) -> None:
        """On a shared budget, a principal this process has not seen yet starts from what
        the shared budget has left for it (one indexed read), not from a full bucket: a
        new process does not hand out a fresh burst to someone who spent it elsewhere."""
        key = self.key(principal)
        if not (self.shared and self.enabled) or key in self._buckets:
            return
        async with sessions() as session:
            left = await shared_left(
                session, _shared_key(key), capacity=self.capacity, per_second=self.per_second
            )
        with self._lock:
            if key not in self._buckets:
                tokens = self.capacity if left is None else left
                self._buckets[key] = _Bucket(tokens, self.clock())

    async def share_continuously(
        self, sessions: async_sessionmaker[AsyncSession], *, sync_seconds: float = 1.0
    ) -> None:
        """Keeps this process's buckets in step with the shared budget (run it as a task
        of the app's lifespan on PostgreSQL). A failed sync keeps deciding from memory (the
        spending is charged at the next one) and is logged."""
        self.shared = True
        while True:
            await asyncio.sleep(sync_seconds)
            try:
                async with sessions() as session, session.begin():
                    await self.sync(session)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("record budget: sync with the shared budget failed")


def _shared_key(key: tuple[str, str]) -> str:
    department, subject = key
    return f"{department}/{subject}"  # department codes hold no "/"


def rate_limited_error(retry_after: int, records_per_minute: float) -> GraphQLError:
    return GraphQLError(
        f"Too many records resolved: your budget is {records_per_minute:g} records a minute. "
        f"Retry in {retry_after} second(s).",
        extensions={"code": RATE_LIMITED, "retryAfterSeconds": retry_after},
    )


class ChargeResolvedRecords(SchemaExtension):
    """Charges each operation, on either transport, for the records it resolved."""

    def __init__(self, *, budget: RecordBudget) -> None:
        self.budget = budget

    def on_execute(self) -> Iterator[None]:
        yield
        self._charge()

    def on_stream_result(self, result: StreamExecutionResult) -> Iterator[None]:
        context = self.execution_context.context
        if isinstance(context, Context) and context.event_open:
            self._charge()  # a subscription event; its operation was charged by on_execute
        yield

    def _charge(self) -> None:
        context = self.execution_context.context
        if isinstance(context, Context) and context.gate is not None:
            records = sum(len(view.keys) for gate in context.gates() for view in gate.views())
            self.budget.charge(context.principal, records)
