"""Subscriptions: records other departments create or change, pushed over the websocket
as they commit, through the same gate and audit as a query.

Each event is one record, taken afresh from the database with the caller's access as it
stands at that moment (row scope in SQL, masks, withheld fields), so an agreement change
applies to the very next event. A record the caller may not reach is not sent, exactly as
a list leaves it out. When an agreement the subscription relied on at its start is no
longer in force (revoked, suspended or expired), the subscription ends with one
``AGREEMENT_ENDED`` error: the caller subscribes again under whatever is in force now.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import AsyncGenerator, Sequence
from typing import Any

import strawberry
from graphql import GraphQLError
from sqlalchemy import ColumnElement

from liaison.codes import InvalidCode, validate_uscc
from liaison.db import models
from liaison.db.change_feed import ChangeFeed
from liaison.db.changes import Change, changes_after, last_change, resume_problem
from liaison.permissions.gate import Gate
from liaison.schema.context import Context
from liaison.schema.errors import bad_input, error
from liaison.schema.one_record import one_record
from liaison.schema.types.records import CreditRating, DangerousChemicalEntry, Risk

Info = strawberry.Info[Context, None]

AGREEMENT_ENDED = "AGREEMENT_ENDED"
RESUME_TOO_OLD = "RESUME_TOO_OLD"
_CURSOR_PREFIX = "change"


def encode_change_cursor(seq: int) -> str:
    """What a subscription event's ``extensions.cursor`` holds: the change it stands for."""
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}:{seq}".encode()).decode().rstrip("=")


def decode_change_cursor(cursor: object) -> int | None:
    """The change a client's ``resumeAfter`` names, or None if it is not a cursor this API
    issued."""
    if not isinstance(cursor, str) or len(cursor) > 64:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    prefix, _, number = raw.partition(":")
    if prefix != _CURSOR_PREFIX or not (number.isascii() and number.isdigit()) or len(number) > 18:
        return None
    return int(number)


SUBSCRIPTIONS_NEED_WEBSOCKET = "SUBSCRIPTIONS_NEED_WEBSOCKET"
_BATCH = 100
# Even with nothing to wake it, a subscription looks at its agreements this often.
_RECHECK_SECONDS = 60.0


def _relied_on(context: Context) -> dict[str, dt.datetime]:
    """Agreements (code -> end of validity) that share with the caller, for its purpose,
    a field this subscription selects of another department's records."""
    selected = context.selection.fields if context.selection is not None else {}
    return {
        grant.agreement.code: grant.agreement.valid_until
        for grant in context.grants_in_force
        if grant.provider != context.department
        and context.purpose in grant.purposes
        and set(grant.fields) & selected.get(grant.record_type, set())
    }


def _ended(relied: dict[str, dt.datetime], context: Context) -> list[str]:
    in_force = {
        grant.agreement.code
        for grant in context.grants_in_force
        if context.purpose in grant.purposes
    }
    return sorted(code for code in relied if code not in in_force)


def _agreement_ended(codes: list[str], context: Context) -> GraphQLError:
    return error(
        AGREEMENT_ENDED,
        f"Agreement {', '.join(codes)}, which shared these records with {context.department}, "
        "is no longer in force (revoked, suspended or expired): this subscription has ended.",
        agreements=codes,
    )


def _wait_seconds(relied: dict[str, dt.datetime]) -> float:
    now = dt.datetime.now(dt.UTC)
    soonest = min((until - now).total_seconds() for until in relied.values()) if relied else None
    return _RECHECK_SECONDS if soonest is None else max(0.0, min(soonest, _RECHECK_SECONDS))


async def _renew(context: Context) -> None:
    assert context.renew_access is not None
    await context.renew_access(context)
    fields = context.selection.fields if context.selection is not None else {}
    context.gate = Gate(context.access.policy, fields)
    context.internal_gates = []
    context._loaders = None  # nothing cached from one event may serve the next


async def _release(context: Context) -> None:
    """Ends the current transaction, so no connection is held between events."""
    async with context.database() as session:
        await session.rollback()


def _changes(
    info: Info, record_type: str, where: Sequence[ColumnElement[bool]]
) -> AsyncGenerator[Any, None]:
    """Checked now, so a subscription that cannot run is refused with an ``error``
    message before it starts; the events follow from the generator."""
    context = info.context
    if context.changes is None or context.renew_access is None:
        raise error(
            SUBSCRIPTIONS_NEED_WEBSOCKET,
            "Subscriptions are served over graphql-transport-ws at this same path.",
        )
    return _events(info, context.changes, record_type, where)


# For workflows' subscriptions (schema/<workflow>.py): the same feed, gate and audit.
record_changes = _changes


async def _events(
    info: Info, feed: ChangeFeed, record_type: str, where: Sequence[ColumnElement[bool]]
) -> AsyncGenerator[Any, None]:
    context = info.context
    relied = _relied_on(context)
    # The cursor before listening: a change between the two is still seen, since the feed
    # wakes a new listener once after it joins (see ChangeFeed). A resumed subscription
    # starts after the change its client saw last, if the feed still holds what followed.
    problem = None
    async with context.database() as session:
        if context.resume_after is None:
            cursor = await last_change(session)
        else:
            cursor = context.resume_after
            problem = await resume_problem(session, cursor)
    await _release(context)
    if problem is not None:
        raise error(RESUME_TOO_OLD, problem, resumeAfter=encode_change_cursor(cursor))
    async with feed.listen() as listener:
        while True:
            await listener.wait(_wait_seconds(relied))
            changes = await _unseen(context, cursor, record_type)
            if not changes:  # woken by an agreement change or its expiry, or nothing new
                await _still_in_force(relied, context)
            while changes:
                for change in changes:
                    cursor = change.seq
                    await _still_in_force(relied, context)
                    record = await one_record(
                        context, info.path, record_type, change.record_id, where
                    )
                    if record is None:  # not reachable by the caller: not sent, not counted
                        await _release(context)
                        continue
                    context.event_open, context.event_cursor = True, change.seq
                    try:
                        yield record
                    finally:
                        context.event_open, context.event_cursor = False, None
                    await _release(context)
                changes = await _unseen(context, cursor, record_type)


async def _still_in_force(relied: dict[str, dt.datetime], context: Context) -> None:
    """Takes the caller's access afresh (a new gate for the next event); raises
    ``AGREEMENT_ENDED`` when an agreement the subscription relied on is gone."""
    await _renew(context)
    if ended := _ended(relied, context):
        await _release(context)
        raise _agreement_ended(ended, context)


async def _unseen(context: Context, cursor: int, record_type: str) -> Sequence[Change]:
    async with context.database() as session:
        changes = await changes_after(session, cursor, record_type, limit=_BATCH)
    await _release(context)
    return changes


def of_enterprise(uscc: str | None) -> list[ColumnElement[bool]]:
    if uscc is None:
        return []
    try:
        code = validate_uscc(uscc)
    except InvalidCode as exc:
        raise bad_input(str(exc), field="uscc") from None
    return [models.Enterprise.uscc == code]


@strawberry.type
class RecordSubscription:
    @strawberry.subscription(
        description="Each risk or hidden danger, from now on, as it is reported or moves "
        "along its rectification, that you may see; optionally of one enterprise (USCC)."
    )
    async def risk_changed(self, info: Info, uscc: str | None = None) -> AsyncGenerator[Risk, None]:
        return _changes(info, "risk", of_enterprise(uscc))

    @strawberry.subscription(
        description="Each dangerous-chemical entry, from now on, as customs declares it, "
        "that you may see; optionally of one enterprise (USCC)."
    )
    async def dangerous_chemical_entry_declared(
        self, info: Info, uscc: str | None = None
    ) -> AsyncGenerator[DangerousChemicalEntry, None]:
        return _changes(info, "dangerous_chemical_entry", of_enterprise(uscc))

    @strawberry.subscription(
        description="Each credit rating, from now on, as it is issued, that you may see; "
        "optionally of one enterprise (USCC)."
    )
    async def credit_rating_issued(
        self, info: Info, uscc: str | None = None
    ) -> AsyncGenerator[CreditRating, None]:
        return _changes(info, "credit_rating", of_enterprise(uscc))
