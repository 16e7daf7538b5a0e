"""Safety grades and standardization certificates, written by the emergency management
bureau: the rules they keep, as plain functions on a session."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db import models

GRADES = ("A", "B", "C", "D")
LEVELS = (1, 2, 3)
# Who grades and certifies: the emergency management bureau, after the enterprise's
# self-assessment.
GRADER_KINDS = frozenset({"emergency_management"})


async def certificate_number_taken(session: AsyncSession, number: str) -> bool:
    found = await session.scalar(
        select(models.StandardizationCertificate.id).where(
            models.StandardizationCertificate.certificate_number == number
        )
    )
    return found is not None


async def own_certificate(
    session: AsyncSession, department_id: int, certificate_id: int | None
) -> models.StandardizationCertificate | None:
    """The certificate, if the department issued it; another's is answered like a missing
    one."""
    if certificate_id is None:
        return None
    found = await session.get(models.StandardizationCertificate, certificate_id)
    if found is None or found.owner_department_id != department_id:
        return None
    return found


def revocation_problem(
    certificate: models.StandardizationCertificate, on: dt.date
) -> tuple[str, str, str] | None:
    if certificate.revoked_on is not None:
        return ("id", "revoked", "this certificate is already revoked")
    if on < certificate.issued_on:
        return ("on", "order", "a certificate cannot be revoked before it was issued")
    if on > certificate.valid_until:
        return ("on", "expired", "this certificate had already expired on that day")
    return None
