"""Which enterprise each disclosed record belongs to: what the audit index is derived from,
and how an event's records are named when it is read back. A record's enterprise never
changes, so this is what it was when the record was disclosed."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from liaison.db import models
from liaison.db.tables import RECORD_TABLES

_LOOKUP_BATCH = 2000


async def locate_records(
    connection: AsyncConnection, record_type: str, ids: Iterable[int]
) -> dict[int, tuple[int | None, str | None]]:
    """record id -> (enterprise id, USCC) of the records that exist; (None, None) for one
    that names no enterprise (a public report of an unknown enterprise)."""
    wanted = sorted(set(ids))
    table = RECORD_TABLES.get(record_type)
    enterprise = models.Enterprise
    if not wanted or table is None or (table.model is not enterprise and table.enterprise is None):
        return {}
    statement = select(table.id, enterprise.id, enterprise.uscc)
    if table.model is not enterprise:
        statement = statement.join(
            enterprise, enterprise.id == table.enterprise, isouter=table.enterprise_optional
        )
    found: dict[int, tuple[int | None, str | None]] = {}
    for start in range(0, len(wanted), _LOOKUP_BATCH):
        chunk = wanted[start : start + _LOOKUP_BATCH]
        rows = await connection.execute(statement.where(table.id.in_(chunk)))
        found.update({row[0]: (row[1], row[2]) for row in rows})
    return found
