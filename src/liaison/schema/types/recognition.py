"""Recognitions of another department's supervision result: who may see each field, at a
glance. The result itself is a link read through the gate as the result's own type (a
recognition discloses nothing of the result to anyone the result's owner does not)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from liaison.db.recognition_models import Facilitation, RecognitionStatus, ResultType
from liaison.schema.reach import reached
from liaison.schema.scalars import Day
from liaison.schema.shared import shared
from liaison.schema.types.records import (
    CreditRating,
    DangerousChemicalEntry,
    StandardizationCertificate,
)

if TYPE_CHECKING:
    from liaison.schema.types.enterprise import Enterprise

EnterpriseRef = Annotated["Enterprise", strawberry.lazy("liaison.schema.types.enterprise")]

# strawberry.enum annotates the classes in place; the schema uses them under these names.
strawberry.enum(
    ResultType,
    name="RecognisedResultType",
    description="The kind of supervision result recognised.",
)
strawberry.enum(Facilitation, name="Facilitation", description="What a recognition grants.")
strawberry.enum(
    RecognitionStatus,
    name="RecognitionStatus",
    description="ACTIVE, or LAPSED (by itself) when the result it rests on ended.",
)


async def _enterprise(root: Recognition, info: strawberry.Info) -> EnterpriseRef:
    enterprise: Enterprise = await info.context.loaders.enterprise.load(root.enterprise_id)
    reached(info.context, info.path, "enterprise", [enterprise])
    return enterprise


async def _one(record_type: str, key: int | None, info: strawberry.Info) -> Any | None:
    if key is None:
        return None
    found: list[Any] = await info.context.loaders.children(record_type, "id").load(key)
    reached(info.context, info.path, record_type, found)
    return found[0] if found else None


async def _entry(root: Recognition, info: strawberry.Info) -> DangerousChemicalEntry | None:
    found: DangerousChemicalEntry | None = await _one(
        "dangerous_chemical_entry", root.dangerous_chemical_entry_id, info
    )
    return found


async def _certificate(
    root: Recognition, info: strawberry.Info
) -> StandardizationCertificate | None:
    found: StandardizationCertificate | None = await _one(
        "standardization_certificate", root.standardization_certificate_id, info
    )
    return found


async def _rating(root: Recognition, info: strawberry.Info) -> CreditRating | None:
    found: CreditRating | None = await _one("credit_rating", root.credit_rating_id, info)
    return found


@strawberry.type(
    description="One department's (the owner's) recognition of another department's "
    "supervision result for an enterprise, and the facilitation it grants. The recognised "
    "department sees it whole. It lapses by itself when the result ends."
)
class Recognition:
    enterprise_id: strawberry.Private[int]
    dangerous_chemical_entry_id: strawberry.Private[int | None]
    standardization_certificate_id: strawberry.Private[int | None]
    credit_rating_id: strawberry.Private[int | None]
    id: strawberry.ID = shared("recognition.id")
    owner: str = shared("recognition.owner", "Code of the recognising department.")
    enterprise: EnterpriseRef = shared("recognition.enterprise", resolver=_enterprise)
    recognised: str | None = shared(
        "recognition.recognised", "Code of the department whose result is recognised."
    )
    result_type: ResultType | None = shared("recognition.result_type")
    dangerous_chemical_entry: DangerousChemicalEntry | None = shared(
        "recognition.dangerous_chemical_entry",
        "The recognised dangerous-chemical identification, as its owner shares it with you.",
        resolver=_entry,
    )
    standardization_certificate: StandardizationCertificate | None = shared(
        "recognition.standardization_certificate",
        "The recognised standardization level, as its owner shares it with you.",
        resolver=_certificate,
    )
    credit_rating: CreditRating | None = shared(
        "recognition.credit_rating",
        "The recognised credit (e.g. AEO) grade, as its owner shares it with you.",
        resolver=_rating,
    )
    facilitation: Facilitation | None = shared("recognition.facilitation")
    valid_from: Day | None = shared("recognition.valid_from")
    valid_until: Day | None = shared("recognition.valid_until")
    legal_basis: str | None = shared(
        "recognition.legal_basis", "The provisions under which the result is recognised."
    )
    recorded_on: Day | None = shared("recognition.recorded_on")
    status: RecognitionStatus | None = shared("recognition.status")
    in_force: bool | None = shared(
        "recognition.in_force", "Active, and today within validFrom..validUntil."
    )
    lapsed_on: Day | None = shared("recognition.lapsed_on")
    lapse_reason: str | None = shared(
        "recognition.lapse_reason", "What ended the result (never the new grade or level)."
    )
