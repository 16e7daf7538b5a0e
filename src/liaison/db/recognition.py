"""Recognitions: writing one, and their lapse when the result they rest on ends.

A recognition rests on one concrete result of another department's. When that result
ends, the recognition lapses by itself (active -> lapsed, with the day and the reason):

- a standardization certificate: it was revoked, its validity has passed, or a newer
  certificate of the same department for the enterprise gives a lower level (a higher
  number);
- a credit rating: it has expired, or a newer rating of the same department and scheme
  for the enterprise, in effect by today, gives a lower grade (advanced_certified (AEO) to
  anything else is the AEO revoked). Grades are ranked by their place in their rule set,
  best first, taken as a fraction so that ratings under different rule sets compare;
- anything: when :func:`lapse_for_result` or :func:`lapse_for_enterprise` says so (a
  withdrawn entry, an enterprise entering the joint discipline list).

The reasons name the kind of change and its date, never the new grade or level: the
recogniser may not be granted the newer record.

:func:`lapse_recognitions` runs in the transaction of the writes that end a result (so a
recognition never outlives its result in any committed state) and on a schedule
(:func:`lapse_and_audit`), for results that end by the passing of time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.db import models
from liaison.db.audit import (
    AuditEntry,
    DisclosedKeys,
    hold_writes,
    reserve_slot,
    sha256_hex,
    write_event,
)
from liaison.db.changes import note_change
from liaison.db.recognition_models import (
    Recognition,
    RecognitionStatus,
    ResultType,
)
from liaison.db.rules import RULE_SETS

log = logging.getLogger("liaison.recognition")

ACTIVE = RecognitionStatus.ACTIVE.value
LAPSE_INTERVAL_SECONDS = 3600.0

MODELS: dict[ResultType, Any] = {
    ResultType.DANGEROUS_CHEMICAL_ENTRY: models.DangerousChemicalEntry,
    ResultType.STANDARDIZATION_CERTIFICATE: models.StandardizationCertificate,
    ResultType.CREDIT_RATING: models.CreditRating,
}


def result_column(result_type: ResultType) -> Any:
    return getattr(Recognition, f"{result_type.value}_id")


@dataclass(frozen=True)
class NewRecognition:
    owner_id: int
    recognised_id: int
    enterprise_id: int
    result_type: ResultType
    result_id: int
    facilitation: str
    valid_from: dt.date
    valid_until: dt.date
    legal_basis: str
    recorded_on: dt.date


async def record_recognition(session: AsyncSession, new: NewRecognition) -> int:
    """Writes a checked recognition; returns its id."""
    row = Recognition(
        owner_department_id=new.owner_id,
        recognised_department_id=new.recognised_id,
        enterprise_id=new.enterprise_id,
        result_type=new.result_type.value,
        facilitation=new.facilitation,
        valid_from=new.valid_from,
        valid_until=new.valid_until,
        legal_basis=new.legal_basis,
        recorded_on=new.recorded_on,
        status=ACTIVE,
    )
    setattr(row, f"{new.result_type.value}_id", new.result_id)
    session.add(row)
    await session.flush()
    return row.id


# --- lapse -----------------------------------------------------------------------------


def grade_rank(rule_set: str, grade: str) -> float | None:
    """0 for the best grade of its rule set, 1 for the worst; None if unknown."""
    rules = RULE_SETS.get(rule_set)
    if rules is None or grade not in rules.grades or len(rules.grades) < 2:
        return None
    return rules.grades.index(grade) / (len(rules.grades) - 1)


def _newer(candidate: Any, than: Any, day: str) -> bool:
    mine, theirs = getattr(candidate, day), getattr(than, day)
    return bool(mine > theirs or (mine == theirs and candidate.id > than.id))


def _active(enterprise_id: int | None) -> list[Any]:
    where = [Recognition.status == ACTIVE]
    if enterprise_id is not None:
        where.append(Recognition.enterprise_id == enterprise_id)
    return where


async def _certificate_lapses(
    session: AsyncSession, today: dt.date, enterprise_id: int | None
) -> dict[int, str]:
    cert = models.StandardizationCertificate
    rows = (
        await session.execute(
            select(Recognition.id, cert)
            .join(cert, cert.id == Recognition.standardization_certificate_id)
            .where(*_active(enterprise_id))
        )
    ).all()
    if not rows:
        return {}
    keys = {(c.enterprise_id, c.owner_department_id) for _, c in rows}
    others = (
        await session.scalars(
            select(cert).where(
                cert.enterprise_id.in_({e for e, _ in keys}), cert.issued_on <= today
            )
        )
    ).all()
    lapses: dict[int, str] = {}
    for recognition_id, recognised in rows:
        if recognised.revoked_on is not None and recognised.revoked_on <= today:
            revoked = recognised.revoked_on.isoformat()
            lapses[recognition_id] = f"the standardization certificate was revoked on {revoked}"
            continue
        if recognised.valid_until < today:
            lapses[recognition_id] = (
                f"the standardization certificate expired on {recognised.valid_until.isoformat()}"
            )
            continue
        for other in others:
            if (
                other.enterprise_id == recognised.enterprise_id
                and other.owner_department_id == recognised.owner_department_id
                and _newer(other, recognised, "issued_on")
                and other.level > recognised.level
            ):
                lapses[recognition_id] = (
                    "the standardization level was lowered by a newer certificate issued on "
                    f"{other.issued_on.isoformat()}"
                )
                break
    return lapses


async def _rating_lapses(
    session: AsyncSession, today: dt.date, enterprise_id: int | None
) -> dict[int, str]:
    rating = models.CreditRating
    rows = (
        await session.execute(
            select(Recognition.id, rating)
            .join(rating, rating.id == Recognition.credit_rating_id)
            .where(*_active(enterprise_id))
        )
    ).all()
    if not rows:
        return {}
    others = (
        await session.scalars(
            select(rating).where(
                rating.enterprise_id.in_({r.enterprise_id for _, r in rows}),
                rating.effective_on <= today,
            )
        )
    ).all()
    lapses: dict[int, str] = {}
    for recognition_id, recognised in rows:
        if recognised.expires_on is not None and recognised.expires_on < today:
            lapses[recognition_id] = (
                f"the credit rating expired on {recognised.expires_on.isoformat()}"
            )
            continue
        before = grade_rank(recognised.rule_set, recognised.grade)
        for other in sorted(others, key=lambda r: (r.effective_on, r.id)):
            if not (
                other.enterprise_id == recognised.enterprise_id
                and other.owner_department_id == recognised.owner_department_id
                and other.scheme == recognised.scheme
                and _newer(other, recognised, "effective_on")
            ):
                continue
            after = grade_rank(other.rule_set, other.grade)
            if before is None or after is None or after <= before:
                continue
            what = (
                "the AEO certification was revoked"
                if recognised.grade == "advanced_certified"
                else "the credit grade was downgraded"
            )
            lapses[recognition_id] = (
                f"{what} by a newer {other.scheme} rating effective on "
                f"{other.effective_on.isoformat()}"
            )
            break
    return lapses


LAPSED_IN_SESSION = "liaison.recognitions_lapsed"


async def _lapse(session: AsyncSession, reasons: dict[int, str], today: dt.date) -> list[int]:
    """Moves those still active to lapsed (another process may have got there first)."""
    lapsed = []
    for recognition_id, reason in sorted(reasons.items()):
        result = await session.execute(
            update(Recognition)
            .where(Recognition.id == recognition_id, Recognition.status == ACTIVE)
            .values(
                status=RecognitionStatus.LAPSED.value, lapsed_on=today, lapse_reason=reason[:1000]
            )
        )
        if getattr(result, "rowcount", 0):
            lapsed.append(recognition_id)
            await note_change(session, "recognition", recognition_id)
    # Whatever made them lapse in this request (a result ended, an enterprise listed for
    # joint discipline), the request reads them back through the gate, so its audit event
    # names them: see schema.recognition_lapse.
    session.info.setdefault(LAPSED_IN_SESSION, set()).update(lapsed)
    return lapsed


async def lapse_recognitions(
    session: AsyncSession, today: dt.date, *, enterprise_id: int | None = None
) -> list[int]:
    """Lapses every active recognition whose result has ended by ``today`` (only those of
    one enterprise, after a write about it), in the caller's transaction; returns the ids
    lapsed (each noted in the change feed, so the departments relying on it hear of it)."""
    reasons = await _certificate_lapses(session, today, enterprise_id)
    reasons.update(await _rating_lapses(session, today, enterprise_id))
    return await _lapse(session, reasons, today)


async def lapse_for_result(
    session: AsyncSession,
    result_type: ResultType,
    result_id: int,
    reason: str,
    today: dt.date | None = None,
) -> list[int]:
    """Lapses the active recognitions resting on one result that has ended in a way the
    rules above do not see (an entry withdrawn), in the caller's transaction."""
    ids = await session.scalars(
        select(Recognition.id).where(
            result_column(result_type) == result_id, Recognition.status == ACTIVE
        )
    )
    return await _lapse(session, dict.fromkeys(ids, reason), today or dt.date.today())


async def lapse_for_enterprise(
    session: AsyncSession, enterprise_id: int, reason: str, today: dt.date | None = None
) -> list[int]:
    """Lapses every active recognition of an enterprise that has lost its good standing
    (it entered the joint discipline list): every facilitation rests on it. In the caller's
    transaction; returns the ids lapsed."""
    ids = await session.scalars(
        select(Recognition.id).where(
            Recognition.enterprise_id == enterprise_id, Recognition.status == ACTIVE
        )
    )
    return await _lapse(session, dict.fromkeys(ids, reason), today or dt.date.today())


# --- on a schedule ---------------------------------------------------------------------

SYSTEM_SUBJECT = "system:liaison"
SYSTEM_DEPARTMENT = "platform"
OPERATION = "lapse_recognitions"


def lapse_event(owners: dict[int, str], lapsed: Sequence[tuple[int, int]]) -> AuditEntry:
    """The audit event of a scheduled lapse: the platform itself changed those records."""
    by_owner: dict[str, list[int]] = {}
    for recognition_id, owner_id in lapsed:
        by_owner.setdefault(owners.get(owner_id, str(owner_id)), []).append(recognition_id)
    nothing = sha256_hex(b"")
    return AuditEntry(
        request_id=f"lapse-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}",
        principal_subject=SYSTEM_SUBJECT,
        principal_department=SYSTEM_DEPARTMENT,
        principal_client="liaison",
        operation_type="maintenance",
        operation_name=OPERATION,
        document_sha256=nothing,
        variables_sha256=nothing,
        purpose=None,
        case_reference=None,
        outcome="ok",
        disclosed=tuple(
            DisclosedKeys.of(owner, "recognition", ids) for owner, ids in sorted(by_owner.items())
        ),
    )


async def lapse_and_audit(session: AsyncSession, today: dt.date) -> list[int]:
    """:func:`lapse_recognitions` with its audit event, in the caller's transaction (commit
    it; roll it back if this raises). The writers' lock is taken first, which serialises
    concurrent runs of several processes with each other and with mutations; a run that
    lapses nothing gives its place in the chain up (a savepoint) and writes no event, so
    the chain has no gap."""
    await hold_writes(session)
    async with session.begin_nested() as savepoint:
        slot = await reserve_slot(session)
        lapsed = await lapse_recognitions(session, today)
        if not lapsed:
            await savepoint.rollback()
            return []
        owners = dict(
            (await session.execute(select(models.Department.id, models.Department.code))).all()
        )
        rows = (
            await session.execute(
                select(Recognition.id, Recognition.owner_department_id).where(
                    Recognition.id.in_(lapsed)
                )
            )
        ).all()
        await write_event(session, slot, lapse_event(owners, [(r[0], r[1]) for r in rows]))
    return lapsed


async def lapse_once(sessions: async_sessionmaker[AsyncSession], today: dt.date) -> list[int]:
    async with sessions() as session, session.begin():
        return await lapse_and_audit(session, today)


async def lapse_continuously(
    sessions: async_sessionmaker[AsyncSession], *, interval: float = LAPSE_INTERVAL_SECONDS
) -> None:
    """Lapses what the passing of time ended (run as a task of the app's lifespan, cancel
    it at shutdown). A failure is logged and retried next round."""
    while True:
        try:
            lapsed = await lapse_once(sessions, dt.date.today())
            if lapsed:
                log.info("lapsed %d recognition(s): %s", len(lapsed), _ids(lapsed))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("recognitions: lapse check failed; retrying in %.0f s", interval)
        await asyncio.sleep(interval)


def _ids(ids: Iterable[int]) -> str:
    return ", ".join(map(str, ids))
