"""A rectification campaign's rules, as plain functions on a session: items move LISTED →
IN_PROGRESS → COMPLETED, completion states an outcome the item's measure allows, and an
outcome that ends the enterprise's life in the zone (RELOCATED, CANCELLED) is appended to
its dynamic ledger in the same transaction, under the ledger's own transition rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db import models
from liaison.db.models import LifecycleKind
from liaison.db.rectification_models import (
    ItemStatus,
    Measure,
    Outcome,
    RectificationCampaign,
    RectificationItem,
)
from liaison.db.rules import LIFECYCLE_TRANSITIONS

ITEM_TRANSITIONS: dict[str, frozenset[str]] = {
    ItemStatus.LISTED: frozenset({ItemStatus.IN_PROGRESS}),
    ItemStatus.IN_PROGRESS: frozenset({ItemStatus.COMPLETED}),
    ItemStatus.COMPLETED: frozenset(),
}

# What each measure may end in: a failed rectification, relocation or merger ends in
# shutdown (the enterprise is cancelled).
OUTCOMES: dict[str, frozenset[str]] = {
    Measure.RECTIFICATION: frozenset({Outcome.RECTIFIED, Outcome.CANCELLED}),
    Measure.RELOCATION: frozenset({Outcome.RELOCATED, Outcome.CANCELLED}),
    Measure.MERGER: frozenset({Outcome.MERGED, Outcome.CANCELLED}),
    Measure.SHUTDOWN: frozenset({Outcome.CANCELLED}),
}

# The ledger event an outcome appends (the others leave the ledger as it is).
LEDGER_KIND: dict[str, LifecycleKind] = {
    Outcome.RELOCATED: LifecycleKind.RELOCATED,
    Outcome.CANCELLED: LifecycleKind.CANCELLED,
}


@dataclass(frozen=True)
class ItemSpec:
    enterprise_id: int
    measure: str
    deadline: dt.date
    lead_department_id: int
    note: str | None


async def launch_campaign(
    session: AsyncSession,
    *,
    owner_id: int,
    title: str,
    zone: str,
    basis: str,
    started_on: dt.date,
    ends_on: dt.date,
    items: Sequence[ItemSpec],
) -> tuple[int, list[int]]:
    campaign = RectificationCampaign(
        owner_department_id=owner_id,
        title=title,
        zone=zone,
        basis=basis,
        started_on=started_on,
        ends_on=ends_on,
    )
    session.add(campaign)
    await session.flush()
    rows = [
        RectificationItem(
            campaign_id=campaign.id,
            owner_department_id=owner_id,
            enterprise_id=item.enterprise_id,
            measure=item.measure,
            deadline=item.deadline,
            lead_department_id=item.lead_department_id,
            status=ItemStatus.LISTED.value,
            note=item.note,
        )
        for item in items
    ]
    session.add_all(rows)
    await session.flush()
    return campaign.id, [row.id for row in rows]


def ledger_refusal(status: str, kind: LifecycleKind) -> str | None:
    """Why the ledger cannot record ``kind`` for an enterprise now ``status``, or None."""
    if kind in LIFECYCLE_TRANSITIONS[status]:
        return None
    return f"the ledger cannot record {kind.value} for an enterprise {status}"


async def derive_status(session: AsyncSession, enterprise_id: int) -> None:
    """The enterprise's status and its date, from its latest ledger event (as the ledger's
    own mutation derives them)."""
    event = models.LifecycleEvent
    latest = (
        await session.execute(
            select(event.kind, event.effective_on)
            .where(event.enterprise_id == enterprise_id)
            .order_by(event.effective_on.desc(), event.id.desc())
            .limit(1)
        )
    ).one()
    enterprise = await session.get_one(models.Enterprise, enterprise_id)
    enterprise.status, enterprise.status_since = latest.kind, latest.effective_on


async def complete_item(
    session: AsyncSession,
    item: RectificationItem,
    *,
    outcome: str,
    on: dt.date,
    document_number: str | None,
) -> int | None:
    """Completes the item; appends the ledger event its outcome calls for, owned by the
    campaign's owner (the park committee keeps the ledger with the registry). Callers check
    the transition, the outcome and the ledger first. Returns the event's id, if any."""
    item.status = ItemStatus.COMPLETED.value
    item.outcome = outcome
    item.completed_on = on
    kind = LEDGER_KIND.get(outcome)
    if kind is None:
        await session.flush()
        return None
    event = models.LifecycleEvent(
        enterprise_id=item.enterprise_id,
        owner_department_id=item.owner_department_id,
        kind=kind.value,
        effective_on=on,
        document_number=document_number or "",
        note=f"rectification campaign {item.campaign_id}, item {item.id}: {outcome}",
    )
    session.add(event)
    await session.flush()
    item.lifecycle_event_id = event.id
    await derive_status(session, item.enterprise_id)
    await session.flush()
    return event.id
