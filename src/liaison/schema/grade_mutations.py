"""The emergency management bureau grades enterprises A-D after their self-assessment and
issues (and revokes) work-safety standardization certificates. Invalid input: typed
errors naming the field, and nothing written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db import models
from liaison.db.changes import note_change
from liaison.db.grades import (
    GRADER_KINDS,
    GRADES,
    LEVELS,
    certificate_number_taken,
    own_certificate,
    revocation_problem,
)
from liaison.permissions.principal import Role
from liaison.schema.context import Context
from liaison.schema.enums import SafetyGradeScheme
from liaison.schema.errors import forbidden
from liaison.schema.ledger_inputs import known_enterprise
from liaison.schema.mutations import InputError, Problems
from liaison.schema.one_record import one_record
from liaison.schema.pagination import parse_record_id
from liaison.schema.recognition_lapse import lapse_after_write
from liaison.schema.scalars import Amount
from liaison.schema.types.records import SafetyGrade, StandardizationCertificate

Info = strawberry.Info[Context, None]


@strawberry.input
class GradeEnterpriseInput:
    uscc: str
    scheme: SafetyGradeScheme
    self_assessment_score: Amount
    self_assessed_on: dt.date
    grade: str
    assessed_on: dt.date
    valid_until: dt.date | None = None


@strawberry.input
class IssueStandardizationCertificateInput:
    uscc: str
    level: int
    certificate_number: str
    issued_on: dt.date
    valid_until: dt.date


@strawberry.input
class RevokeStandardizationCertificateInput:
    id: strawberry.ID
    reason: str
    on: dt.date | None = None


@strawberry.type
class SafetyGradePayload:
    grade: SafetyGrade | None = None
    errors: list[InputError] = strawberry.field(default_factory=list)


@strawberry.type
class StandardizationCertificatePayload:
    certificate: StandardizationCertificate | None = None
    errors: list[InputError] = strawberry.field(default_factory=list)


async def _grader(context: Context, session: AsyncSession) -> int:
    principal = context.principal
    if not principal.has(Role.CONTRIBUTOR):
        raise forbidden("Writing records needs the contributor role.", role="contributor")
    department = await session.scalar(
        select(models.Department).where(models.Department.code == principal.department)
    )
    if department is None or department.kind not in GRADER_KINDS:
        raise forbidden(f"Department {principal.department} does not grade or certify enterprises.")
    return department.id


async def _enterprise_id(session: AsyncSession, problems: Problems, uscc: str) -> int | None:
    found = await known_enterprise(session, problems, uscc)
    return None if found is None else found.id


def _score(problems: Problems, given: Amount) -> Decimal:
    score = Decimal(given)
    if not score.is_finite() or not (0 <= score <= 100):
        problems.add("selfAssessmentScore", "range", "selfAssessmentScore is from 0 to 100")
    return score


@strawberry.type
class GradeMutation:
    @strawberry.mutation(
        description="Grade an enterprise A-D (emergency management bureau), after and "
        "with its self-assessment."
    )
    async def grade_enterprise(self, info: Info, input: GradeEnterpriseInput) -> SafetyGradePayload:
        context = info.context
        problems = Problems()
        async with context.database() as session, session.begin_nested():
            department = await _grader(context, session)
            enterprise_id = await _enterprise_id(session, problems, input.uscc)
            score = _score(problems, input.self_assessment_score)
            if input.grade not in GRADES:
                problems.add("grade", "grade", f"grade is one of: {', '.join(GRADES)}")
            if input.assessed_on < input.self_assessed_on:
                problems.add("assessedOn", "order", "the bureau grades after the self-assessment")
            if input.valid_until is not None and input.valid_until <= input.assessed_on:
                problems.add("validUntil", "order", "validUntil must be after assessedOn")
            if problems.errors or enterprise_id is None:
                return SafetyGradePayload(errors=problems.errors)
            grade = models.SafetyGrade(
                enterprise_id=enterprise_id,
                owner_department_id=department,
                scheme=input.scheme.value,
                grade=input.grade,
                assessed_on=input.assessed_on,
                valid_until=input.valid_until,
                self_assessment_score=score,
                self_assessed_on=input.self_assessed_on,
            )
            session.add(grade)
            await session.flush()
            new_id = grade.id
            await note_change(session, "safety_grade", new_id)
        found: SafetyGrade | None = await one_record(context, info.path, "safety_grade", new_id)
        return SafetyGradePayload(grade=found)

    @strawberry.mutation(
        description="Issue a work-safety standardization certificate, level 1 (highest) to "
        "3, valid from issuedOn to validUntil (emergency management bureau)."
    )
    async def issue_standardization_certificate(
        self, info: Info, input: IssueStandardizationCertificateInput
    ) -> StandardizationCertificatePayload:
        context = info.context
        problems = Problems()
        async with context.database() as session, session.begin_nested():
            department = await _grader(context, session)
            enterprise_id = await _enterprise_id(session, problems, input.uscc)
            if input.level not in LEVELS:
                problems.add("level", "level", "level is 1, 2 or 3")
            number = problems.text("certificateNumber", input.certificate_number, max_length=64)
            if number and await certificate_number_taken(session, number):
                problems.add("certificateNumber", "unique", "this certificate is already issued")
            if input.valid_until <= input.issued_on:
                problems.add("validUntil", "order", "validUntil must be after issuedOn")
            if problems.errors or enterprise_id is None:
                return StandardizationCertificatePayload(errors=problems.errors)
            certificate = models.StandardizationCertificate(
                enterprise_id=enterprise_id,
                owner_department_id=department,
                level=input.level,
                certificate_number=number,
                issued_on=input.issued_on,
                valid_until=input.valid_until,
            )
            session.add(certificate)
            await session.flush()
            new_id = certificate.id
            await note_change(session, "standardization_certificate", new_id)
        # A lower level than the enterprise's previous certificate ends the recognitions
        # resting on that one, in this transaction.
        await lapse_after_write(context, enterprise_id)
        return await _certificate(info, new_id)

    @strawberry.mutation(
        description="Revoke a standardization certificate your department issued, with the "
        "reason (from `on`, today by default). Expiry needs no mutation: a certificate is "
        "EXPIRED once its validUntil has passed."
    )
    async def revoke_standardization_certificate(
        self, info: Info, input: RevokeStandardizationCertificateInput
    ) -> StandardizationCertificatePayload:
        context = info.context
        problems = Problems()
        async with context.database() as session, session.begin_nested():
            department = await _grader(context, session)
            certificate = await own_certificate(session, department, parse_record_id(input.id))
            if certificate is None:
                problems.add("id", "exists", "no certificate of your department has this id")
                return StandardizationCertificatePayload(errors=problems.errors)
            reason = problems.text("reason", input.reason, max_length=4000)
            on = input.on or dt.date.today()
            if (problem := revocation_problem(certificate, on)) is not None:
                problems.add(*problem)
            if problems.errors:
                return StandardizationCertificatePayload(errors=problems.errors)
            certificate.revoked_on, certificate.revocation_reason = on, reason
            await session.flush()
            certificate_id, enterprise_id = certificate.id, certificate.enterprise_id
            await note_change(session, "standardization_certificate", certificate_id)
        await lapse_after_write(context, enterprise_id)  # the recognitions resting on it
        return await _certificate(info, certificate_id)


async def _certificate(info: Info, certificate_id: int) -> StandardizationCertificatePayload:
    """Written records go back through the gate like any other read."""
    found: StandardizationCertificate | None = await one_record(
        info.context, info.path, "standardization_certificate", certificate_id
    )
    return StandardizationCertificatePayload(certificate=found)
