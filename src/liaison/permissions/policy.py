"""Grants as stated by agreements, compiled into what one department may see for one purpose."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from liaison.permissions.catalogue import RECORD_TYPES, Access
from liaison.permissions.incident_access import DURING_INCIDENT, OpenIncident
from liaison.permissions.record_types import PARTY_BITS


class Level(enum.IntEnum):
    NONE = 0
    MASKED = 1
    FULL = 2


@dataclass(frozen=True, slots=True)
class Scope:
    """Which enterprises a grant covers. Each facet given narrows it; none given: all."""

    zones: frozenset[str] = frozenset()
    industries: frozenset[str] = frozenset()
    enterprises: frozenset[str] = frozenset()  # USCCs

    @property
    def everything(self) -> bool:
        return not (self.zones or self.industries or self.enterprises)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Iterable[str]] | None) -> Scope:
        data = data or {}
        unknown = set(data) - {"zones", "industries", "enterprises"}
        if unknown:
            raise ValueError(f"unknown scope facet(s): {', '.join(sorted(unknown))}")
        return cls(
            zones=frozenset(data.get("zones", ())),
            industries=frozenset(data.get("industries", ())),
            enterprises=frozenset(data.get("enterprises", ())),
        )

    def as_mapping(self) -> dict[str, list[str]]:
        facets = {
            "zones": self.zones,
            "industries": self.industries,
            "enterprises": self.enterprises,
        }
        return {name: sorted(values) for name, values in facets.items() if values}


@dataclass(frozen=True, slots=True)
class AgreementRef:
    agreement_id: int
    code: str
    version: int
    valid_until: dt.datetime


@dataclass(frozen=True, slots=True)
class GrantTerms:
    """One grant as an agreement version states it, whatever that version's status."""

    agreement: AgreementRef
    status: str
    valid_from: dt.datetime
    provider: str
    consumer: str
    record_type: str
    fields: Mapping[str, Level]
    scope: Scope
    purposes: frozenset[str]
    # None: a standing grant. "incident": only during an incident (permissions.incident_access).
    during: str | None = None

    def in_force(self, now: dt.datetime) -> bool:
        return self.status == "active" and self.valid_from <= now < self.agreement.valid_until


class InvalidGrant(ValueError):
    """A grant that names an unknown record type, an unshareable field or a bad level."""


def validate_grant_fields(record_type: str, fields: Mapping[str, str]) -> dict[str, Level]:
    """Checks a grant's explicit field list against the catalogue; returns the levels."""
    if record_type not in RECORD_TYPES:
        raise InvalidGrant(f"unknown record type {record_type!r}")
    if not fields:
        raise InvalidGrant(f"a grant of {record_type} must list its fields")
    elements = RECORD_TYPES[record_type].elements
    levels: dict[str, Level] = {}
    for name, level_name in fields.items():
        governed = elements.get(name)
        if governed is None or governed.access is not Access.GOVERNED:
            raise InvalidGrant(f"{record_type}.{name} is not a shareable field")
        try:
            level = Level[level_name.upper()]
        except KeyError:
            raise InvalidGrant(f"level of {record_type}.{name} must be full or masked") from None
        if level is Level.NONE:
            raise InvalidGrant(f"level of {record_type}.{name} must be full or masked")
        if level is Level.MASKED and governed.mask is None:
            raise InvalidGrant(
                f"{record_type}.{name} declares no masking; grant it full or not at all"
            )
        levels[name] = level
    return levels


@dataclass(frozen=True, slots=True)
class ActiveGrant:
    index: int  # position among this provider's grants of this record type: a bit in SQL
    agreement: AgreementRef
    provider: str
    record_type: str
    fields: Mapping[str, Level]
    scope: Scope
    purposes: frozenset[str]
    # The incident (its reference) a grant ``during: incident`` was compiled for.
    incident: str | None = None


@dataclass(frozen=True)
class CompiledPolicy:
    """What ``consumer`` may see of others' records when acting for ``purpose``, until
    ``valid_until`` (the earliest moment a grant starts or stops applying)."""

    consumer: str
    purpose: str | None
    valid_until: dt.datetime | None
    grants: Mapping[tuple[str, str], tuple[ActiveGrant, ...]] = field(default_factory=dict)

    def providers(self, record_type: str) -> dict[str, tuple[ActiveGrant, ...]]:
        return {p: g for (p, t), g in self.grants.items() if t == record_type}

    def grants_from(self, provider: str, record_type: str) -> tuple[ActiveGrant, ...]:
        return self.grants.get((provider, record_type), ())

    def fresh(self, now: dt.datetime) -> bool:
        return self.valid_until is None or now < self.valid_until


def compile_policy(
    terms: Iterable[GrantTerms],
    *,
    consumer: str,
    purpose: str | None,
    now: dt.datetime,
    incident: OpenIncident | None = None,
) -> CompiledPolicy:
    """``incident``: the open incident the request's case reference names, if any. Grants
    ``during: incident`` apply only through it (see ``incident_access``), after the
    standing grants, so that a standing grant that gives as much is the one recorded."""
    grouped: dict[tuple[str, str], list[ActiveGrant]] = {}
    boundaries: list[dt.datetime] = []
    ordered = sorted(terms, key=lambda grant: grant.during is not None)
    for grant in ordered:
        if grant.consumer != consumer or grant.status != "active":
            continue
        if now < grant.valid_from:
            boundaries.append(grant.valid_from)
            continue
        if not grant.in_force(now):
            continue
        boundaries.append(grant.agreement.valid_until)
        if purpose is None or purpose not in grant.purposes:
            continue
        scope = grant.scope
        if grant.during is not None:
            if grant.during != DURING_INCIDENT or incident is None:
                continue
            if not incident.admits(consumer, purpose):
                continue
            narrowed = incident.narrow(grant.scope)
            if narrowed is None:
                continue
            scope = narrowed
        key = (grant.provider, grant.record_type)
        bucket = grouped.setdefault(key, [])
        if len(bucket) >= PARTY_BITS:
            # The bits above belong to party rules (see record_types.PARTY_BITS).
            raise InvalidGrant(
                f"more than {PARTY_BITS} grants in force from {grant.provider} to {consumer} "
                f"of {grant.record_type}: consolidate the agreements"
            )
        bucket.append(
            ActiveGrant(
                index=len(bucket),
                agreement=grant.agreement,
                provider=grant.provider,
                record_type=grant.record_type,
                fields=dict(grant.fields),
                scope=scope,
                purposes=grant.purposes,
                incident=incident.reference if grant.during is not None and incident else None,
            )
        )
    return CompiledPolicy(
        consumer=consumer,
        purpose=purpose,
        valid_until=min(boundaries, default=None),
        grants={key: tuple(bucket) for key, bucket in grouped.items()},
    )
