"""Rectification and elimination campaigns, read: one by id, lists with their filters (the
overdue list among them), and a zone's progress (schema.rectification_progress). Written by
schema.rectification_mutations."""

from __future__ import annotations

import strawberry

from liaison.db.rectification_models import (
    ItemStatus,
    Measure,
    RectificationCampaign,
    RectificationItem,
)
from liaison.db.tables import RECORD_TABLES
from liaison.schema.context import Context
from liaison.schema.filters import Criterion, _enterprise_is, _uscc
from liaison.schema.one_record import one_record
from liaison.schema.pagination import Connection, parse_record_id
from liaison.schema.queries import record_page
from liaison.schema.rectification_progress import RectificationProgress, zone_progress
from liaison.schema.types.rectification import (
    RectificationCampaign as CampaignType,
)
from liaison.schema.types.rectification import (
    RectificationItem as ItemType,
)

Info = strawberry.Info[Context, None]


@strawberry.input(description="All given conditions must hold.")
class RectificationCampaignFilter:
    zone: str | None = None
    owner: str | None = None


@strawberry.input(description="All given conditions must hold.")
class RectificationItemFilter:
    campaign: strawberry.ID | None = None
    enterprise_uscc: str | None = None
    owner: str | None = None
    measure: Measure | None = None
    status: ItemStatus | None = None
    overdue: bool | None = None


C = RectificationCampaign
I = RectificationItem  # noqa: E741 - the item, as filters.py names its tables
CAMPAIGN_CRITERIA: dict[str, Criterion] = {"zone": Criterion("zone", lambda v: C.zone == v)}
ITEM_CRITERIA: dict[str, Criterion] = {
    "campaign": Criterion(
        "campaign", lambda v: I.campaign_id == v, lambda v: parse_record_id(v) or -1
    ),
    "enterprise_uscc": Criterion("enterprise", _enterprise_is, _uscc),
    "measure": Criterion("measure", lambda v: I.measure == str(v.value)),
    "status": Criterion("status", lambda v: I.status == str(v.value)),
    "overdue": Criterion(
        "overdue",
        lambda v: (
            RECORD_TABLES["rectification_item"].columns["overdue"]
            if v
            else ~RECORD_TABLES["rectification_item"].columns["overdue"]
        ),
    ),
}


@strawberry.type
class RectificationQuery:
    @strawberry.field(description="One rectification campaign, or null if not visible.")
    async def rectification_campaign(self, info: Info, id: strawberry.ID) -> CampaignType | None:
        key = parse_record_id(id)
        if key is None:
            return None
        found: CampaignType | None = await one_record(
            info.context, info.path, "rectification_campaign", key
        )
        return found

    @strawberry.field(description="Rectification campaigns the caller may see.")
    async def rectification_campaigns(
        self,
        info: Info,
        filter: RectificationCampaignFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[CampaignType]:
        return await record_page(
            info, "rectification_campaign", filter, CAMPAIGN_CRITERIA, first, after
        )

    @strawberry.field(
        description="Items of rectification campaigns the caller may see; "
        "`filter: {overdue: true}` is the overdue list."
    )
    async def rectification_items(
        self,
        info: Info,
        filter: RectificationItemFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ItemType]:
        return await record_page(info, "rectification_item", filter, ITEM_CRITERIA, first, after)

    @strawberry.field(description="How the campaigns of one zone stand, and what is overdue.")
    async def rectification_progress(self, info: Info, zone: str) -> RectificationProgress | None:
        return await zone_progress(info, zone)
