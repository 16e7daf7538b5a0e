"""One decision per (provider, record type, field) and set of matching grants."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from liaison.permissions.catalogue import RECORD_TYPES, Access, Element
from liaison.permissions.policy import ActiveGrant, AgreementRef, CompiledPolicy, Level
from liaison.permissions.record_types import PARTY_BITS


@dataclass(frozen=True, slots=True)
class Decision:
    level: Level
    agreement: AgreementRef | None
    reason: str


OWN = Decision(Level.FULL, None, "own record")
OPEN = Decision(Level.FULL, None, "visible to every department")
WITH_RECORD = Decision(Level.FULL, None, "visible with its record")


def matching_grants(grants: Iterable[ActiveGrant], scope_bits: int) -> list[ActiveGrant]:
    return [g for g in grants if g.index < PARTY_BITS and scope_bits >> g.index & 1]


def decide(policy: CompiledPolicy, *, owner: str, element: Element, scope_bits: int) -> Decision:
    """How ``policy.consumer`` sees ``element`` of a record owned by ``owner`` whose
    enterprise falls in the scopes of the grants flagged in ``scope_bits`` (and for which
    the consumer holds the parts flagged there, see ``RecordType.parties``)."""
    if element.access is Access.PUBLIC:
        return OPEN
    if owner == policy.consumer:
        return OWN
    record_type = RECORD_TYPES[element.record_type]
    candidates = matching_grants(policy.grants_from(owner, element.record_type), scope_bits)
    parties = record_type.parties_in(scope_bits)
    if element.access is Access.WITH_RECORD:
        if candidates or parties or record_type.always_listed:
            return WITH_RECORD
        return Decision(Level.NONE, None, _missing(policy, owner, element.record_type))
    if parties:
        # A party sees the record whole, whatever the agreements say: the disclosure is of
        # its own kind, and its reason says which part made it.
        return Decision(Level.FULL, None, f"party: {parties[0].basis}")
    best: Decision | None = None
    for grant in candidates:
        level = grant.fields.get(element.field, Level.NONE)
        if level and (best is None or level > best.level):
            best = Decision(level, grant.agreement, _granted(grant))
    if best is not None:
        return best
    if candidates:
        return Decision(Level.NONE, None, f"no grant from {owner} covers {element.name}")
    return Decision(Level.NONE, None, _missing(policy, owner, element.record_type))


def _granted(grant: ActiveGrant) -> str:
    if grant.incident is not None:
        # Emergency access: the memorandum allowed it, the incident opened it.
        return f"granted by {grant.agreement.code} during incident {grant.incident}"
    return f"granted by {grant.agreement.code}"


def _missing(policy: CompiledPolicy, owner: str, record_type: str) -> str:
    if policy.purpose is None:
        return "no purpose stated"
    return f"no active grant from {owner} of {record_type} for purpose {policy.purpose}"
