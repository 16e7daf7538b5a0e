"""Certificates, their events and the joint discipline list: who may see each field, at a
glance. Links and nested lists go through the gate like any other read."""

from __future__ import annotations

from typing import Any

import strawberry

from liaison.db.certificate_models import (
    CertificateEventKind,
    CertificateKind,
    CertificateStatus,
    DisciplineMeasure,
    DisciplineStatus,
    DisciplineTrigger,
    ReasonCategory,
)
from liaison.schema.reach import reached
from liaison.schema.scalars import Day
from liaison.schema.shared import shared
from liaison.schema.types.records import CreditRating, EnterpriseRef, _enterprise

strawberry.enum(CertificateKind, name="CertificateKind")
strawberry.enum(
    CertificateStatus,
    name="CertificateStatus",
    description="VALID -> SUSPENDED -> VALID (resumed); VALID or SUSPENDED -> REVOKED; "
    "EXPIRED once validUntil has passed, unless revoked first.",
)
strawberry.enum(CertificateEventKind, name="CertificateEventKind")
strawberry.enum(
    ReasonCategory,
    name="CertificateReasonCategory",
    description="A revocation for SAFETY_VIOLATION or ENVIRONMENTAL_VIOLATION puts the "
    "enterprise on the joint discipline list.",
)
strawberry.enum(DisciplineTrigger, name="JointDisciplineTrigger")
strawberry.enum(DisciplineStatus, name="JointDisciplineStatus", description="LISTED -> REPAIRED.")
strawberry.enum(DisciplineMeasure, name="JointDisciplineMeasureKind")


async def _one(record_type: str, key: int | None, info: strawberry.Info) -> Any | None:
    if key is None:
        return None
    found: list[Any] = await info.context.loaders.children(record_type, "id").load(key)
    reached(info.context, info.path, record_type, found)
    return found[0] if found else None


async def _children(record_type: str, link: str, key: int, info: strawberry.Info) -> list[Any]:
    rows: list[Any] = await info.context.loaders.children(record_type, link).load(key)
    reached(info.context, info.path, record_type, rows)
    return rows


async def _events(root: Certificate, info: strawberry.Info) -> list[CertificateEvent]:
    return await _children("certificate_event", "certificate", int(root.id), info)


async def _certificate(root: CertificateEvent, info: strawberry.Info) -> Certificate | None:
    found: Certificate | None = await _one("certificate", root.certificate_id, info)
    return found


async def _measures(
    root: JointDisciplineEntry, info: strawberry.Info
) -> list[JointDisciplineMeasure]:
    return await _children("joint_discipline_measure", "entry", int(root.id), info)


async def _rating(root: JointDisciplineEntry, info: strawberry.Info) -> CreditRating | None:
    found: CreditRating | None = await _one("credit_rating", root.credit_rating_id, info)
    return found


async def _revocation(root: JointDisciplineEntry, info: strawberry.Info) -> CertificateEvent | None:
    found: CertificateEvent | None = await _one(
        "certificate_event", root.certificate_event_id, info
    )
    return found


async def _entry(
    root: JointDisciplineMeasure, info: strawberry.Info
) -> JointDisciplineEntry | None:
    found: JointDisciplineEntry | None = await _one("joint_discipline_entry", root.entry_id, info)
    return found


@strawberry.type(description="One step in a certificate's life, with its reason and basis.")
class CertificateEvent:
    enterprise_id: strawberry.Private[int]
    certificate_id: strawberry.Private[int]
    id: strawberry.ID = shared("certificate_event.id")
    owner: str = shared("certificate_event.owner", "The certificate's issuer.")
    enterprise: EnterpriseRef = shared("certificate_event.enterprise", resolver=_enterprise)
    certificate: Certificate | None = shared("certificate_event.certificate", resolver=_certificate)
    kind: CertificateEventKind | None = shared("certificate_event.kind")
    occurred_on: Day | None = shared("certificate_event.occurred_on")
    reason_category: ReasonCategory | None = shared("certificate_event.reason_category")
    reason: str | None = shared("certificate_event.reason")
    legal_basis: str | None = shared("certificate_event.legal_basis")


@strawberry.type(
    description="A licence or management-system certification issued to an enterprise by "
    "its owner; its status derives from its events and its validity."
)
class Certificate:
    enterprise_id: strawberry.Private[int]
    id: strawberry.ID = shared("certificate.id")
    owner: str = shared("certificate.owner", "The issuing department.")
    enterprise: EnterpriseRef = shared("certificate.enterprise", resolver=_enterprise)
    kind: CertificateKind | None = shared("certificate.kind")
    number: str | None = shared("certificate.number")
    issuing_body: str | None = shared("certificate.issuing_body")
    scope: str | None = shared("certificate.scope")
    valid_from: Day | None = shared("certificate.valid_from")
    valid_until: Day | None = shared("certificate.valid_until")
    status: CertificateStatus | None = shared(
        "certificate.status", "Derived from its events; EXPIRED once validUntil has passed."
    )
    events: list[CertificateEvent] = shared("certificate.events", "Oldest first.", resolver=_events)


@strawberry.type(description="A measure one department applies to a listed enterprise.")
class JointDisciplineMeasure:
    enterprise_id: strawberry.Private[int]
    entry_id: strawberry.Private[int]
    id: strawberry.ID = shared("joint_discipline_measure.id")
    owner: str = shared("joint_discipline_measure.owner", "The entry's owner.")
    enterprise: EnterpriseRef = shared("joint_discipline_measure.enterprise", resolver=_enterprise)
    entry: JointDisciplineEntry | None = shared("joint_discipline_measure.entry", resolver=_entry)
    department: str | None = shared(
        "joint_discipline_measure.department", "The department that applies it."
    )
    measure: DisciplineMeasure | None = shared("joint_discipline_measure.measure")


@strawberry.type(
    description="An enterprise's stay on the joint discipline list of discredited "
    "enterprises, owned by the department whose rating or revocation put it there; the "
    "departments applying measures take part in it."
)
class JointDisciplineEntry:
    enterprise_id: strawberry.Private[int]
    credit_rating_id: strawberry.Private[int | None]
    certificate_event_id: strawberry.Private[int | None]
    id: strawberry.ID = shared("joint_discipline_entry.id")
    owner: str = shared("joint_discipline_entry.owner")
    enterprise: EnterpriseRef = shared("joint_discipline_entry.enterprise", resolver=_enterprise)
    since: Day | None = shared("joint_discipline_entry.since")
    trigger: DisciplineTrigger | None = shared("joint_discipline_entry.trigger")
    credit_rating: CreditRating | None = shared(
        "joint_discipline_entry.credit_rating",
        "The seriously dishonest rating that put it there, if that was the trigger.",
        resolver=_rating,
    )
    certificate_event: CertificateEvent | None = shared(
        "joint_discipline_entry.certificate_event",
        "The revocation that put it there, if that was the trigger.",
        resolver=_revocation,
    )
    status: DisciplineStatus | None = shared("joint_discipline_entry.status")
    repaired_on: Day | None = shared("joint_discipline_entry.repaired_on")
    repair_basis: str | None = shared("joint_discipline_entry.repair_basis")
    measures: list[JointDisciplineMeasure] = shared(
        "joint_discipline_entry.measures", resolver=_measures
    )
