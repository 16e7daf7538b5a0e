"""Reading recognitions: every recognition the caller may see, one by id, the
facilitations in force ("which enterprises enjoy facilitation, from whom, on what basis"),
and the subscriptions that tell the departments relying on one that it lapsed."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, select

from liaison.codes import validate_uscc
from liaison.db import models
from liaison.db.recognition_models import Facilitation, Recognition, RecognitionStatus
from liaison.db.recognition_tables import RECOGNITION_TABLES
from liaison.db.records import fetch_records
from liaison.schema.context import Context
from liaison.schema.errors import forbidden
from liaison.schema.filters import Criterion, owners_of_enterprises, where_clauses
from liaison.schema.materialize import Page
from liaison.schema.one_record import one_record
from liaison.schema.pagination import (
    Connection,
    decode_cursor,
    page_connection,
    page_size,
    parse_record_id,
)
from liaison.schema.reach import reached_keys
from liaison.schema.subscriptions import of_enterprise, record_changes
from liaison.schema.types.recognition import Recognition as RecognitionType

Info = strawberry.Info[Context, None]

_IN_FORCE = RECOGNITION_TABLES["recognition"].columns["in_force"]


def _enterprise_is(value: str) -> ColumnElement[bool]:
    return models.Enterprise.uscc == value


@strawberry.input(description="All given conditions must hold.")
class RecognitionFilter:
    enterprise_uscc: str | None = None
    owner: str | None = None
    recognised: str | None = None
    facilitation: Facilitation | None = None
    status: RecognitionStatus | None = None
    in_force: bool | None = None


@strawberry.input(
    description="All given conditions must hold. `owner` is the department granting the "
    "facilitation; `zone` needs enterprises' zones shared at full with you."
)
class FacilitationFilter:
    enterprise_uscc: str | None = None
    zone: str | None = None
    owner: str | None = None
    facilitation: Facilitation | None = None


def _recognised_is(context: Context) -> Any:
    ids = context.access.directory.ids

    def predicate(code: str) -> ColumnElement[bool]:
        return Recognition.recognised_department_id == ids.get(code, -1)

    return predicate


def _criteria(context: Context) -> dict[str, Criterion]:
    return {
        "enterprise_uscc": Criterion("enterprise", _enterprise_is, validate_uscc),
        "recognised": Criterion("recognised", _recognised_is(context)),
        "facilitation": Criterion(
            "facilitation", lambda v: Recognition.facilitation == str(v.value)
        ),
        "status": Criterion("status", lambda v: Recognition.status == str(v.value)),
        # The derived column itself: today is taken when the statement runs.
        "in_force": Criterion("in_force", lambda v: bool(v) == _IN_FORCE),
    }


async def _zone_clause(info: Info, zone: str) -> ColumnElement[bool]:
    """Recognitions of the zone's enterprises, if the caller may filter enterprises on
    their zone (as the ``enterprises`` query decides it)."""
    context = info.context
    gate = context.require_gate()
    directory = context.access.directory
    async with context.database() as session:
        owner_ids = (await session.scalars(owners_of_enterprises())).all()
    owners = [directory.codes[i] for i in owner_ids if i in directory.codes]
    if gate.not_fully_granted("enterprise", {"zone"}, owners):
        raise forbidden(
            "Filtering on enterprise.zone needs it shared at full level by every department "
            "whose records are in view.",
            elements=["enterprise.zone"],
        )
    zone_enterprises = select(models.Enterprise.id).where(models.Enterprise.zone == zone)
    return Recognition.enterprise_id.in_(zone_enterprises)


async def _page(
    info: Info,
    given: object | None,
    first: int | None,
    after: str | None,
    extra: Sequence[ColumnElement[bool]] = (),
) -> Connection[RecognitionType]:
    context = info.context
    gate = context.require_gate()
    size = page_size(first)
    directory = context.access.directory
    clauses = where_clauses(
        gate,
        "recognition",
        given,
        _criteria(context),
        other_owners=list(context.access.policy.providers("recognition")),
        owner_ids=dict(directory.ids),
        owner_column=Recognition.owner_department_id,
    )
    async with context.database() as session:
        rows = await fetch_records(
            session,
            context.access,
            "recognition",
            gate.selected_fields("recognition"),
            where=[*clauses, *extra],
            after_id=decode_cursor(after),
            limit=size + 1,
        )
    page = Page(gate, directory.codes, "recognition", rows[:size])
    reached_keys(context, info.path, "recognition", page.shown)
    return page_connection(page, has_next_page=len(rows) > size)


@strawberry.type
class RecognitionQuery:
    @strawberry.field(
        description="Every recognition you may see: yours, those of your results, and "
        "others' as far as a grant shares them; oldest first."
    )
    async def recognitions(
        self,
        info: Info,
        filter: RecognitionFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[RecognitionType]:
        return await _page(info, filter, first, after)

    @strawberry.field(description="One recognition, or null if not visible.")
    async def recognition(self, info: Info, id: strawberry.ID) -> RecognitionType | None:
        key = parse_record_id(id)
        if key is None:
            return None
        found: RecognitionType | None = await one_record(
            info.context, info.path, "recognition", key
        )
        return found

    @strawberry.field(
        description="Which enterprises enjoy facilitation, from whom (owner), on what basis "
        "(legalBasis and the recognised result): the recognitions in force today that you "
        "may see, filtered by enterprise, zone, granting department or facilitation."
    )
    async def facilitations(
        self,
        info: Info,
        filter: FacilitationFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[RecognitionType]:
        given = filter or FacilitationFilter()
        extra = [] if given.zone is None else [await _zone_clause(info, given.zone)]
        narrowed = RecognitionFilter(
            enterprise_uscc=given.enterprise_uscc,
            owner=given.owner,
            facilitation=given.facilitation,
            in_force=True,
        )
        return await _page(info, narrowed, first, after, extra)


@strawberry.type
class RecognitionSubscription:
    @strawberry.subscription(
        description="Each recognition you may see, from now on, as it is recorded or lapses; "
        "optionally of one enterprise (USCC)."
    )
    async def recognition_changed(
        self, info: Info, uscc: str | None = None
    ) -> AsyncGenerator[RecognitionType, None]:
        return record_changes(info, "recognition", of_enterprise(uscc))

    @strawberry.subscription(
        description="Each recognition you may see as it lapses (the result it rests on "
        "ended): the recogniser relying on it and the recognised department hear of it."
    )
    async def recognition_lapsed(
        self, info: Info, uscc: str | None = None
    ) -> AsyncGenerator[RecognitionType, None]:
        lapsed = Recognition.status == RecognitionStatus.LAPSED.value
        return record_changes(info, "recognition", [lapsed, *of_enterprise(uscc)])
