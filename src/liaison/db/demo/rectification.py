"""The demo's rectification campaign: the park committee's cluster upgrading in one zone,
eight enterprises listed, some done, some under way, some overdue. Deterministic for the seed
and the demo's today; no item is completed in a way that touches the ledger (the README's
examples do that)."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from liaison.db import models
from liaison.db.rectification_models import RectificationCampaign, RectificationItem

if TYPE_CHECKING:
    from liaison.db.demo.workflows import DemoContext

ZONE = "Lingang Fengxian Park"
_FAR = 4 * 365  # days: deadlines in the future stay ahead of any run of the README

# (measure, deadline in days from today, lead department, status, outcome, completed days
#  before today, note)
_ITEMS: tuple[tuple[str, int, str, str, str | None, int | None, str], ...] = (
    ("rectification", -60, "emergency", "in_progress", None, None, "tank farm firewalls"),
    ("rectification", -120, "emergency", "completed", "rectified", 130, "gas detection fitted"),
    ("relocation", _FAR, "park", "in_progress", None, None, "to the chemical industry park"),
    ("merger", -30, "market", "listed", None, None, "merger with its parent company"),
    ("shutdown", _FAR, "ecology", "listed", None, None, "outdated chlorination unit"),
    ("rectification", _FAR, "ecology", "listed", None, None, "wastewater pretreatment"),
    ("merger", -200, "market", "completed", "merged", 210, "absorbed by a neighbour"),
    ("rectification", -10, "park", "in_progress", None, None, "separation distances"),
)


async def _ids(connection: AsyncConnection, zone: str) -> list[int]:
    return list(
        await connection.scalars(
            select(models.Enterprise.id)
            .where(models.Enterprise.zone == zone, models.Enterprise.status == "in_operation")
            .order_by(models.Enterprise.id)
        )
    )


async def add_rectification(context: DemoContext) -> dict[str, int]:
    connection = context.connection
    rng = random.Random(context.seed * 17 + 2026)
    candidates = await _ids(connection, ZONE)
    if not candidates:
        return {"rectification_campaign": 0, "rectification_item": 0}
    departments = {
        code: id_
        for code, id_ in await connection.execute(
            select(models.Department.code, models.Department.id)
        )
    }
    today = context.today
    campaign_id = (
        await connection.execute(
            insert(RectificationCampaign).returning(RectificationCampaign.id),
            {
                "owner_department_id": departments["park"],
                "title": f"{ZONE} chemical cluster upgrading {today.year}",
                "zone": ZONE,
                "basis": "Three-year action plan for the rectification, relocation, merger and "
                "elimination of chemical enterprises outside chemical parks",
                "started_on": today - dt.timedelta(days=300),
                "ends_on": today + dt.timedelta(days=_FAR),
            },
        )
    ).scalar_one()
    chosen = sorted(rng.sample(candidates, min(len(_ITEMS), len(candidates))))
    rows = [
        {
            "campaign_id": campaign_id,
            "owner_department_id": departments["park"],
            "enterprise_id": enterprise_id,
            "measure": measure,
            "deadline": today + dt.timedelta(days=days),
            "lead_department_id": departments[lead],
            "status": status,
            "outcome": outcome,
            "completed_on": None if done is None else today - dt.timedelta(days=done),
            "note": note,
        }
        for enterprise_id, (measure, days, lead, status, outcome, done, note) in zip(
            chosen, _ITEMS, strict=False
        )
    ]
    await connection.execute(insert(RectificationItem), rows)
    return {"rectification_campaign": 1, "rectification_item": len(rows)}
