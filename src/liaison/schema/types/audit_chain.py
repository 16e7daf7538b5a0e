"""The audit chain's verification status, as auditors read it."""

from __future__ import annotations

import datetime as dt

import strawberry

from liaison.db.audit_checkpoint import ChainStatus


@strawberry.type(
    description="Whether the hash-chained audit trail verifies: every event's hash, link, "
    "position and time, checked incrementally from a verified checkpoint (the full walk is "
    "`liaison audit verify`)."
)
class AuditChainStatus:
    intact: bool = strawberry.field(
        description="No broken link among the events checked (and, once every event is "
        "checked, the head ends where the chain does)."
    )
    checked_events: int = strawberry.field(
        description="Events 1 to this one verify: those of earlier checks, vouched for by "
        "the checkpoint, and those checked now."
    )
    newly_checked: int = strawberry.field(description="Events this request verified.")
    complete: bool = strawberry.field(description="Intact, and every event up to the head checked.")
    head_seq: int = strawberry.field(description="Events in the chain.")
    head_hash: str = strawberry.field(description="The last event's hash (SHA-256, hex).")
    broken_at: int | None = strawberry.field(description="The first event that does not verify.")
    reason: str | None = strawberry.field(description="Why it does not.")
    checked_at: dt.datetime

    @classmethod
    def of(cls, status: ChainStatus) -> AuditChainStatus:
        return cls(
            intact=status.intact,
            checked_events=status.checked_events,
            newly_checked=status.newly_checked,
            complete=status.complete,
            head_seq=status.head_seq,
            head_hash=status.head_hash,
            broken_at=status.broken.seq if status.broken else None,
            reason=status.broken.reason if status.broken else None,
            checked_at=status.checked_at,
        )
