"""What operational tables keep, and for how long. The audit chain is never pruned (it can
be archived, see ``db.audit_archive``); what is pruned here is bookkeeping whose use has
passed: the change feed beyond the time a subscription may resume from, revocations of
tokens that have expired, sign-ins past their absolute lifetime."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db import identity, models, people


@dataclass(frozen=True, slots=True)
class Pruned:
    record_changes: int
    revocations: int
    sign_ins: int


async def prune_record_changes(
    session: AsyncSession, *, older_than: dt.datetime, keep_last: bool = True
) -> int:
    """Forgets changes made before ``older_than``; the newest change is always kept, so a
    listener's cursor (the last change it has seen) still orders against the feed."""
    change = models.RecordChange
    condition = change.changed_at < older_than
    if keep_last:
        condition = condition & (change.seq < select(func.max(change.seq)).scalar_subquery())
    result = await session.execute(delete(change).where(condition))
    return int(getattr(result, "rowcount", 0) or 0)


async def prune(
    session: AsyncSession, *, now: dt.datetime, change_retention: dt.timedelta
) -> Pruned:
    """Everything this module prunes, in the caller's transaction."""
    return Pruned(
        record_changes=await prune_record_changes(session, older_than=now - change_retention),
        revocations=await identity.purge_revoked_tokens(session, now=now),
        sign_ins=await people.purge_sign_ins(session, now=now),
    )
