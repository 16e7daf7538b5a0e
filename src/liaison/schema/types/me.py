from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry

from liaison.schema.types.agreement import EffectiveGrant

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
    grants: list[EffectiveGrant] = strawberry.field(
        description="Every field of other departments' records the caller's department may "
        "see now, for any purpose: clients use it to hide what they cannot show."
    )

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
            grants=EffectiveGrant.all_of(context.grants_in_force),
        )
