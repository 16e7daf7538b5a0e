"""Reading certificates and the joint discipline list: one certificate by id, the lists
with their filters, and the ``certificateChanges`` / ``jointDisciplineChanges``
subscriptions. Written by schema.certificate_mutations."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from liaison.db.certificate_models import (
    Certificate as CertificateRow,
)
from liaison.db.certificate_models import (
    CertificateKind,
    CertificateStatus,
    DisciplineStatus,
)
from liaison.db.certificate_models import (
    JointDisciplineEntry as EntryRow,
)
from liaison.db.certificate_tables import certificate_status
from liaison.schema.context import Context
from liaison.schema.filters import Criterion, _enterprise_is, _uscc
from liaison.schema.one_record import one_record
from liaison.schema.pagination import Connection, parse_record_id
from liaison.schema.queries import record_page
from liaison.schema.subscriptions import of_enterprise, record_changes
from liaison.schema.types.certificates import Certificate, JointDisciplineEntry

Info = strawberry.Info[Context, None]


@strawberry.input(description="All given conditions must hold.")
class CertificateFilter:
    enterprise_uscc: str | None = None
    owner: str | None = None
    kind: CertificateKind | None = None
    status: CertificateStatus | None = None


@strawberry.input(description="All given conditions must hold.")
class JointDisciplineFilter:
    enterprise_uscc: str | None = None
    owner: str | None = None
    status: DisciplineStatus | None = None


CERTIFICATE_CRITERIA: dict[str, Criterion] = {
    "enterprise_uscc": Criterion("enterprise", _enterprise_is, _uscc),
    "kind": Criterion("kind", lambda v: CertificateRow.kind == str(v.value)),
    # The derived status itself: today is taken when the statement runs.
    "status": Criterion("status", lambda v: certificate_status() == str(v.value)),
}
DISCIPLINE_CRITERIA: dict[str, Criterion] = {
    "enterprise_uscc": Criterion("enterprise", _enterprise_is, _uscc),
    "status": Criterion("status", lambda v: EntryRow.status == str(v.value)),
}


@strawberry.type
class CertificateQuery:
    @strawberry.field(description="One certificate, or null if not visible.")
    async def certificate(self, info: Info, id: strawberry.ID) -> Certificate | None:
        key = parse_record_id(id)
        if key is None:
            return None
        found: Certificate | None = await one_record(info.context, info.path, "certificate", key)
        return found

    @strawberry.field(description="Certificates the caller may see: its own, and as shared.")
    async def certificates(
        self,
        info: Info,
        filter: CertificateFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Certificate]:
        return await record_page(info, "certificate", filter, CERTIFICATE_CRITERIA, first, after)

    @strawberry.field(
        description="The joint discipline list as the caller may see it: entries it made, "
        "those it applies measures for, and others' as shared. `filter: {status: LISTED}` "
        "is the enterprises on the list now."
    )
    async def joint_discipline_list(
        self,
        info: Info,
        filter: JointDisciplineFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[JointDisciplineEntry]:
        return await record_page(
            info, "joint_discipline_entry", filter, DISCIPLINE_CRITERIA, first, after
        )


@strawberry.type
class CertificateSubscription:
    @strawberry.subscription(
        description="Each certificate, from now on, as it is issued, audited, suspended, "
        "resumed or revoked, that you may see; optionally of one enterprise (USCC)."
    )
    async def certificate_changes(
        self, info: Info, uscc: str | None = None
    ) -> AsyncGenerator[Certificate, None]:
        return record_changes(info, "certificate", of_enterprise(uscc))

    @strawberry.subscription(
        description="Each entry of the joint discipline list, from now on, as an enterprise "
        "enters it or leaves it by credit repair, that you may see (your agreements cover "
        "the enterprise, or you apply measures to it); optionally of one enterprise (USCC)."
    )
    async def joint_discipline_changes(
        self, info: Info, uscc: str | None = None
    ) -> AsyncGenerator[JointDisciplineEntry, None]:
        return record_changes(info, "joint_discipline_entry", of_enterprise(uscc))
