"""A zone's rectification progress, counted from the records the caller may see (read
through the gate, audited with the operation), and its overdue items."""

from __future__ import annotations

from collections import Counter

import strawberry

from liaison.db.records import fetch_records
from liaison.db.rectification_models import (
    ItemStatus,
    Measure,
    RectificationCampaign,
    RectificationItem,
)
from liaison.db.tables import RECORD_TABLES
from liaison.schema.context import Context
from liaison.schema.errors import forbidden
from liaison.schema.internal_reads import read_records
from liaison.schema.materialize import materialize
from liaison.schema.reach import reached
from liaison.schema.types.rectification import RectificationItem as ItemType

Info = strawberry.Info[Context, None]
C, I = RectificationCampaign, RectificationItem  # noqa: E741 - as filters.py names tables

_MEASURES = [m.value for m in Measure]


@strawberry.type(description="Items of one measure in a zone's campaigns.")
class MeasureProgress:
    measure: Measure
    items: int
    completed: int
    overdue: int


@strawberry.type(
    description="How a zone's campaigns stand, counted from what you may see: an item whose "
    "status (or measure, or overdue) is not shared with you is counted in `items` and "
    "`undisclosed`, and nowhere it would need that value."
)
class RectificationProgress:
    zone: str
    campaigns: int
    items: int
    listed: int
    in_progress: int
    completed: int
    overdue: int
    undisclosed: int
    by_measure: list[MeasureProgress]
    campaign_ids: strawberry.Private[list[int]]

    @strawberry.field(
        description="The zone's overdue items, oldest deadline last: past their deadline and "
        "not completed. Needs `overdue` shared at full by every department in view."
    )
    async def overdue_items(self, info: Info) -> list[ItemType] | None:
        context = info.context
        gate = context.require_gate()
        providers = list(context.access.policy.providers("rectification_item"))
        if gate.not_fully_granted("rectification_item", ["overdue"], providers):
            raise forbidden(
                "The overdue list is found by rectification_item.overdue, which not every "
                "department whose items are in view shares with you at full level.",
                elements=["rectification_item.overdue"],
            )
        table = RECORD_TABLES["rectification_item"]
        async with context.database() as session:
            rows = await fetch_records(
                session,
                context.access,
                "rectification_item",
                gate.selected_fields("rectification_item"),
                where=[table.columns["campaign"].in_(self.campaign_ids), table.columns["overdue"]],
            )
        built: list[ItemType] = materialize(
            gate, context.access.directory.codes, "rectification_item", rows
        )
        reached(context, info.path, "rectification_item", built)
        return built


async def zone_progress(info: Info, zone: str) -> RectificationProgress:
    context = info.context
    gate = context.require_gate()
    owners = list(context.access.policy.providers("rectification_campaign"))
    if gate.not_fully_granted("rectification_campaign", ["zone"], owners):
        raise forbidden(
            "Progress by zone is found by rectification_campaign.zone, which not every "
            "department whose campaigns are in view shares with you at full level.",
            elements=["rectification_campaign.zone"],
        )
    # Read through the gate, audited with the operation: counted only as far as visible.
    campaigns = await read_records(
        context, "rectification_campaign", ["zone"], where=[C.zone == zone]
    )
    ids = [int(c.id) for c in campaigns]
    items = await read_records(
        context,
        "rectification_item",
        ["measure", "status", "overdue"],
        where=[I.campaign_id.in_(ids)],
    )
    statuses = Counter(i.status for i in items if i.status is not None)
    measures: dict[str, Counter[str]] = {}
    for item in items:
        if item.measure is not None:
            tally = measures.setdefault(item.measure, Counter())
            tally["items"] += 1
            tally["completed"] += item.status == ItemStatus.COMPLETED
            tally["overdue"] += item.overdue is True
    return RectificationProgress(
        zone=zone,
        campaigns=len(campaigns),
        items=len(items),
        listed=statuses[ItemStatus.LISTED],
        in_progress=statuses[ItemStatus.IN_PROGRESS],
        completed=statuses[ItemStatus.COMPLETED],
        overdue=sum(1 for i in items if i.overdue is True),
        undisclosed=sum(
            1 for i in items if i.status is None or i.measure is None or i.overdue is None
        ),
        by_measure=[
            MeasureProgress(
                measure=Measure(measure),
                items=tally["items"],
                completed=tally["completed"],
                overdue=tally["overdue"],
            )
            for measure, tally in sorted(measures.items(), key=lambda m: _MEASURES.index(m[0]))
        ],
        campaign_ids=ids,
    )
