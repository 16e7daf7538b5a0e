"""What a shared record type is made of: its elements (one per field), how each may be
shared, and the parties that see its records by their part in them rather than by an
agreement. Plain data; :mod:`liaison.permissions.catalogue` lists the record types."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from liaison.permissions.masking import Mask


class Access(enum.Enum):
    PUBLIC = "public"  # any authenticated department: joins records across departments
    WITH_RECORD = "with_record"  # keys and links: visible wherever the record itself is
    GOVERNED = "governed"  # only the owner, or through a grant (or as a party)


@dataclass(frozen=True, slots=True)
class Element:
    record_type: str
    field: str
    access: Access
    mask: Mask | None = None

    @property
    def name(self) -> str:
        return f"{self.record_type}.{self.field}"


@dataclass(frozen=True, slots=True)
class PartyRule:
    """Departments that see a record in full because of their part in it — a plan's
    participants, a referral's receiver, a responder to an incident — whatever the standing
    agreements say. A disclosure of its own kind: the audit names ``basis`` as its reason.
    Which departments hold the part is a condition on the record's row (``db`` states it)."""

    name: str  # e.g. "participant"
    basis: str  # e.g. "participant of the joint inspection plan"


# Scope bits (see db.scope): a grant's bit is its index among one provider's grants of one
# record type; a party rule's bit is PARTY_BITS + its position in the record type's rules.
PARTY_BITS = 24
MAX_PARTY_RULES = 6


@dataclass(frozen=True, slots=True)
class RecordType:
    name: str
    description: str
    elements: dict[str, Element]
    # Listed to every department (so records can be joined), governed fields aside.
    always_listed: bool = False
    parties: tuple[PartyRule, ...] = ()

    def governed(self) -> list[Element]:
        return [e for e in self.elements.values() if e.access is Access.GOVERNED]

    def party_bit(self, rule: PartyRule) -> int:
        return 1 << (PARTY_BITS + self.parties.index(rule))

    def parties_in(self, scope_bits: int) -> list[PartyRule]:
        return [rule for n, rule in enumerate(self.parties) if scope_bits >> (PARTY_BITS + n) & 1]


# Every record of another department's names its id, its owner and what it belongs to.
LINKS = ("id", "owner", "enterprise")


def record_type(
    name: str,
    description: str,
    *,
    public: tuple[str, ...] = (),
    with_record: tuple[str, ...] = (),
    governed: dict[str, Mask | None],
    always_listed: bool = False,
    parties: tuple[PartyRule, ...] = (),
) -> RecordType:
    if len(parties) > MAX_PARTY_RULES:
        raise ValueError(f"{name}: at most {MAX_PARTY_RULES} party rules")
    elements = [Element(name, f, Access.PUBLIC) for f in public]
    elements += [Element(name, f, Access.WITH_RECORD) for f in with_record]
    elements += [Element(name, f, Access.GOVERNED, mask) for f, mask in governed.items()]
    return RecordType(name, description, {e.field: e for e in elements}, always_listed, parties)


def add_parties(
    types: dict[str, RecordType], extra: dict[str, tuple[PartyRule, ...]]
) -> dict[str, RecordType]:
    """``types`` with party rules a workflow adds to record types it does not define (the
    sender's records a referral refers to, say), after the rules they declare themselves."""
    grown = dict(types)
    for name, rules in extra.items():
        before = grown[name]
        parties = (*before.parties, *rules)
        if len(parties) > MAX_PARTY_RULES:
            raise ValueError(f"{name}: at most {MAX_PARTY_RULES} party rules")
        grown[name] = replace(before, parties=parties)
    return grown
