"""Issuing certificates, recording their events, and repairing an enterprise's credit.
The issuer alone writes its certificates, each event is checked against the state machine
(db.certificates), every input error names its field, and when there is one nothing is
written. A revocation for a safety or environmental violation lists the enterprise for
joint discipline in the same transaction; the department that listed it records the
repair."""

from __future__ import annotations

import datetime as dt

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.codes import validate_uscc
from liaison.db import models
from liaison.db.certificate_models import (
    Certificate as CertificateRow,
)
from liaison.db.certificate_models import (
    CertificateEventKind,
    CertificateKind,
    ReasonCategory,
)
from liaison.db.certificates import (
    ISSUERS,
    NewCertificate,
    NewEvent,
    issue_certificate,
    issuer_refusal,
    latest_event_on,
    record_event,
    status_of,
    transition_refusal,
)
from liaison.db.joint_discipline import listed_entry, repair_credit
from liaison.schema.context import Context
from liaison.schema.departments import contributor_department
from liaison.schema.mutations import InputError, Problems
from liaison.schema.one_record import one_record
from liaison.schema.pagination import parse_record_id
from liaison.schema.recognition_lapse import lapse_after_write
from liaison.schema.types.certificates import Certificate, JointDisciplineEntry

Info = strawberry.Info[Context, None]


@strawberry.input
class IssueCertificateInput:
    uscc: str
    kind: CertificateKind
    number: str
    issuing_body: str
    scope: str
    valid_from: dt.date
    valid_until: dt.date
    legal_basis: str


@strawberry.input
class RecordCertificateEventInput:
    id: strawberry.ID
    kind: CertificateEventKind
    occurred_on: dt.date
    reason_category: ReasonCategory
    reason: str
    legal_basis: str


@strawberry.input
class RepairCreditInput:
    uscc: str
    repaired_on: dt.date
    basis: str = strawberry.field(
        description="The documented credit repair: the decision and what the enterprise did."
    )


@strawberry.type
class CertificatePayload:
    certificate: Certificate | None = None
    errors: list[InputError] = strawberry.field(default_factory=list)


@strawberry.type
class JointDisciplinePayload:
    entry: JointDisciplineEntry | None = None
    errors: list[InputError] = strawberry.field(default_factory=list)


async def _enterprise(session: AsyncSession, problems: Problems, uscc: str) -> int | None:
    code = problems.code("uscc", validate_uscc, uscc)
    if any(e.field == "uscc" for e in problems.errors):
        return None
    found: int | None = await session.scalar(
        select(models.Enterprise.id).where(models.Enterprise.uscc == code)
    )
    if found is None:
        problems.add("uscc", "exists", f"no enterprise is registered under {code}")
    return found


async def _reload(info: Info, certificate_id: int) -> Certificate | None:
    """Written records go back through the gate like any other read."""
    found: Certificate | None = await one_record(
        info.context, info.path, "certificate", certificate_id
    )
    return found


@strawberry.type
class CertificateMutation:
    @strawberry.mutation(
        description="Issue a certificate to an enterprise: emergency management issues "
        "SAFETY_PRODUCTION_LICENCE and DANGEROUS_CHEMICAL_OPERATION_LICENCE, market "
        "supervision ENVIRONMENTAL_MANAGEMENT_SYSTEM and QUALITY_MANAGEMENT_SYSTEM."
    )
    async def issue_certificate(
        self, info: Info, input: IssueCertificateInput
    ) -> CertificatePayload:
        context = info.context
        problems = Problems()
        async with context.database() as session, session.begin_nested():
            department = await contributor_department(
                context, session, kinds=ISSUERS.keys(), does="issue certificates"
            )
            refusal = issuer_refusal(department.kind, input.kind.value)
            if refusal is not None:
                problems.add("kind", "issuer", refusal)
            enterprise_id = await _enterprise(session, problems, input.uscc)
            number = problems.text("number", input.number, max_length=64)
            issuing_body = problems.text("issuingBody", input.issuing_body, max_length=200)
            scope = problems.text("scope", input.scope, max_length=4000)
            legal_basis = problems.text("legalBasis", input.legal_basis, max_length=1000)
            if input.valid_until <= input.valid_from:
                problems.add("validUntil", "order", "validUntil must be after validFrom")
            elif input.valid_until < dt.date.today():
                problems.add("validUntil", "past", "a certificate is not issued already expired")
            if input.valid_from > dt.date.today():
                problems.add("validFrom", "future", "validFrom is the day it was issued, not later")
            duplicate = await session.scalar(
                select(CertificateRow.id).where(
                    CertificateRow.owner_department_id == department.id,
                    CertificateRow.kind == input.kind.value,
                    CertificateRow.number == number,
                )
            )
            if duplicate is not None:
                problems.add("number", "unique", "your department issued this number already")
            if problems.errors or enterprise_id is None:
                return CertificatePayload(errors=problems.errors)
            certificate_id = await issue_certificate(
                session,
                NewCertificate(
                    owner_id=department.id,
                    enterprise_id=enterprise_id,
                    kind=input.kind.value,
                    number=number,
                    issuing_body=issuing_body,
                    scope=scope,
                    valid_from=input.valid_from,
                    valid_until=input.valid_until,
                    legal_basis=legal_basis,
                ),
            )
        return CertificatePayload(certificate=await _reload(info, certificate_id))

    @strawberry.mutation(
        description="Record a supervision audit, suspension, resumption or revocation of a "
        "certificate your department issued, with its reason and legal basis. A revocation "
        "for SAFETY_VIOLATION or ENVIRONMENTAL_VIOLATION puts the enterprise on the joint "
        "discipline list."
    )
    async def record_certificate_event(
        self, info: Info, input: RecordCertificateEventInput
    ) -> CertificatePayload:
        context = info.context
        problems = Problems()
        today = dt.date.today()
        async with context.database() as session, session.begin_nested():
            department = await contributor_department(
                context, session, kinds=ISSUERS.keys(), does="issue certificates"
            )
            key = parse_record_id(input.id)
            certificate = None if key is None else await session.get(CertificateRow, key)
            # Another department's certificate is answered like a missing one.
            if certificate is None or certificate.owner_department_id != department.id:
                problems.add("id", "exists", "no certificate of your department has this id")
                return CertificatePayload(errors=problems.errors)
            refusal = transition_refusal(status_of(certificate, today), input.kind.value)
            if refusal is not None:
                problems.add("kind", "transition", refusal)
            reason = problems.text("reason", input.reason, max_length=4000)
            legal_basis = problems.text("legalBasis", input.legal_basis, max_length=1000)
            latest = await latest_event_on(session, certificate.id)
            if input.occurred_on > today:
                problems.add("occurredOn", "future", "occurredOn must not be in the future")
            elif latest is not None and input.occurred_on < latest:
                problems.add(
                    "occurredOn",
                    "order",
                    f"the certificate's latest event is of {latest.isoformat()}",
                )
            if problems.errors:
                return CertificatePayload(errors=problems.errors)
            await record_event(
                session,
                certificate,
                NewEvent(
                    kind=input.kind.value,
                    occurred_on=input.occurred_on,
                    reason_category=input.reason_category.value,
                    reason=reason,
                    legal_basis=legal_basis,
                ),
                today=today,
            )
            certificate_id, enterprise_id = certificate.id, certificate.enterprise_id
        # A revocation that listed the enterprise lapsed the recognitions resting on it.
        await lapse_after_write(context, enterprise_id)
        return CertificatePayload(certificate=await _reload(info, certificate_id))

    @strawberry.mutation(
        description="Take an enterprise your department listed off the joint discipline "
        "list by a documented credit repair; the entry stays, REPAIRED."
    )
    async def repair_credit(self, info: Info, input: RepairCreditInput) -> JointDisciplinePayload:
        context = info.context
        problems = Problems()
        async with context.database() as session, session.begin_nested():
            department = await contributor_department(context, session)
            enterprise_id = await _enterprise(session, problems, input.uscc)
            basis = problems.text("basis", input.basis, max_length=4000)
            entry = None if enterprise_id is None else await listed_entry(session, enterprise_id)
            # Listed by another department: answered like not listed, as the caller may not
            # see that entry.
            if enterprise_id is not None and (
                entry is None or entry.owner_department_id != department.id
            ):
                problems.add(
                    "uscc", "listed", "the enterprise is not on the list by your department"
                )
            elif entry is not None and input.repaired_on < entry.since:
                problems.add("repairedOn", "order", f"the enterprise was listed on {entry.since}")
            if input.repaired_on > dt.date.today():
                problems.add("repairedOn", "future", "repairedOn must not be in the future")
            if problems.errors or entry is None:
                return JointDisciplinePayload(errors=problems.errors)
            await repair_credit(session, entry, on=input.repaired_on, basis=basis)
            entry_id = entry.id
        found: JointDisciplineEntry | None = await one_record(
            context, info.path, "joint_discipline_entry", entry_id
        )
        return JointDisciplinePayload(entry=found)
