"""Departments as data: added with their kind and their place in the administrative
hierarchy (level, parent), and listed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from liaison.db import models
from liaison.db.agreements import bump_policy_epoch
from liaison.db.directory import UnknownDepartment
from liaison.db.ledger_models import DepartmentLevel, DepartmentPlace

CODE = re.compile(r"[a-z][a-z0-9_-]{1,31}")
# A parent sits higher than its child: a park committee under a district, not the reverse.
_RANK = {level: n for n, level in enumerate(DepartmentLevel)}


class DepartmentExists(ValueError):
    """A department code already registered."""


class MisplacedParent(ValueError):
    """A parent that does not sit above the department's level."""


@dataclass(frozen=True)
class DepartmentRow:
    code: str
    name: str
    kind: str
    level: str | None
    parent: str | None


async def add_department(
    session: AsyncSession,
    *,
    code: str,
    name: str,
    kind: str,
    level: DepartmentLevel,
    parent: str | None,
) -> DepartmentRow:
    """Adds the department; the policy epoch moves so every process reloads its directory
    (department codes and ids) before the next request."""
    taken = await session.scalar(select(models.Department.id).where(models.Department.code == code))
    if taken is not None:
        raise DepartmentExists(code)
    parent_id = None
    if parent is not None:
        above = (
            await session.execute(
                select(models.Department.id, DepartmentPlace.level)
                .outerjoin(DepartmentPlace, DepartmentPlace.department_id == models.Department.id)
                .where(models.Department.code == parent)
            )
        ).first()
        if above is None:
            raise UnknownDepartment(parent)
        if above.level is not None and _RANK[DepartmentLevel(above.level)] >= _RANK[level]:
            raise MisplacedParent(f"a {above.level} department cannot be above a {level.value} one")
        parent_id = above.id
    department = models.Department(code=code, name=name, kind=kind)
    session.add(department)
    await session.flush()
    session.add(
        DepartmentPlace(department_id=department.id, level=level.value, parent_id=parent_id)
    )
    await bump_policy_epoch(session)
    return DepartmentRow(code, name, kind, level.value, parent)


async def list_departments(session: AsyncSession) -> list[DepartmentRow]:
    parent = aliased(models.Department)
    rows = await session.execute(
        select(
            models.Department.code,
            models.Department.name,
            models.Department.kind,
            DepartmentPlace.level,
            parent.code,
        )
        .outerjoin(DepartmentPlace, DepartmentPlace.department_id == models.Department.id)
        .outerjoin(parent, parent.id == DepartmentPlace.parent_id)
        .order_by(models.Department.code)
    )
    return [DepartmentRow(*row) for row in rows]
