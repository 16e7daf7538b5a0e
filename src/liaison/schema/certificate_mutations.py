"""Writing a work-safety standardization certificate (the emergency management bureau's):
a new certificate with a lower level ends the recognitions resting on the earlier one, in
the same transaction."""

from __future__ import annotations

import datetime as dt

import strawberry
from sqlalchemy import select

from liaison.db import models
from liaison.db.changes import note_change
from liaison.permissions.principal import Role
from liaison.schema.context import Context
from liaison.schema.errors import forbidden
from liaison.schema.mutations import InputError, Problems
from liaison.schema.one_record import one_record
from liaison.schema.recognition_lapse import lapse_after_write
from liaison.schema.recognition_mutations import enterprise_of
from liaison.schema.types.records import StandardizationCertificate

Info = strawberry.Info[Context, None]

CERTIFYING_KINDS = frozenset({"emergency_management"})


@strawberry.input
class RecordStandardizationCertificateInput:
    uscc: str
    level: int
    certificate_number: str
    issued_on: dt.date
    valid_until: dt.date


@strawberry.type
class StandardizationCertificatePayload:
    certificate: StandardizationCertificate | None = None
    errors: list[InputError] = strawberry.field(default_factory=list)


@strawberry.type
class CertificateMutation:
    @strawberry.mutation(
        description="Record a work-safety standardization certificate (emergency management): "
        "level 1 is the highest. A lower level than the enterprise's previous certificate "
        "lapses the recognitions resting on that one."
    )
    async def record_standardization_certificate(
        self, info: Info, input: RecordStandardizationCertificateInput
    ) -> StandardizationCertificatePayload:
        context = info.context
        if not context.principal.has(Role.CONTRIBUTOR):
            raise forbidden("Writing records needs the contributor role.", role="contributor")
        problems = Problems()
        async with context.database() as session, session.begin_nested():
            department = await session.scalar(
                select(models.Department).where(
                    models.Department.code == context.principal.department
                )
            )
            if department is None or department.kind not in CERTIFYING_KINDS:
                raise forbidden(
                    f"Department {context.principal.department} does not keep "
                    "standardization_certificate records."
                )
            enterprise_id = await enterprise_of(session, problems, input.uscc)
            number = problems.text("certificateNumber", input.certificate_number, max_length=64)
            if not 1 <= input.level <= 3:
                problems.add("level", "range", "level is 1, 2 or 3 (1 is the highest)")
            if input.valid_until <= input.issued_on:
                problems.add("validUntil", "order", "validUntil must be after issuedOn")
            if input.issued_on > dt.date.today():
                problems.add("issuedOn", "past", "issuedOn must not be in the future")
            duplicate = await session.scalar(
                select(models.StandardizationCertificate.id).where(
                    models.StandardizationCertificate.certificate_number == number
                )
            )
            if duplicate is not None:
                problems.add("certificateNumber", "unique", "this certificate is already recorded")
            if problems.errors or enterprise_id is None:
                return StandardizationCertificatePayload(errors=problems.errors)
            certificate = models.StandardizationCertificate(
                enterprise_id=enterprise_id,
                owner_department_id=department.id,
                level=input.level,
                certificate_number=number,
                issued_on=input.issued_on,
                valid_until=input.valid_until,
            )
            session.add(certificate)
            await session.flush()
            new_id = certificate.id
            await note_change(session, "standardization_certificate", new_id)
        await lapse_after_write(context, enterprise_id)
        found: StandardizationCertificate | None = await one_record(
            context, info.path, "standardization_certificate", new_id
        )
        return StandardizationCertificatePayload(certificate=found)
