"""Row scope in SQL: the one statement builder that decides which records a caller reaches.

Every query for shared records goes through :class:`RowAccess`; no repository filters by
department on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, false, literal, null, or_, true
from sqlalchemy.orm import InstrumentedAttribute

from liaison.db import models
from liaison.db.tables import RECORD_TABLES
from liaison.permissions.catalogue import RECORD_TYPES
from liaison.permissions.policy import ActiveGrant, CompiledPolicy, Scope


@dataclass(frozen=True)
class Directory:
    """Department codes and ids, both ways."""

    ids: Mapping[str, int]

    @cached_property
    def codes(self) -> dict[int, str]:
        return {v: k for k, v in self.ids.items()}


def _scope_clause(scope: Scope, by_enterprise: bool = True) -> ColumnElement[bool]:
    """Rows whose enterprise the scope holds. A record of no enterprise (a plan, a
    campaign) is in an unscoped grant's scope only."""
    facets: list[ColumnElement[bool]] = []
    if scope.zones:
        facets.append(models.Enterprise.zone.in_(sorted(scope.zones)))
    if scope.industries:
        facets.append(models.Enterprise.industry.in_(sorted(scope.industries)))
    if scope.enterprises:
        facets.append(models.Enterprise.uscc.in_(sorted(scope.enterprises)))
    if not facets:
        return true()
    return and_(true(), *facets) if by_enterprise else false()


@dataclass(frozen=True)
class RowAccess:
    policy: CompiledPolicy
    directory: Directory

    @property
    def consumer_id(self) -> int:
        return self.directory.ids[self.policy.consumer]

    def _providers(self, record_type: str) -> list[tuple[int, tuple[ActiveGrant, ...]]]:
        return [
            (self.directory.ids[provider], grants)
            for provider, grants in sorted(self.policy.providers(record_type).items())
            if provider in self.directory.ids
        ]

    def _scope(self, record_type: str, grant: ActiveGrant) -> ColumnElement[bool]:
        table = RECORD_TABLES[record_type]
        of_enterprise = table.model is models.Enterprise or table.enterprise is not None
        return _scope_clause(grant.scope, of_enterprise)

    def _parts(self, record_type: str) -> list[tuple[int, ColumnElement[bool]]]:
        """(bit, condition) of each party rule of the record type, for this consumer."""
        declared = RECORD_TYPES[record_type]
        conditions = RECORD_TABLES[record_type].parties
        return [
            (declared.party_bit(rule), conditions[rule.name](self.consumer_id))
            for rule in declared.parties
        ]

    def scope_bits(self, record_type: str, owner: InstrumentedAttribute[int]) -> ColumnElement[int]:
        """Per row, a bit for each of its owner's grants whose scope holds the row's
        enterprise, and one for each part the caller holds in it (others' rows only). The
        query must join ``enterprise`` when the record belongs to one."""
        whens = []
        for provider_id, grants in self._providers(record_type):
            bits: ColumnElement[int] = literal(0, Integer)
            for grant in grants:
                bits = bits + case((self._scope(record_type, grant), 1 << grant.index), else_=0)
            whens.append((owner == provider_id, bits))
        granted: ColumnElement[int] = case(*whens, else_=0) if whens else literal(0, Integer)
        parts = self._parts(record_type)
        if not parts:
            return granted
        held: ColumnElement[int] = literal(0, Integer)
        for bit, condition in parts:
            held = held + case((condition, bit), else_=0)
        return granted + case((owner == self.consumer_id, 0), else_=held)

    def shown(
        self,
        record_type: str,
        field: str,
        owner: InstrumentedAttribute[int],
        column: ColumnElement[Any],
    ) -> ColumnElement[Any]:
        """``column`` where the caller may see ``field`` (its own rows, others' rows whose
        enterprise a grant of that field holds, rows it is a party to), NULL elsewhere: a
        value the caller may not see never leaves the database. The query must join
        ``enterprise`` when the record belongs to one."""
        whens: list[tuple[ColumnElement[bool], ColumnElement[Any]]] = [
            (owner == self.consumer_id, column)
        ]
        for provider_id, grants in self._providers(record_type):
            scopes = [self._scope(record_type, g) for g in grants if field in g.fields]
            if scopes:
                whens.append((and_(owner == provider_id, or_(*scopes)), column))
        whens += [(condition, column) for _, condition in self._parts(record_type)]
        return case(*whens, else_=null())

    def reachable(self, record_type: str, owner: InstrumentedAttribute[int]) -> ColumnElement[bool]:
        """Own records, others' records some grant's scope holds, and records the caller
        is a party to."""
        clauses: list[ColumnElement[bool]] = [owner == self.consumer_id]
        for provider_id, grants in self._providers(record_type):
            clauses.append(
                and_(owner == provider_id, or_(*(self._scope(record_type, g) for g in grants)))
            )
        clauses += [condition for _, condition in self._parts(record_type)]
        return or_(false(), *clauses)
