"""How many records a caller reaches: the same statement as a list, counted in SQL."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db.records import select_records
from liaison.db.scope import RowAccess


async def count_records(
    session: AsyncSession,
    access: RowAccess,
    record_type: str,
    *,
    where: Sequence[ColumnElement[bool]] = (),
) -> int:
    """Rows of ``record_type`` the caller reaches (row scope, ``where``), on every page.
    It reads no governed value: only how many records a list of them would hold."""
    listed = select_records(access, record_type, (), where=where).subquery()
    return int(await session.scalar(select(func.count()).select_from(listed)) or 0)
