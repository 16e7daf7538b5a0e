"""``accessLog``: the audit trail for auditors.

Security contract: a platform ``admin`` sees every event; an ``auditor`` sees the events
where its department is the consumer or a provider — and of an event it reaches only as a
provider, only that provider's part: its disclosures, its records and the outcome they make,
every filter matched against that part alone (``db.audit_log.access_log_statement``); anyone
else gets FORBIDDEN.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt

import strawberry

from liaison.db import audit_log
from liaison.permissions.principal import Principal, Role
from liaison.schema.context import Context
from liaison.schema.errors import bad_input, forbidden
from liaison.schema.pagination import Connection, Edge, PageInfo, page_size
from liaison.schema.types.audit import AccessEvent, AccessLogFilter

Info = strawberry.Info[Context, None]

_CURSOR_PREFIX = "seq"


def encode_seq_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}:{seq}".encode()).decode().rstrip("=")


def decode_seq_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, number = raw.partition(":")
        if prefix != _CURSOR_PREFIX or not (number.isascii() and number.isdigit()):
            raise ValueError
        return int(number[:19])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise bad_input("'after' is not a cursor this API issued", field="after") from None


def visible_to(principal: Principal) -> str | None:
    """The department whose events ``principal`` may read, or None for all of them."""
    if Role.ADMIN in principal.roles:
        return None
    if Role.AUDITOR in principal.roles:
        return principal.department
    raise forbidden(
        "The access log is open to auditors (their department's events) and platform "
        "administrators.",
        role="auditor",
    )


def _criteria(given: AccessLogFilter | None) -> audit_log.AccessLogFilter:
    if given is None:
        return audit_log.AccessLogFilter()
    return audit_log.AccessLogFilter(
        provider=given.provider,
        consumer=given.consumer,
        enterprise_uscc=given.enterprise_uscc,
        record_type=given.record_type,
        field=given.field,
        purpose=given.purpose,
        case_reference=given.case_reference,
        outcome=given.outcome.value if given.outcome is not None else None,
        since=_aware(given.from_),
        until=_aware(given.until),
    )


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is not None and moment.tzinfo is None:
        raise bad_input("times need a UTC offset, e.g. 2026-03-01T00:00:00Z", field="filter")
    return moment


@strawberry.type
class AuditQuery:
    @strawberry.field(
        description="Audited operations, newest first: who read or was refused which "
        "department's data, under which agreement, for what purpose. Auditors see their "
        "department's events (as provider or consumer); platform admins see all."
    )
    async def access_log(
        self,
        info: Info,
        filter: AccessLogFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[AccessEvent] | None:
        context = info.context
        department = visible_to(context.principal)
        size = page_size(first)
        criteria = _criteria(filter)
        before = decode_seq_cursor(after)
        async with context.database() as session:
            page = await audit_log.access_log(
                session, criteria, visible_to=department, first=size, before_seq=before
            )
        edges = [Edge(cursor=encode_seq_cursor(e.seq), node=AccessEvent.of(e)) for e in page.events]
        return Connection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )
