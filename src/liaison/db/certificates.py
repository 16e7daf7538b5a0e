"""A certificate's rules, as plain functions on a session: who issues which kind, the
state machine its events follow, the status derived from them, and the revocation that
puts the enterprise on the joint discipline list in the same transaction.

Issuers, by department kind (documented in the README):

- emergency management: safety production licences and dangerous-chemical operation
  licences (Regulations on Work Safety Licences; on the Safe Management of Dangerous
  Chemicals, art. 33);
- market supervision: environmental and quality management system certifications (it
  keeps the certification and accreditation register; the issuing body is the
  certification body named on the certificate).

Transitions (expiry is not an event: it is derived from ``valid_until``)::

    issued (valid) --suspension--> suspended --resumption--> valid
    valid | suspended --revocation--> revoked
    valid | suspended --supervision audit--> unchanged
    revoked, expired: nothing further
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db.certificate_models import (
    Certificate,
    CertificateEvent,
    CertificateEventKind,
    CertificateKind,
    CertificateState,
    CertificateStatus,
    DisciplineTrigger,
    ReasonCategory,
)
from liaison.db.changes import note_change
from liaison.db.joint_discipline import enter_list

K = CertificateKind
ISSUERS: dict[str, frozenset[str]] = {
    "emergency_management": frozenset(
        {K.SAFETY_PRODUCTION_LICENCE, K.DANGEROUS_CHEMICAL_OPERATION_LICENCE}
    ),
    "market_supervision": frozenset(
        {K.ENVIRONMENTAL_MANAGEMENT_SYSTEM, K.QUALITY_MANAGEMENT_SYSTEM}
    ),
}

E, S = CertificateEventKind, CertificateStatus
# Status now -> event -> the state it leaves the certificate in.
TRANSITIONS: dict[str, dict[str, str]] = {
    S.VALID: {
        E.SUPERVISION_AUDIT: CertificateState.VALID,
        E.SUSPENDED: CertificateState.SUSPENDED,
        E.REVOKED: CertificateState.REVOKED,
    },
    S.SUSPENDED: {
        E.SUPERVISION_AUDIT: CertificateState.SUSPENDED,
        E.RESUMED: CertificateState.VALID,
        E.REVOKED: CertificateState.REVOKED,
    },
    S.REVOKED: {},
    S.EXPIRED: {},
}

# A revocation for these puts the enterprise on the joint discipline list.
DISCIPLINED_REASONS = frozenset(
    {ReasonCategory.SAFETY_VIOLATION, ReasonCategory.ENVIRONMENTAL_VIOLATION}
)


def status_of(certificate: Certificate, today: dt.date) -> str:
    """As ``db.certificate_tables.certificate_status`` derives it in SQL."""
    if certificate.state != CertificateState.REVOKED and certificate.valid_until < today:
        return CertificateStatus.EXPIRED.value
    return certificate.state


def issuer_refusal(department_kind: str, kind: str) -> str | None:
    """Why a department of ``department_kind`` may not issue ``kind``, or None."""
    if kind in ISSUERS.get(department_kind, frozenset()):
        return None
    mine = sorted(k.upper() for k in ISSUERS.get(department_kind, frozenset()))
    if not mine:
        return f"a {department_kind} department issues no certificates"
    return f"a {department_kind} department issues only: {', '.join(mine)}"


_DONE: dict[str, str] = {
    E.SUPERVISION_AUDIT: "audited",
    E.SUSPENDED: "suspended",
    E.RESUMED: "resumed",
    E.REVOKED: "revoked",
}


def transition_refusal(status: str, event: str) -> str | None:
    """Why a certificate now ``status`` cannot take ``event``, or None."""
    if event in TRANSITIONS[status]:
        return None
    if event == E.ISSUED:
        return "a certificate is issued once, by issueCertificate"
    return f"the certificate is {status}: it cannot be {_DONE[event]}"


async def latest_event_on(session: AsyncSession, certificate_id: int) -> dt.date | None:
    found: dt.date | None = await session.scalar(
        select(func.max(CertificateEvent.occurred_on)).where(
            CertificateEvent.certificate_id == certificate_id
        )
    )
    return found


@dataclass(frozen=True)
class NewCertificate:
    owner_id: int
    enterprise_id: int
    kind: str
    number: str
    issuing_body: str
    scope: str
    valid_from: dt.date
    valid_until: dt.date
    legal_basis: str


async def issue_certificate(session: AsyncSession, new: NewCertificate) -> int:
    """Writes the certificate and its ISSUED event (on ``valid_from``); notes both."""
    certificate = Certificate(
        owner_department_id=new.owner_id,
        enterprise_id=new.enterprise_id,
        kind=new.kind,
        number=new.number,
        issuing_body=new.issuing_body,
        scope=new.scope,
        valid_from=new.valid_from,
        valid_until=new.valid_until,
        state=CertificateState.VALID.value,
    )
    session.add(certificate)
    await session.flush()
    event = CertificateEvent(
        certificate_id=certificate.id,
        enterprise_id=new.enterprise_id,
        owner_department_id=new.owner_id,
        kind=E.ISSUED.value,
        occurred_on=new.valid_from,
        reason_category=ReasonCategory.ROUTINE.value,
        reason="issued",
        legal_basis=new.legal_basis,
    )
    session.add(event)
    await session.flush()
    await note_change(session, "certificate", certificate.id)
    await note_change(session, "certificate_event", event.id)
    return certificate.id


@dataclass(frozen=True)
class NewEvent:
    kind: str
    occurred_on: dt.date
    reason_category: str
    reason: str
    legal_basis: str


async def record_event(
    session: AsyncSession, certificate: Certificate, new: NewEvent, *, today: dt.date
) -> int:
    """Appends the event and moves the certificate's state; a revocation for a safety or
    environmental violation enters the enterprise on the joint discipline list. Callers
    check the transition and the dates first. Returns the event's id."""
    state = TRANSITIONS[status_of(certificate, today)][new.kind]
    event = CertificateEvent(
        certificate_id=certificate.id,
        enterprise_id=certificate.enterprise_id,
        owner_department_id=certificate.owner_department_id,
        kind=new.kind,
        occurred_on=new.occurred_on,
        reason_category=new.reason_category,
        reason=new.reason,
        legal_basis=new.legal_basis,
    )
    session.add(event)
    certificate.state = state
    await session.flush()
    await note_change(session, "certificate", certificate.id)
    await note_change(session, "certificate_event", event.id)
    if new.kind == E.REVOKED and new.reason_category in DISCIPLINED_REASONS:
        await enter_list(
            session,
            enterprise_id=certificate.enterprise_id,
            owner_id=certificate.owner_department_id,
            since=new.occurred_on,
            trigger=DisciplineTrigger.CERTIFICATE_REVOCATION,
            record_id=event.id,
        )
    return event.id
