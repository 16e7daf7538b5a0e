"""Rectification and elimination campaigns, written: the park committee launches a campaign
in a zone with the enterprises it lists, and moves each item along. Invalid input: errors
naming the field, and nothing written."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.codes import InvalidCode, validate_uscc
from liaison.db import models
from liaison.db.changes import note_change
from liaison.db.rectification import (
    ITEM_TRANSITIONS,
    LEDGER_KIND,
    OUTCOMES,
    ItemSpec,
    complete_item,
    launch_campaign,
    ledger_refusal,
)
from liaison.db.rectification_models import (
    ItemStatus,
    Measure,
    Outcome,
    RectificationItem,
)
from liaison.schema.context import Context
from liaison.schema.departments import contributor_department
from liaison.schema.internal_reads import read_records
from liaison.schema.mutations import InputError, Problems
from liaison.schema.one_record import one_record
from liaison.schema.pagination import parse_record_id
from liaison.schema.types.rectification import (
    RectificationCampaign as CampaignType,
)
from liaison.schema.types.rectification import (
    RectificationItem as ItemType,
)

Info = strawberry.Info[Context, None]

# Which kinds of department run campaigns (and so keep the ledger events they append).
CAMPAIGNERS = frozenset({"park_committee"})


@strawberry.input
class RectificationItemInput:
    uscc: str
    measure: Measure
    deadline: dt.date
    lead_department: str
    note: str | None = None


@strawberry.input
class LaunchRectificationCampaignInput:
    title: str
    zone: str
    basis: str
    started_on: dt.date
    ends_on: dt.date
    items: list[RectificationItemInput]


@strawberry.input
class AdvanceRectificationItemInput:
    id: strawberry.ID
    status: ItemStatus
    outcome: Outcome | None = None
    on: dt.date | None = None
    document_number: str | None = strawberry.field(
        default=None, description="The ledger's document for a RELOCATED or CANCELLED outcome."
    )


@strawberry.type
class RectificationCampaignPayload:
    campaign: CampaignType | None = None
    errors: list[InputError] = strawberry.field(default_factory=list)


@strawberry.type
class RectificationItemPayload:
    item: ItemType | None = None
    errors: list[InputError] = strawberry.field(default_factory=list)


async def _campaigner(context: Context, session: AsyncSession) -> models.Department:
    return await contributor_department(
        context, session, kinds=CAMPAIGNERS, does="run rectification campaigns"
    )


async def _items(
    context: Context, problems: Problems, given: LaunchRectificationCampaignInput, zone: str
) -> list[ItemSpec]:
    if not given.items:
        problems.add("items", "required", "a campaign lists at least one enterprise")
    async with context.database() as session:
        departments = {
            code: id_
            for code, id_ in await session.execute(
                select(models.Department.code, models.Department.id)
            )
        }
    codes: list[str | None] = []
    for n, item in enumerate(given.items):
        try:
            codes.append(validate_uscc(item.uscc))
        except InvalidCode as exc:
            problems.add(f"items[{n}].uscc", exc.kind, str(exc))
            codes.append(None)
    known = [c for c in codes if c is not None]
    # The enterprises' zones are the registry's data: read through the gate (and audited).
    enterprises = await read_records(
        context, "enterprise", ["uscc", "zone"], where=[models.Enterprise.uscc.in_(known)]
    )
    by_uscc = {e.uscc: e for e in enterprises}
    specs, seen = [], set()
    for n, (item, code) in enumerate(zip(given.items, codes, strict=True)):
        at = f"items[{n}]"
        found = by_uscc.get(code) if code else None
        if code is not None and found is None:
            problems.add(f"{at}.uscc", "exists", f"no enterprise is registered under {code}")
        elif found is not None and found.zone is None:
            problems.add(f"{at}.uscc", "zone", "the enterprise's zone is not shared with you")
        elif found is not None and found.zone != zone:
            problems.add(f"{at}.uscc", "zone", f"the enterprise is not in {zone}")
        if code is not None and code in seen:
            problems.add(f"{at}.uscc", "unique", "the enterprise is already listed")
        seen.add(code)
        if not given.started_on <= item.deadline <= given.ends_on:
            problems.add(f"{at}.deadline", "window", "the deadline must fall within the campaign")
        lead = departments.get(item.lead_department)
        if lead is None:
            problems.add(f"{at}.leadDepartment", "exists", "no such department code")
        if found is not None and lead is not None:
            specs.append(
                ItemSpec(
                    enterprise_id=int(found.id),
                    measure=item.measure.value,
                    deadline=item.deadline,
                    lead_department_id=lead,
                    note=item.note,
                )
            )
    return specs


@strawberry.type
class RectificationMutation:
    @strawberry.mutation(
        description="Launch a rectification campaign in a zone (the park committee), listing "
        "each enterprise with its measure, deadline and lead department."
    )
    async def launch_rectification_campaign(
        self, info: Info, input: LaunchRectificationCampaignInput
    ) -> RectificationCampaignPayload:
        context = info.context
        problems = Problems()
        async with context.database() as session:
            department = await _campaigner(context, session)
        title = problems.text("title", input.title, max_length=200)
        zone = problems.text("zone", input.zone, max_length=64)
        basis = problems.text("basis", input.basis, max_length=4000)
        if input.ends_on < input.started_on:
            problems.add("endsOn", "order", "endsOn must not precede startedOn")
        # Checked outside the write: the checks read others' records through the gate.
        items = await _items(context, problems, input, zone)
        if problems.errors:
            return RectificationCampaignPayload(errors=problems.errors)
        async with context.database() as session, session.begin_nested():
            campaign_id, item_ids = await launch_campaign(
                session,
                owner_id=department.id,
                title=title,
                zone=zone,
                basis=basis,
                started_on=input.started_on,
                ends_on=input.ends_on,
                items=items,
            )
            await note_change(session, "rectification_campaign", campaign_id)
            for item_id in item_ids:
                await note_change(session, "rectification_item", item_id)
        found = await one_record(context, info.path, "rectification_campaign", campaign_id)
        return RectificationCampaignPayload(campaign=found)

    @strawberry.mutation(
        description="Move an item of your department's campaign along: LISTED -> "
        "IN_PROGRESS -> COMPLETED, completion stating its outcome; RELOCATED and CANCELLED "
        "are appended to the enterprise's dynamic ledger."
    )
    async def advance_rectification_item(
        self, info: Info, input: AdvanceRectificationItemInput
    ) -> RectificationItemPayload:
        context = info.context
        problems = Problems()
        async with context.database() as session:
            department = await _campaigner(context, session)
            key = parse_record_id(input.id)
            item = None if key is None else await session.get(RectificationItem, key)
        # Another department's item is answered like a missing one.
        if item is None or item.owner_department_id != department.id:
            problems.add("id", "exists", "no rectification item of your department has this id")
            return RectificationItemPayload(errors=problems.errors)
        target = input.status.value
        on = input.on or dt.date.today()
        if target not in ITEM_TRANSITIONS[item.status]:
            problems.add("status", "transition", f"a {item.status} item cannot become {target}")
        elif target != ItemStatus.COMPLETED and input.outcome is not None:
            problems.add("outcome", "only_completed", "only completion states an outcome")
        elif target == ItemStatus.COMPLETED:
            # Outside the write: the ledger check reads the registry's record through the gate.
            await _completion_problems(context, problems, item, input, on)
        if problems.errors:
            return RectificationItemPayload(errors=problems.errors)
        event_id = None
        async with context.database() as session, session.begin_nested():
            if target == ItemStatus.COMPLETED and input.outcome is not None:
                event_id = await complete_item(
                    session,
                    item,
                    outcome=input.outcome.value,
                    on=on,
                    document_number=(input.document_number or "").strip() or None,
                )
            else:
                item.status = target
                await session.flush()
            await note_change(session, "rectification_item", item.id)
            if event_id is not None:
                await note_change(session, "lifecycle_event", event_id)
                await note_change(session, "enterprise", item.enterprise_id)
        found = await one_record(context, info.path, "rectification_item", item.id)
        return RectificationItemPayload(item=found)


async def _completion_problems(
    context: Context,
    problems: Problems,
    item: RectificationItem,
    given: AdvanceRectificationItemInput,
    on: dt.date,
) -> None:
    if given.outcome is None:
        problems.add("outcome", "required", "completing an item states its outcome")
        return
    outcome = given.outcome.value
    if outcome not in OUTCOMES[item.measure]:
        allowed = ", ".join(sorted(o.upper() for o in OUTCOMES[item.measure]))
        problems.add("outcome", "measure", f"a {item.measure} item ends in one of: {allowed}")
        return
    if on > dt.date.today():
        problems.add("on", "past", "an item cannot be completed in the future")
    kind = LEDGER_KIND.get(outcome)
    if kind is None:
        return
    document = (given.document_number or "").strip()
    if not document:
        problems.add("documentNumber", "required", f"the ledger records {outcome} with a document")
    elif len(document) > 64:
        problems.add("documentNumber", "length", "documentNumber must be at most 64 characters")
    # The enterprise's status is the registry's data: read through the gate (and audited).
    [enterprise] = await read_records(
        context,
        "enterprise",
        ["status", "status_since"],
        where=[models.Enterprise.id == item.enterprise_id],
    )
    status, since = _ledger_state(enterprise)
    if status is None or since is None:
        problems.add("outcome", "ledger", "the enterprise's status is not shared with you")
        return
    refusal = ledger_refusal(status, kind)
    if refusal is not None:
        problems.add("outcome", "ledger", refusal)
    elif on < since:
        problems.add("on", "order", f"the ledger's current status dates from {since.isoformat()}")


def _ledger_state(enterprise: Any) -> tuple[str | None, dt.date | None]:
    status = None if enterprise.status is None else str(enterprise.status)
    since = enterprise.status_since
    if not isinstance(since, dt.date):
        return status, None  # withheld, or masked to its month: too coarse to order by
    return status, since
