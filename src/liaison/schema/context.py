from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db.attachments import AttachmentStore
from liaison.db.audit_writer import AuditWriter
from liaison.db.change_feed import ChangeFeed
from liaison.db.scope import RowAccess
from liaison.permissions.gate import Gate
from liaison.permissions.policy import GrantTerms
from liaison.permissions.principal import Principal

if TYPE_CHECKING:
    from liaison.schema.loaders import Loaders
    from liaison.schema.selection import Selection

T = TypeVar("T")


@dataclass
class Context:
    """Everything one request carries: who asks, for what purpose, and through which gate."""

    principal: Principal
    session: AsyncSession
    access: RowAccess
    purpose: str | None
    case_reference: str | None
    request_id: str
    grants_in_force: tuple[GrantTerms, ...] = ()
    # Where referral attachments are kept, and how large one may be (LIAISON_ATTACHMENT_DIR,
    # LIAISON_MAX_ATTACHMENT_BYTES).
    attachments: AttachmentStore = field(default_factory=AttachmentStore)
    # The process's group commit for the audit events of queries (db.audit_writer); with
    # none, a query's event is appended in the request's own transaction.
    audit_writer: AuditWriter | None = None
    # Subscriptions (websocket only): the feed that wakes them, and how to take the
    # caller's access afresh before each event, so an agreement change applies at once.
    changes: ChangeFeed | None = None
    renew_access: Callable[[Context], Awaitable[None]] | None = None
    # True while a subscription event is being executed and delivered: only then do the
    # gate, the audit and the record budget account for a streamed result.
    event_open: bool = False
    # A subscription resumed after the change it last delivered (the client's cursor), and
    # the change the event being delivered now stands for (sent back as its cursor).
    resume_after: int | None = None
    event_cursor: int | None = None
    gate: Gate | None = None
    # Gates of the records the operation's own logic read (a draw weighted by risks, the
    # grades that make inspections due): through the same decisions, into the same audit
    # event, never into the response. See schema.internal_reads.
    internal_gates: list[Gate] = field(default_factory=list)
    selection: Selection | None = None
    _loaders: Loaders | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def available_purposes(self) -> frozenset[str]:
        """Purposes for which some grant to the caller's department is in force."""
        return frozenset(p for grant in self.grants_in_force for p in grant.purposes)

    @property
    def department(self) -> str:
        return self.principal.department

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            from liaison.schema.loaders import Loaders

            self._loaders = Loaders(self)
        return self._loaders

    def gates(self) -> list[Gate]:
        """Every gate of the operation: the response's, then the internal reads'."""
        return [*([self.gate] if self.gate is not None else []), *self.internal_gates]

    def require_gate(self) -> Gate:
        if self.gate is None:  # pragma: no cover - the schema always installs the gate
            raise RuntimeError("the permission gate was not installed for this operation")
        return self.gate

    @asynccontextmanager
    async def database(self) -> AsyncIterator[AsyncSession]:
        """One statement at a time: dataloaders of different types run concurrently, but
        an ``AsyncSession`` must not."""
        async with self._lock:
            yield self.session

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        async with self.database() as session:
            return await work(session)
