"""How campaigns and their items are stored for the gate: columns, the derived ``overdue``,
and the lead department's part in an item and its campaign."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, case, exists

from liaison.db.incident_tables import department_code
from liaison.db.record_tables import RecordTable, child_table, columns_of, today
from liaison.db.rectification_models import RectificationCampaign, RectificationItem


def overdue() -> ColumnElement[bool]:
    # Derived when the statement runs, never stored: past its deadline and not completed.
    item = RectificationItem
    return case((and_(item.status != "completed", item.deadline < today()), True), else_=False)


def _leads_an_item(consumer_id: int) -> ColumnElement[bool]:
    item = RectificationItem
    return exists().where(
        item.campaign_id == RectificationCampaign.id, item.lead_department_id == consumer_id
    )


RECTIFICATION_TABLES: dict[str, RecordTable] = {
    "rectification_campaign": RecordTable(
        RectificationCampaign,
        {
            **columns_of(
                RectificationCampaign, ("id", "title", "zone", "basis", "started_on", "ends_on")
            ),
            "owner": RectificationCampaign.owner_department_id,
        },
        parties={"lead": _leads_an_item},
    ),
    "rectification_item": child_table(
        RectificationItem,
        "measure",
        "deadline",
        "status",
        "outcome",
        "completed_on",
        "note",
        links=("campaign",),
        parties={"lead": lambda consumer_id: RectificationItem.lead_department_id == consumer_id},
        lead_department=department_code(RectificationItem.lead_department_id),
        overdue=overdue(),
    ),
}
