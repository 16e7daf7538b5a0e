"""The record-change feed in the database: mutations append to it, subscriptions read it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db import models

_CHANGE = models.RecordChange


@dataclass(frozen=True, slots=True)
class Change:
    seq: int
    record_type: str
    record_id: int


CHANNEL = "liaison_changes"
_NOTIFY = text(f"SELECT pg_notify('{CHANNEL}', '')")


async def note_change(session: AsyncSession, record_type: str, record_id: int) -> None:
    """Call in the mutation's own transaction, which holds the writers' lock
    (``db.audit.hold_writes``)."""
    change = insert(_CHANGE).values(
        record_type=record_type, record_id=record_id, changed_at=dt.datetime.now(dt.UTC)
    )
    if session.get_bind().dialect.name != "postgresql":
        await session.execute(change)
        return
    # The row and the notification in one round trip: a mutation holds the writers' lock
    # through each of its round trips.
    noted = change.returning(_CHANGE.seq).cte("noted")
    await session.execute(select(func.pg_notify(CHANNEL, "")).select_from(noted))


async def notify_listeners(session: AsyncSession) -> None:
    """On PostgreSQL, tells every process listening (see ``db.change_feed``) that the feed
    or the policy epoch moved, when this transaction commits (PostgreSQL delivers one
    notification per transaction however often it is asked). Elsewhere they poll."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(_NOTIFY)


async def last_change(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.coalesce(func.max(_CHANGE.seq), 0))) or 0)


async def feed_marks(session: AsyncSession) -> tuple[int, int]:
    """The last change and the policy epoch, in one round trip: what a poller compares."""
    epoch = select(models.PolicyEpoch.epoch).where(models.PolicyEpoch.id == 1).scalar_subquery()
    last = select(func.coalesce(func.max(_CHANGE.seq), 0)).scalar_subquery()
    row = (await session.execute(select(last, epoch))).one()
    return int(row[0] or 0), int(row[1] or 0)


async def changes_after(
    session: AsyncSession, seq: int, record_type: str, *, limit: int
) -> Sequence[Change]:
    rows = await session.execute(
        select(_CHANGE.seq, _CHANGE.record_type, _CHANGE.record_id)
        .where(_CHANGE.seq > seq, _CHANGE.record_type == record_type)
        .order_by(_CHANGE.seq)
        .limit(limit)
    )
    return [Change(int(r.seq), str(r.record_type), int(r.record_id)) for r in rows]


async def resume_problem(session: AsyncSession, after: int) -> str | None:
    """Why a subscription cannot resume after change ``after`` (None: it can): the changes
    that followed it were pruned, or the feed never held it."""
    first, last = (
        await session.execute(select(func.min(_CHANGE.seq), func.max(_CHANGE.seq)))
    ).one()
    if after > (last or 0):
        return "This cursor names no change the feed ever held: subscribe without resumeAfter."
    if first is not None and after + 1 < first:
        return (
            "The changes after this cursor are no longer kept (the feed keeps them for the "
            "retention period): subscribe without resumeAfter, and read what you missed with "
            "a query."
        )
    return None


async def changes_among(
    session: AsyncSession, seq: int, record_types: Collection[str], *, limit: int
) -> Sequence[Change]:
    """:func:`changes_after` for several record types at once, in commit order."""
    rows = await session.execute(
        select(_CHANGE.seq, _CHANGE.record_type, _CHANGE.record_id)
        .where(_CHANGE.seq > seq, _CHANGE.record_type.in_(sorted(record_types)))
        .order_by(_CHANGE.seq)
        .limit(limit)
    )
    return [Change(int(r.seq), str(r.record_type), int(r.record_id)) for r in rows]
