"""Safety grades and standardization certificates: root lists, lookups by id, and their
subscriptions, read through the same gate as every record."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import strawberry

from liaison.codes import validate_uscc
from liaison.db import models
from liaison.db.ledger_tables import certificate_status
from liaison.schema.context import Context
from liaison.schema.enums import SafetyGradeScheme, StandardizationCertificateStatus
from liaison.schema.filters import Criterion
from liaison.schema.one_record import one_record
from liaison.schema.pagination import Connection, parse_record_id
from liaison.schema.queries import record_page
from liaison.schema.subscriptions import of_enterprise, record_changes
from liaison.schema.types.records import SafetyGrade, StandardizationCertificate

Info = strawberry.Info[Context, None]


def _enterprise_is(value: str) -> Any:
    return models.Enterprise.uscc == value


@strawberry.input(description="All given conditions must hold.")
class SafetyGradeFilter:
    enterprise_uscc: str | None = None
    owner: str | None = None
    scheme: SafetyGradeScheme | None = None
    grade: str | None = None


G = models.SafetyGrade
GRADE_CRITERIA: dict[str, Criterion] = {
    "enterprise_uscc": Criterion("enterprise", _enterprise_is, validate_uscc),
    "scheme": Criterion("scheme", lambda v: G.scheme == str(v.value)),
    "grade": Criterion("grade", lambda v: G.grade == v),
}


@strawberry.input(description="All given conditions must hold.")
class StandardizationCertificateFilter:
    enterprise_uscc: str | None = None
    owner: str | None = None
    level: int | None = None
    status: StandardizationCertificateStatus | None = None


S = models.StandardizationCertificate
CERTIFICATE_CRITERIA: dict[str, Criterion] = {
    "enterprise_uscc": Criterion("enterprise", _enterprise_is, validate_uscc),
    "level": Criterion("level", lambda v: S.level == v),
    "status": Criterion("status", lambda v: certificate_status() == str(v.value)),
}


async def _by_id(info: Info, record_type: str, record_id: strawberry.ID) -> Any:
    key = parse_record_id(record_id)
    if key is None:
        return None
    return await one_record(info.context, info.path, record_type, key)


@strawberry.type
class GradeQuery:
    @strawberry.field(description="A-D safety grades the caller may see.")
    async def safety_grades(
        self,
        info: Info,
        filter: SafetyGradeFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[SafetyGrade]:
        return await record_page(info, "safety_grade", filter, GRADE_CRITERIA, first, after)

    @strawberry.field(description="Standardization certificates the caller may see.")
    async def standardization_certificates(
        self,
        info: Info,
        filter: StandardizationCertificateFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[StandardizationCertificate]:
        return await record_page(
            info, "standardization_certificate", filter, CERTIFICATE_CRITERIA, first, after
        )

    @strawberry.field(description="One safety grade, or null if not visible.")
    async def safety_grade(self, info: Info, id: strawberry.ID) -> SafetyGrade | None:
        found: SafetyGrade | None = await _by_id(info, "safety_grade", id)
        return found

    @strawberry.field(description="One standardization certificate, or null if not visible.")
    async def standardization_certificate(
        self, info: Info, id: strawberry.ID
    ) -> StandardizationCertificate | None:
        found: StandardizationCertificate | None = await _by_id(
            info, "standardization_certificate", id
        )
        return found


@strawberry.type
class GradeSubscription:
    @strawberry.subscription(
        description="Each safety grade, from now on, as the bureau grades an enterprise, "
        "that you may see; optionally of one enterprise (USCC)."
    )
    async def safety_grade_issued(
        self, info: Info, uscc: str | None = None
    ) -> AsyncGenerator[SafetyGrade, None]:
        return record_changes(info, "safety_grade", of_enterprise(uscc))

    @strawberry.subscription(
        description="Each standardization certificate, from now on, as it is issued or "
        "revoked, that you may see; optionally of one enterprise (USCC)."
    )
    async def standardization_certificate_changed(
        self, info: Info, uscc: str | None = None
    ) -> AsyncGenerator[StandardizationCertificate, None]:
        return record_changes(info, "standardization_certificate", of_enterprise(uscc))
