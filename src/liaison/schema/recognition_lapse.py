"""The lapse check a write runs when it may have ended a recognised result (a new credit
rating, a certificate written): in the request's own transaction, so the result and the
recognitions resting on it change together.

The lapsed recognitions are then read back through the gate as an internal read: the
writer is the recognised department (it owns the result), a party to each of them, so the
operation's audit event names the recognitions its write changed."""

from __future__ import annotations

import datetime as dt

from liaison.db.recognition import LAPSED_IN_SESSION, lapse_recognitions
from liaison.db.recognition_models import Recognition
from liaison.schema.context import Context
from liaison.schema.internal_reads import read_records


async def lapse_after_write(context: Context, enterprise_id: int) -> list[int]:
    """Lapses what the write ended, then reads back every recognition lapsed in this
    request (by this check, or earlier in the write: an enterprise entering the joint
    discipline list), so none changes unrecorded."""
    async with context.database() as session, session.begin_nested():
        await lapse_recognitions(session, dt.date.today(), enterprise_id=enterprise_id)
        lapsed = sorted(session.info.pop(LAPSED_IN_SESSION, set()))
    if lapsed:
        await read_records(
            context,
            "recognition",
            ["status", "lapsed_on", "lapse_reason"],
            where=[Recognition.id.in_(lapsed)],
        )
    return lapsed
