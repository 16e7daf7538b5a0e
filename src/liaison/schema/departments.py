"""The department a mutation writes for: the caller's, once it holds the contributor role."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db import models
from liaison.permissions.principal import Role
from liaison.schema.context import Context
from liaison.schema.errors import forbidden


async def contributor_department(
    context: Context, session: AsyncSession, *, kinds: Collection[str] | None = None, does: str = ""
) -> models.Department:
    """The caller's department; FORBIDDEN without the contributor role, or when ``kinds``
    is given and the department is of none of them (``does`` says what it does not)."""
    if not context.principal.has(Role.CONTRIBUTOR):
        raise forbidden("Writing records needs the contributor role.", role="contributor")
    department = await session.scalar(
        select(models.Department).where(models.Department.code == context.department)
    )
    if department is None:
        raise forbidden(f"Department {context.department} is not registered.")
    if kinds is not None and department.kind not in kinds:
        raise forbidden(f"Department {context.department} does not {does}.")
    return department
