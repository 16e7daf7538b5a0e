"""Writing referrals and public reports: the checks that need the database, the records
written, and each status change. The callers (``schema.referral_mutations``) collect every
problem first and write nothing while there is one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db import models
from liaison.db.attachments import AttachmentStore, CheckedFile, Problem
from liaison.db.referral_models import (
    PublicReport,
    Referral,
    ReferralAttachment,
    ReferralStatus,
    ReferredRecord,
    ReferredType,
)
from liaison.db.referral_rules import MOVED_BY_RECEIVER, MOVED_BY_SENDER, TRANSITIONS

_MODELS: dict[ReferredType, Any] = {
    ReferredType.RISK: models.Risk,
    ReferredType.LIFECYCLE_EVENT: models.LifecycleEvent,
    ReferredType.CREDIT_RATING: models.CreditRating,
}
_WORDS = {
    ReferredType.RISK: "risk",
    ReferredType.LIFECYCLE_EVENT: "lifecycle event",
    ReferredType.CREDIT_RATING: "credit rating",
}


@dataclass(frozen=True, slots=True)
class Reference:
    """A record of the sender's the referral refers to, as the input names it."""

    record_type: ReferredType
    record_id: int | None  # None: not an id this database can hold
    field: str


async def department_id(session: AsyncSession, code: str) -> int | None:
    found: int | None = await session.scalar(
        select(models.Department.id).where(models.Department.code == code)
    )
    return found


async def own_report(session: AsyncSession, sender_id: int, report_id: int) -> PublicReport | None:
    """The sender's report with this id; another department's is answered like none."""
    report = await session.get(PublicReport, report_id)
    if report is None or report.owner_department_id != sender_id:
        return None
    return report


async def check_references(
    session: AsyncSession, sender_id: int, enterprise_id: int, references: Sequence[Reference]
) -> list[Problem]:
    """Each referred record must be the sender's own and of the referral's enterprise:
    a referral discloses only what its sender may disclose. Another department's record,
    or one of another enterprise, is answered like a missing one."""
    problems: list[Problem] = []
    seen: set[tuple[ReferredType, int]] = set()
    for reference in references:
        model = _MODELS[reference.record_type]
        word = _WORDS[reference.record_type]
        found = None
        if reference.record_id is not None:
            found = await session.get(model, reference.record_id)
        if (
            found is None
            or found.owner_department_id != sender_id
            or found.enterprise_id != enterprise_id
        ):
            problems.append(
                (
                    reference.field,
                    "exists",
                    f"no {word} of your department with this id concerns this enterprise",
                )
            )
            continue
        key = (reference.record_type, found.id)
        if key in seen:
            problems.append((reference.field, "unique", f"this {word} is referred twice"))
        seen.add(key)
    return problems


@dataclass(frozen=True)
class NewReferral:
    sender_id: int
    receiver_id: int
    enterprise_id: int
    report_id: int | None
    category: str
    description: str
    legal_basis: str
    sent_on: dt.date
    feedback_deadline: dt.date


async def send_referral(
    session: AsyncSession,
    store: AttachmentStore,
    referral: NewReferral,
    files: Sequence[CheckedFile],
    references: Sequence[Reference],
) -> tuple[int, list[int]]:
    """Writes a checked referral, its evidence and its references; returns the ids of the
    referral and of its attachments."""
    row = Referral(
        owner_department_id=referral.sender_id,
        receiver_department_id=referral.receiver_id,
        enterprise_id=referral.enterprise_id,
        report_id=referral.report_id,
        category=referral.category,
        description=referral.description,
        legal_basis=referral.legal_basis,
        sent_on=referral.sent_on,
        feedback_deadline=referral.feedback_deadline,
        status=ReferralStatus.SENT.value,
    )
    session.add(row)
    await session.flush()
    attachments = []
    for file in files:
        stored_in = await store.put(session, file)
        attachment = ReferralAttachment(
            owner_department_id=referral.sender_id,
            referral_id=row.id,
            enterprise_id=referral.enterprise_id,
            name=file.name,
            media_type=file.media_type,
            size_bytes=file.size_bytes,
            sha256=file.sha256,
            stored_in=stored_in.value,
        )
        session.add(attachment)
        attachments.append(attachment)
    session.add_all(
        ReferredRecord(
            referral_id=row.id,
            record_type=reference.record_type.value,
            record_id=reference.record_id,
        )
        for reference in references
    )
    await session.flush()
    return row.id, [a.id for a in attachments]


async def referral_of_side(
    session: AsyncSession, department_id: int, referral_id: int | None, target: ReferralStatus
) -> Referral | None:
    """The referral that ``department_id`` may move to ``target``: one it received for the
    receiver's moves, one it sent for the sender's. Any other is answered like none."""
    if referral_id is None:
        return None
    referral = await session.get(Referral, referral_id)
    if referral is None:
        return None
    if target in MOVED_BY_RECEIVER:
        side = referral.receiver_department_id
    else:
        assert target in MOVED_BY_SENDER
        side = referral.owner_department_id
    return referral if side == department_id else None


def transition_problem(referral: Referral, target: ReferralStatus) -> Problem | None:
    if target in TRANSITIONS[ReferralStatus(referral.status)]:
        return None
    article = "an" if referral.status[0] in "aeiou" else "a"
    return (
        "id",
        "transition",
        f"{article} {referral.status} referral cannot become {target.value}",
    )


def move(referral: Referral, target: ReferralStatus, on: dt.date, **answer: str | None) -> None:
    """Moves a checked referral to ``target`` on ``on``, with the receiver's answer (a
    reason for returning, the feedback and penalty decision for handling)."""
    referral.status = target.value
    setattr(referral, f"{target.value}_on", on)
    for name, value in answer.items():
        setattr(referral, name, value)


@dataclass(frozen=True)
class NewReport:
    owner_id: int
    enterprise_id: int | None
    channel: str
    received_on: dt.date
    anonymous: bool
    reporter_name: str | None
    reporter_contact: str | None
    category: str
    content: str


async def enter_report(session: AsyncSession, report: NewReport) -> int:
    row = PublicReport(
        owner_department_id=report.owner_id,
        enterprise_id=report.enterprise_id,
        channel=report.channel,
        received_on=report.received_on,
        anonymous=report.anonymous,
        reporter_name=report.reporter_name,
        reporter_contact=report.reporter_contact,
        category=report.category,
        content=report.content,
    )
    session.add(row)
    await session.flush()
    return row.id
