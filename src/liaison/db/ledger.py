"""Alterations of an enterprise's registered details: the change and its history written
together, so the current details and the ledger never disagree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db import models
from liaison.db.ledger_models import ALTERABLE, EnterpriseAlteration


def changed_details(
    enterprise: models.Enterprise, given: Mapping[str, str | None]
) -> dict[str, tuple[str | None, str]]:
    """detail -> (old, new) for each given detail whose value differs from the current."""
    return {
        detail: (getattr(enterprise, detail), value)
        for detail, value in given.items()
        if detail in ALTERABLE and value is not None and value != getattr(enterprise, detail)
    }


async def alter_enterprise(
    session: AsyncSession,
    enterprise: models.Enterprise,
    changes: Mapping[str, tuple[str | None, str]],
    *,
    altered_on: dt.date,
    basis: str,
) -> int:
    """Records the alteration in the ledger and applies it to the enterprise, in the
    caller's transaction; returns the alteration's id."""
    alteration = EnterpriseAlteration(
        enterprise_id=enterprise.id,
        owner_department_id=enterprise.owner_department_id,
        altered_on=altered_on,
        basis=basis,
    )
    for detail, (old, new) in changes.items():
        setattr(alteration, f"old_{detail}", old)
        setattr(alteration, f"new_{detail}", new)
        setattr(enterprise, detail, new)
    session.add(alteration)
    await session.flush()
    return alteration.id
