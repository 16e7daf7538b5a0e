"""A per-principal budget of resolved records: a token bucket per (subject, department),
held in this process's memory and refilled every second.

An operation is charged, after it ran, the number of records the permission gate handed
out (every ``RecordView.keys`` entry: enterprises, entries, ratings, ...). A principal
whose bucket is empty is refused its next operation until the bucket has refilled above
zero; HTTP answers 429 with ``Retry-After``, a websocket an ``error`` message. The budget
is per process: N processes behind a load balancer allow up to N times the rate.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import StreamExecutionResult

from liaison.permissions.principal import Principal
from liaison.schema.context import Context

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
            bucket = self._refilled(self.key(principal), self.clock())
            if bucket.tokens > 0:
                return 0
            return max(1, math.ceil((-bucket.tokens + 1e-9) / self.per_second))

    def charge(self, principal: Principal, records: int) -> None:
        if not self.enabled or records <= 0:
            return
        with self._lock:
            self._refilled(self.key(principal), self.clock()).tokens -= records


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
