"""Rectification campaigns and their items: who may see each field, at a glance."""

from __future__ import annotations

from typing import Any

import strawberry

from liaison.db.rectification_models import ItemStatus, Measure, Outcome
from liaison.schema.reach import reached
from liaison.schema.scalars import Day
from liaison.schema.shared import shared
from liaison.schema.types.records import EnterpriseRef, _enterprise

strawberry.enum(Measure, name="RectificationMeasure")
strawberry.enum(ItemStatus, name="RectificationStatus")
strawberry.enum(
    Outcome,
    name="RectificationOutcome",
    description="RELOCATED and CANCELLED are recorded in the enterprise's dynamic ledger.",
)


async def _items(root: RectificationCampaign, info: strawberry.Info) -> list[Any]:
    rows: list[Any] = await info.context.loaders.children("rectification_item", "campaign").load(
        int(root.id)
    )
    reached(info.context, info.path, "rectification_item", rows)
    return rows


async def _campaign(root: RectificationItem, info: strawberry.Info) -> RectificationCampaign | None:
    found: list[RectificationCampaign] = await info.context.loaders.children(
        "rectification_campaign", "id"
    ).load(root.campaign_id)
    reached(info.context, info.path, "rectification_campaign", found)
    return found[0] if found else None


@strawberry.type(description="An enterprise listed in a rectification campaign.")
class RectificationItem:
    enterprise_id: strawberry.Private[int]
    campaign_id: strawberry.Private[int]
    id: strawberry.ID = shared("rectification_item.id")
    owner: str = shared("rectification_item.owner", "The campaign's owner.")
    enterprise: EnterpriseRef = shared("rectification_item.enterprise", resolver=_enterprise)
    campaign: RectificationCampaign | None = shared(
        "rectification_item.campaign", resolver=_campaign
    )
    measure: Measure | None = shared("rectification_item.measure")
    deadline: Day | None = shared("rectification_item.deadline")
    lead_department: str | None = shared("rectification_item.lead_department")
    status: ItemStatus | None = shared("rectification_item.status")
    overdue: bool | None = shared("rectification_item.overdue", "Past its deadline, not completed.")
    outcome: Outcome | None = shared("rectification_item.outcome")
    completed_on: Day | None = shared("rectification_item.completed_on")
    note: str | None = shared("rectification_item.note")


@strawberry.type(
    description="A rectification and elimination campaign in one zone (cluster upgrading). "
    "It belongs to no enterprise: only unscoped grants reach it."
)
class RectificationCampaign:
    id: strawberry.ID = shared("rectification_campaign.id")
    owner: str = shared("rectification_campaign.owner")
    title: str | None = shared("rectification_campaign.title")
    zone: str | None = shared("rectification_campaign.zone")
    basis: str | None = shared("rectification_campaign.basis", "The policy it carries out.")
    started_on: Day | None = shared("rectification_campaign.started_on")
    ends_on: Day | None = shared("rectification_campaign.ends_on")
    items: list[RectificationItem] = shared("rectification_campaign.items", resolver=_items)
