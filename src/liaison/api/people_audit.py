"""Sign-ins in the audit trail: every log-in, refresh and log-out, allowed or refused, is
one event of operation type ``login`` (no document, no disclosures), appended fail-closed:
an allowed sign-in whose event cannot be written does not happen.

``operation_name`` is the action, and for a refusal the action and its reason:
``password``, ``password.wrong_password``, ``password.unknown_user``, ``password.disabled``,
``password.rate_limited``, ``code``, ``code.<reason>``, ``refresh``, ``refresh.<reason>``,
``logout``.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.db.audit import AuditEntry, reserve_slot, write_event

log = logging.getLogger("liaison.sign_in")

OPERATION_TYPE: Final = "login"
UNKNOWN_DEPARTMENT: Final = "unknown"
# There is no GraphQL document or variables: the digests of nothing.
_NOTHING: Final = hashlib.sha256(b"").hexdigest()
_MAX_ATTEMPTED_NAME: Final = 64

T = TypeVar("T")


class AuditUnavailable(Exception):
    """The event could not be written; nothing the transaction did was kept."""


def attempted_subject(username: str) -> str:
    """``user:<name>`` for a name someone typed, cut to 64 printable characters: it may be
    anything, but never more than a name."""
    cleaned = "".join(c if c.isprintable() else "?" for c in username[:_MAX_ATTEMPTED_NAME])
    return f"user:{cleaned}"


def sign_in_event(
    *,
    request_id: str,
    subject: str,
    department: str | None,
    client_id: str,
    action: str,
    reason: str | None = None,
) -> AuditEntry:
    return AuditEntry(
        request_id=request_id[:128],
        principal_subject=subject[:200],
        principal_department=(department or UNKNOWN_DEPARTMENT)[:32],
        principal_client=client_id[:200],
        operation_type=OPERATION_TYPE,
        operation_name=action if reason is None else f"{action}.{reason}",
        document_sha256=_NOTHING,
        variables_sha256=_NOTHING,
        purpose=None,
        case_reference=None,
        outcome="ok" if reason is None else "denied",
    )


async def audited(
    sessions: async_sessionmaker[AsyncSession],
    entry: AuditEntry,
    work: Callable[[AsyncSession], Awaitable[T]] | None = None,
) -> T | None:
    """Runs ``work`` and appends ``entry`` in one transaction, committed before this
    returns: both are kept or neither. The chain's place is taken first (as a mutation
    does), so the work's writes and the event commit together. Raises AuditUnavailable."""
    try:
        async with sessions() as session, session.begin():
            slot = await reserve_slot(session)
            result = await work(session) if work is not None else None
            await write_event(session, slot, entry)
    except SQLAlchemyError:
        log.exception("sign-in event not written (request %s); refused", entry.request_id)
        raise AuditUnavailable from None
    return result
