from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db import models
from liaison.db.scope import Directory


class UnknownDepartment(LookupError):
    """A department code that names no registered department."""


async def load_directory(session: AsyncSession) -> Directory:
    rows = await session.execute(select(models.Department.code, models.Department.id))
    return Directory(ids={code: id_ for code, id_ in rows})
