"""How a shared record type is stored: its table, the column behind each catalogue field,
the links always read with a record, and the SQL condition behind each of its party rules.

Each workflow declares its tables in a module of its own; :mod:`liaison.db.tables` lists
them all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import ColumnElement, Date, bindparam

# A party rule's condition on a row: given the consumer's department id, true where the
# consumer holds that part in the record (see permissions.record_types.PartyRule).
PartyCondition = Callable[[int], ColumnElement[bool]]


def today() -> ColumnElement[dt.date]:
    """Today's date, taken when the statement runs (statements are built once and kept)."""
    return bindparam("today", callable_=dt.date.today, type_=Date, unique=True)


@dataclass(frozen=True)
class RecordTable:
    model: Any
    columns: dict[str, Any]  # catalogue field -> column expression
    # Catalogue fields that hold another record's id (the enterprise, a plan, a visit):
    # always read, so nested fields can load what they point at.
    links: tuple[str, ...] = ()
    parties: Mapping[str, PartyCondition] = field(default_factory=dict)
    # The record names its enterprise only if known (a public report): its rows are read
    # with an outer join, and one of no enterprise reaches only unscoped grants.
    enterprise_optional: bool = False

    @property
    def id(self) -> Any:
        return self.columns["id"]

    @property
    def owner(self) -> Any:
        return self.model.owner_department_id

    @property
    def enterprise(self) -> Any | None:
        """The enterprise the record belongs to (its row scope), if it belongs to one."""
        return self.columns.get("enterprise")


def columns_of(model: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(model, name) for name in names}


def child_table(
    model: Any,
    *names: str,
    links: tuple[str, ...] = (),
    parties: Mapping[str, PartyCondition] | None = None,
    enterprise_optional: bool = False,
    **computed: Any,
) -> RecordTable:
    """A record of one enterprise (``enterprise_id``; with ``enterprise_optional``, of one
    enterprise or none), owned by a department."""
    columns = columns_of(model, ("id", *names))
    columns["owner"] = model.owner_department_id
    columns["enterprise"] = model.enterprise_id
    for link in links:
        columns.setdefault(link, getattr(model, f"{link}_id"))
    columns.update(computed)
    return RecordTable(model, columns, ("enterprise", *links), parties or {}, enterprise_optional)


def add_parties(
    tables: dict[str, RecordTable], extra: Mapping[str, Mapping[str, PartyCondition]]
) -> dict[str, RecordTable]:
    """``tables`` with the conditions of party rules a workflow adds to record types it
    does not define (see ``permissions.record_types.add_parties``)."""
    grown = dict(tables)
    for name, conditions in extra.items():
        before = grown[name]
        grown[name] = replace(before, parties={**before.parties, **conditions})
    return grown
