from __future__ import annotations

import enum
from dataclasses import dataclass


class Role(enum.StrEnum):
    READER = "reader"
    CONTRIBUTOR = "contributor"
    STEWARD = "steward"
    AUDITOR = "auditor"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a person or system acting for exactly one department.

    Built only from a verified access token; there is no other way in.
    """

    subject: str
    department: str
    roles: frozenset[Role]
    client_id: str
    token_id: str
    expires_at: int

    def has(self, role: Role) -> bool:
        return role in self.roles or Role.ADMIN in self.roles
