"""Input checks the grade, certificate and alteration mutations share."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.codes import validate_uscc
from liaison.db import models
from liaison.schema.mutations import Problems


async def known_enterprise(
    session: AsyncSession, problems: Problems, uscc: str
) -> models.Enterprise | None:
    """The enterprise registered under ``uscc``; else an error on ``uscc`` (a USCC and its
    existence are public: every department may know them)."""
    code = problems.code("uscc", validate_uscc, uscc)
    if problems.errors:
        return None
    found = await session.scalar(select(models.Enterprise).where(models.Enterprise.uscc == code))
    if found is None:
        problems.add("uscc", "exists", f"no enterprise is registered under {code}")
    return found
