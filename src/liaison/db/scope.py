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
from liaison.permissions.policy import ActiveGrant, CompiledPolicy, Scope


@dataclass(frozen=True)
class Directory:
    """Department codes and ids, both ways."""

    ids: Mapping[str, int]

    @cached_property
    def codes(self) -> dict[int, str]:
        return {v: k for k, v in self.ids.items()}


def _scope_clause(scope: Scope) -> ColumnElement[bool]:
    facets: list[ColumnElement[bool]] = []
    if scope.zones:
        facets.append(models.Enterprise.zone.in_(sorted(scope.zones)))
    if scope.industries:
        facets.append(models.Enterprise.industry.in_(sorted(scope.industries)))
    if scope.enterprises:
        facets.append(models.Enterprise.uscc.in_(sorted(scope.enterprises)))
    return and_(true(), *facets) if facets else true()


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

    def scope_bits(self, record_type: str, owner: InstrumentedAttribute[int]) -> ColumnElement[int]:
        """Per row, a bit for each of its owner's grants whose scope holds the row's
        enterprise. The query must join ``enterprise``."""
        whens = []
        for provider_id, grants in self._providers(record_type):
            bits: ColumnElement[int] = literal(0, Integer)
            for grant in grants:
                bits = bits + case((_scope_clause(grant.scope), 1 << grant.index), else_=0)
            whens.append((owner == provider_id, bits))
        if not whens:
            return literal(0, Integer)
        return case(*whens, else_=0)

    def shown(
        self,
        record_type: str,
        field: str,
        owner: InstrumentedAttribute[int],
        column: ColumnElement[Any],
    ) -> ColumnElement[Any]:
        """``column`` where the caller may see ``field`` (its own rows, and others' rows
        whose enterprise a grant of that field holds), NULL elsewhere: a value the caller
        may not see never leaves the database. The query must join ``enterprise``."""
        whens: list[tuple[ColumnElement[bool], ColumnElement[Any]]] = [
            (owner == self.consumer_id, column)
        ]
        for provider_id, grants in self._providers(record_type):
            scopes = [_scope_clause(g.scope) for g in grants if field in g.fields]
            if scopes:
                whens.append((and_(owner == provider_id, or_(*scopes)), column))
        return case(*whens, else_=null())

    def reachable(self, record_type: str, owner: InstrumentedAttribute[int]) -> ColumnElement[bool]:
        """Own records, and others' records some grant's scope holds."""
        clauses: list[ColumnElement[bool]] = [owner == self.consumer_id]
        for provider_id, grants in self._providers(record_type):
            clauses.append(
                and_(owner == provider_id, or_(*(_scope_clause(g.scope) for g in grants)))
            )
        return or_(false(), *clauses)
