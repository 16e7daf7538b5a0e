from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry

if TYPE_CHECKING:
    from liaison.schema.context import Context


@strawberry.type(description="The caller, as its access token and request state it.")
class Me:
    subject: str
    department: str
    roles: list[str]
    client_id: str
    purpose: str | None
    case_reference: str | None

    @classmethod
    def of(cls, context: Context) -> Me:
        principal = context.principal
        return cls(
            subject=principal.subject,
            department=principal.department,
            roles=sorted(principal.roles),
            client_id=principal.client_id,
            purpose=context.purpose,
            case_reference=context.case_reference,
        )
