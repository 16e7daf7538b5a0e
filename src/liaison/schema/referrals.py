"""Reading referrals and public reports: the lists each side asks for ("referrals I sent",
"referrals I received", with their status and whether they are overdue), every referral
the caller may see, one by id, and the ``referralChanged`` subscription of both sides."""

from __future__ import annotations

import enum
from collections.abc import AsyncGenerator, Sequence
from typing import Any

import strawberry
from sqlalchemy import ColumnElement

from liaison.codes import InvalidCode, validate_uscc
from liaison.db import models
from liaison.db.records import fetch_records
from liaison.db.referral_models import PublicReport as PublicReportRow
from liaison.db.referral_models import Referral as ReferralRow
from liaison.db.referral_models import ReferralStatus, ReportChannel
from liaison.db.referral_tables import REFERRAL_TABLES
from liaison.schema.context import Context
from liaison.schema.errors import bad_input
from liaison.schema.filters import Criterion, where_clauses
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
from liaison.schema.subscriptions import record_changes
from liaison.schema.types.referrals import PublicReport, Referral, ReferralAttachment

Info = strawberry.Info[Context, None]


def _enterprise_is(value: str) -> ColumnElement[bool]:
    return models.Enterprise.uscc == value


@strawberry.input(description="All given conditions must hold.")
class ReferralFilter:
    enterprise_uscc: str | None = None
    owner: str | None = None
    status: ReferralStatus | None = None
    overdue: bool | None = None


_OVERDUE = REFERRAL_TABLES["referral"].columns["overdue"]
REFERRAL_CRITERIA: dict[str, Criterion] = {
    "enterprise_uscc": Criterion("enterprise", _enterprise_is, validate_uscc),
    "status": Criterion("status", lambda v: ReferralRow.status == str(v.value)),
    # The derived column itself: today is taken when the statement runs.
    "overdue": Criterion("overdue", lambda v: bool(v) == _OVERDUE),
}


@strawberry.input(description="All given conditions must hold.")
class PublicReportFilter:
    enterprise_uscc: str | None = None
    owner: str | None = None
    channel: ReportChannel | None = None


REPORT_CRITERIA: dict[str, Criterion] = {
    "enterprise_uscc": Criterion("enterprise", _enterprise_is, validate_uscc),
    "channel": Criterion("channel", lambda v: PublicReportRow.channel == str(v.value)),
}


class Side(enum.Enum):
    SENT = "sent"
    RECEIVED = "received"


strawberry.enum(Side, name="ReferralSide", description="Referrals you sent, or you received.")


async def _page(
    info: Info,
    record_type: str,
    given: object | None,
    criteria: dict[str, Criterion],
    first: int | None,
    after: str | None,
    *,
    side: Sequence[ColumnElement[bool]] = (),
) -> Connection[Any]:
    """A root list as ``schema.queries`` pages one. With ``side`` (the caller's own
    referrals, or those it received) every record in view is seen whole, so any filter
    is allowed; otherwise a filter must be granted at full by every provider in view."""
    context = info.context
    gate = context.require_gate()
    size = page_size(first)
    directory = context.access.directory
    table = REFERRAL_TABLES[record_type]
    other_owners = [] if side else list(context.access.policy.providers(record_type))
    clauses = where_clauses(
        gate,
        record_type,
        given,
        criteria,
        other_owners=other_owners,
        owner_ids=dict(directory.ids),
        owner_column=table.owner,
    )
    async with context.database() as session:
        rows = await fetch_records(
            session,
            context.access,
            record_type,
            gate.selected_fields(record_type),
            where=[*side, *clauses],
            after_id=decode_cursor(after),
            limit=size + 1,
        )
    page = Page(gate, directory.codes, record_type, rows[:size])
    reached_keys(context, info.path, record_type, page.shown)
    return page_connection(page, has_next_page=len(rows) > size)


def _sent_by(context: Context) -> list[ColumnElement[bool]]:
    return [ReferralRow.owner_department_id == context.access.consumer_id]


def _received_by(context: Context) -> list[ColumnElement[bool]]:
    return [ReferralRow.receiver_department_id == context.access.consumer_id]


async def _by_id(info: Info, record_type: str, record_id: strawberry.ID) -> Any:
    key = parse_record_id(record_id)
    if key is None:
        return None
    return await one_record(info.context, info.path, record_type, key)


@strawberry.type
class ReferralQuery:
    @strawberry.field(description="Referrals your department sent, newest last.")
    async def referrals_sent(
        self,
        info: Info,
        filter: ReferralFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Referral]:
        side = _sent_by(info.context)
        return await _page(info, "referral", filter, REFERRAL_CRITERIA, first, after, side=side)

    @strawberry.field(description="Referrals made to your department, newest last.")
    async def referrals_received(
        self,
        info: Info,
        filter: ReferralFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Referral]:
        side = _received_by(info.context)
        return await _page(info, "referral", filter, REFERRAL_CRITERIA, first, after, side=side)

    @strawberry.field(
        description="Every referral you may see: yours, those made to you, and others' "
        "as far as a grant shares them."
    )
    async def referrals(
        self,
        info: Info,
        filter: ReferralFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Referral]:
        return await _page(info, "referral", filter, REFERRAL_CRITERIA, first, after)

    @strawberry.field(description="One referral, or null if not visible.")
    async def referral(self, info: Info, id: strawberry.ID) -> Referral | None:
        found: Referral | None = await _by_id(info, "referral", id)
        return found

    @strawberry.field(description="One attachment of a referral, or null if not visible.")
    async def referral_attachment(self, info: Info, id: strawberry.ID) -> ReferralAttachment | None:
        found: ReferralAttachment | None = await _by_id(info, "referral_attachment", id)
        return found

    @strawberry.field(description="Public reports you may see: yours, and others' as shared.")
    async def public_reports(
        self,
        info: Info,
        filter: PublicReportFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[PublicReport]:
        return await _page(info, "public_report", filter, REPORT_CRITERIA, first, after)

    @strawberry.field(description="One public report, or null if not visible.")
    async def public_report(self, info: Info, id: strawberry.ID) -> PublicReport | None:
        found: PublicReport | None = await _by_id(info, "public_report", id)
        return found


def _narrowed(context: Context, side: Side | None, uscc: str | None) -> list[ColumnElement[bool]]:
    where = []
    if side is Side.SENT:
        where += _sent_by(context)
    elif side is Side.RECEIVED:
        where += _received_by(context)
    if uscc is not None:
        try:
            where.append(_enterprise_is(validate_uscc(uscc)))
        except InvalidCode as exc:
            raise bad_input(str(exc), field="uscc") from None
    return where


@strawberry.type
class ReferralSubscription:
    @strawberry.subscription(
        description="Each referral, from now on, as it is sent, accepted, returned, handled "
        "or withdrawn, that you may see; optionally only those you sent or received, or of "
        "one enterprise (USCC)."
    )
    async def referral_changed(
        self, info: Info, side: Side | None = None, uscc: str | None = None
    ) -> AsyncGenerator[Referral, None]:
        return record_changes(info, "referral", _narrowed(info.context, side, uscc))
