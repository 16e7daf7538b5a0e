"""The audit chain's verification status, answered incrementally (``auditChain``).

A checkpoint (``audit_checkpoint``: seq, hash and time of the last event verified) is kept
in the database. Each call verifies the events after it — at most ``most`` of them, so one
request never walks a whole long chain — and moves it forward when they verify; events
appended since the last call are usually a handful.

Security contract: the checkpoint vouches for the events before it. An edit of an event
the checkpoint has passed is not seen here, except an edit of the checkpoint's own event
(its stored hash must still be the one verified, and its contents must still hash to it);
``liaison audit verify`` walks the whole chain and is what an auditor runs for that. A
checkpoint is only ever moved forward, and never past a broken link: once the chain is
broken after it, every call reports the break until the chain is repaired.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db.audit import (
    BrokenLink,
    event_hash,
    head_mismatch,
    load_events,
    utc,
    verify_segment,
)
from liaison.db.audit_models import AuditCheckpoint, AuditEvent, AuditHead

VERIFY_STEP: Final = 20_000


@dataclass(frozen=True, slots=True)
class ChainStatus:
    intact: bool
    checked_events: int  # events 1..checked_events verify (earlier calls' included)
    newly_checked: int  # of which this call walked
    head_seq: int
    head_hash: str
    broken: BrokenLink | None
    checked_at: dt.datetime

    @property
    def complete(self) -> bool:
        return self.intact and self.checked_events == self.head_seq


async def verify_incrementally(
    session: AsyncSession, *, most: int = VERIFY_STEP, now: dt.datetime | None = None
) -> ChainStatus:
    """Verifies up to ``most`` events after the checkpoint and moves it; the caller
    commits (rolling back loses only the checkpoint's progress)."""
    now = now or dt.datetime.now(dt.UTC)
    head = (
        await session.execute(select(AuditHead.seq, AuditHead.last_hash, AuditHead.compact_from))
    ).one()
    point = (
        await session.execute(
            select(AuditCheckpoint.seq, AuditCheckpoint.hash, AuditCheckpoint.occurred_at)
        )
    ).one()
    start, start_hash = int(point.seq), str(point.hash)
    start_at = utc(point.occurred_at) if point.occurred_at is not None else None

    def status(checked: int, walked: int, broken: BrokenLink | None) -> ChainStatus:
        return ChainStatus(
            intact=broken is None,
            checked_events=checked,
            newly_checked=walked,
            head_seq=int(head.seq),
            head_hash=str(head.last_hash),
            broken=broken,
            checked_at=now,
        )

    if start > 0:
        broken = await _checkpoint_event_altered(session, start, start_hash, head.compact_from)
        if broken is not None:
            return status(start - 1, 0, broken)
    through = min(int(head.seq), start + most)
    segment = await verify_segment(
        session,
        through_seq=through,
        first_compact=int(head.compact_from),
        after_seq=start,
        after_hash=start_hash,
        after_at=start_at,
    )
    if segment.broken is None and through == head.seq:
        mismatch = head_mismatch(segment, int(head.seq), str(head.last_hash))
        if mismatch is not None:
            return status(segment.checked, segment.walked, mismatch)
    if segment.checked > start:
        await session.execute(
            update(AuditCheckpoint)
            .where(AuditCheckpoint.id == 1, AuditCheckpoint.seq < segment.checked)
            .values(
                seq=segment.checked,
                hash=segment.last_hash,
                occurred_at=segment.last_at,
                checked_at=now,
            )
        )
    return status(segment.checked, segment.walked, segment.broken)


async def _checkpoint_event_altered(
    session: AsyncSession, seq: int, verified_hash: str, first_compact: int
) -> BrokenLink | None:
    stored = list(await session.scalars(select(AuditEvent).where(AuditEvent.seq == seq)))
    if not stored:
        return BrokenLink(seq, f"event {seq}, verified before, is missing")
    (event,) = await load_events(session, stored, index=False, first_compact=first_compact)
    if event.hash != verified_hash:
        return BrokenLink(seq, "stored hash is not the one verified at the checkpoint")
    recomputed = event_hash(
        event.seq, event.occurred_at, event.prev_hash, event.entry, legacy=event.legacy
    )
    if recomputed != event.hash:
        return BrokenLink(seq, "stored hash does not match the event's contents (altered row)")
    return None
