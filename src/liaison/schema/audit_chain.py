"""``auditChain``: the audit trail's verification status, for auditors and admins.

The chain is the platform's, one for every department: its status says how many events
there are and whether they verify, never whose they are. Verified incrementally
(``db.audit_checkpoint``); reading it is not itself audited, like ``accessLog``.
"""

from __future__ import annotations

import strawberry

from liaison.db.audit_checkpoint import verify_incrementally
from liaison.permissions.principal import Role
from liaison.schema.context import Context
from liaison.schema.errors import forbidden
from liaison.schema.types.audit_chain import AuditChainStatus

Info = strawberry.Info[Context, None]


@strawberry.type
class AuditChainQuery:
    @strawberry.field(
        description="Whether the audit chain verifies, from the last verified checkpoint to "
        "the head. Auditors and platform admins; anyone else gets FORBIDDEN."
    )
    async def audit_chain(self, info: Info) -> AuditChainStatus:
        context = info.context
        if not (context.principal.has(Role.AUDITOR) or context.principal.has(Role.ADMIN)):
            raise forbidden(
                "The audit chain's status is open to auditors and platform administrators.",
                role="auditor",
            )
        async with context.database() as session:
            status = await verify_incrementally(session)
        return AuditChainStatus.of(status)
