"""Grants that apply only during an incident: the memorandum's coordinated emergency response.

A grant marked ``during: incident`` is in force for a consumer only

- for the purpose ``emergency_response``,
- when the request's case reference names an open incident the consumer's department has
  acknowledged (it is one of the incident's responders), and
- for records of the incident's enterprise and its neighbours: the enterprises of the same
  zone (a park is the unit of emergency planning).

Compiled for such a case, the grant's scope is narrowed to the incident's zone, so the row
scope in SQL is an ordinary zone scope. Without the case, for another purpose, for a
department that did not acknowledge, or once the incident is closed (it is then no longer
among the open incidents the policy is compiled with), nothing of such a grant applies.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from liaison.permissions.policy import Scope

DURING_INCIDENT = "incident"
EMERGENCY_RESPONSE = "emergency_response"
# What ``during`` may say in a grant; None is a standing grant.
CONDITIONS = frozenset({DURING_INCIDENT})


@dataclass(frozen=True, slots=True)
class OpenIncident:
    """An open incident as the policy compiler needs it: its reference (the case
    reference requests name it by), its zone, and the departments that acknowledged it."""

    reference: str
    zone: str
    responders: frozenset[str]

    def admits(self, consumer: str, purpose: str | None) -> bool:
        return purpose == EMERGENCY_RESPONSE and consumer in self.responders

    def narrow(self, scope: Scope) -> Scope | None:
        """``scope`` limited to the incident's zone; None when the two do not meet (a
        grant scoped to other zones gives nothing during this incident)."""
        if scope.zones and self.zone not in scope.zones:
            return None
        # Facets narrow together (all must hold): the zone joins whatever else it says.
        return replace(scope, zones=frozenset({self.zone}))
