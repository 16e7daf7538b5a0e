"""The audit events the chain holds for one request, as the tests look them up."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.db.audit import ChainedEvent, load_events
from liaison.db.audit_log import index_pending
from liaison.db.audit_models import AuditEvent


async def events_for(
    sessions: async_sessionmaker[AsyncSession], request_id: str
) -> list[ChainedEvent]:
    """The events of one request, their records read from the index brought up to date
    first (as ``accessLog`` does)."""
    async with sessions() as session:
        async with session.begin():
            await index_pending(session)
        rows = list(
            await session.scalars(
                select(AuditEvent)
                .where(AuditEvent.request_id == request_id)
                .order_by(AuditEvent.seq)
            )
        )
        return await load_events(session, rows)
