"""Reading shared records: one query builder for every record type.

Projection: only the columns a request selects are fetched. Row scope: always
:class:`RowAccess`. Pagination: keyset on ``id``, never OFFSET.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, case, select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db import models
from liaison.db.scope import RowAccess
from liaison.permissions.catalogue import RECORD_TYPES


@dataclass(frozen=True)
class RecordTable:
    model: type[models.Base]
    columns: dict[str, Any]  # catalogue field -> column expression

    @property
    def id(self) -> Any:
        return self.columns["id"]

    @property
    def owner(self) -> Any:
        return self.model.owner_department_id  # type: ignore[attr-defined]


def _columns(model: Any, names: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(model, name) for name in names}


def _child(model: Any, *names: str, **computed: Any) -> RecordTable:
    columns = _columns(model, ("id", *names))
    columns["owner"] = model.owner_department_id
    columns["enterprise"] = model.enterprise_id
    columns.update(computed)
    return RecordTable(model, columns)


def _overdue() -> ColumnElement[bool]:
    # Derived, never stored: a risk is overdue once its deadline has passed unclosed.
    risk = models.Risk
    return case(
        (and_(risk.status != "closed", risk.rectification_deadline < dt.date.today()), True),
        else_=False,
    )


RECORD_TABLES: dict[str, RecordTable] = {
    "enterprise": RecordTable(
        models.Enterprise,
        {
            **_columns(
                models.Enterprise,
                (
                    "id",
                    "uscc",
                    "name",
                    "zone",
                    "address",
                    "legal_representative",
                    "contact_phone",
                    "industry",
                    "registered_on",
                    "status",
                    "status_since",
                ),
            ),
            "owner": models.Enterprise.owner_department_id,
        },
    ),
    "lifecycle_event": _child(
        models.LifecycleEvent,
        "kind",
        "effective_on",
        "pilot_production_ends_on",
        "document_number",
        "products",
        "note",
    ),
    "dangerous_chemical_entry": _child(
        models.DangerousChemicalEntry,
        "declaration_number",
        "chemical_name",
        "cas_number",
        "un_number",
        "hazard_class",
        "packing_group",
        "quantity",
        "unit",
        "port",
        "entry_date",
        "storage_location",
        "declared_value",
        "consignee",
    ),
    "credit_rating": _child(
        models.CreditRating,
        "scheme",
        "rule_set",
        "grade",
        "score",
        "reasons",
        "effective_on",
        "expires_on",
    ),
    "risk": _child(
        models.Risk,
        "category",
        "description",
        "level",
        "found_on",
        "rectification_deadline",
        "status",
        "closed_on",
        "evidence",
        supervising_department=models.Risk.supervising_department_id,
        overdue=_overdue(),
    ),
    "safety_grade": _child(models.SafetyGrade, "scheme", "grade", "assessed_on", "valid_until"),
    "standardization_certificate": _child(
        models.StandardizationCertificate,
        "level",
        "certificate_number",
        "issued_on",
        "valid_until",
    ),
}

# Values of these fields are department ids in the tables and codes in the API.
DEPARTMENT_FIELDS = frozenset({"owner", "supervising_department"})

_ALWAYS = ("id", "owner", "enterprise")


def select_records(
    access: RowAccess,
    record_type: str,
    fields: Iterable[str],
    *,
    where: Sequence[ColumnElement[bool]] = (),
    after_id: int | None = None,
    limit: int | None = None,
) -> Select[Any]:
    """The statement for ``record_type`` rows the caller reaches, with ``scope_bits``."""
    table = RECORD_TABLES[record_type]
    wanted = [f for f in dict.fromkeys((*_ALWAYS, *fields)) if f in table.columns]
    enterprise = models.Enterprise
    governed = {e.field for e in RECORD_TYPES[record_type].governed()}
    statement = select(
        *(
            (
                access.shown(record_type, f, table.owner, table.columns[f])
                if f in governed
                else table.columns[f]
            ).label(f)
            for f in wanted
        ),
        access.scope_bits(record_type, table.owner).label("scope_bits"),
    )
    if table.model is not enterprise:
        statement = statement.join(enterprise, enterprise.id == table.columns["enterprise"])
        statement = statement.where(access.reachable(record_type, table.owner))
    if after_id is not None:
        statement = statement.where(table.id > after_id)
    statement = statement.where(*where).order_by(table.id)
    if limit is not None:
        statement = statement.limit(limit)
    return statement


async def fetch_records(
    session: AsyncSession,
    access: RowAccess,
    record_type: str,
    fields: Iterable[str],
    *,
    where: Sequence[ColumnElement[bool]] = (),
    after_id: int | None = None,
    limit: int | None = None,
) -> Sequence[Row[Any]]:
    """Rows with named columns (``row.id``, ``row.owner``, ``row.scope_bits``, ...)."""
    connection = await session.connection()
    if where:
        statement = select_records(
            access, record_type, fields, where=where, after_id=after_id, limit=limit
        )
        result = await connection.execute(statement)
    else:
        result = await connection.execute(
            _page_statement(access, record_type, frozenset(fields), limit is not None),
            {"after_id": after_id or 0, "limit": limit},
        )
    rows: Sequence[Row[Any]] = result.all()
    return rows


_PAGES: OrderedDict[tuple[int, int, str, frozenset[str], bool], tuple[RowAccess, Select[Any]]]
_PAGES = OrderedDict()
_PAGES_KEPT = 256


def _page_statement(
    access: RowAccess, record_type: str, fields: frozenset[str], limited: bool
) -> Select[Any]:
    """A page without criteria, built once per caller's access (the policy and directory
    it was compiled from: objects that live until an agreement changes) and columns;
    ``after_id`` and ``limit`` are bound per request. The entry holds the objects its key
    names, so an id in the key cannot be reused by another access while it is cached."""
    key = (id(access.policy), id(access.directory), record_type, fields, limited)
    cached = _PAGES.get(key)
    if (
        cached is not None
        and cached[0].policy is access.policy
        and cached[0].directory is access.directory
    ):
        _PAGES.move_to_end(key)
        return cached[1]
    table = RECORD_TABLES[record_type]
    statement = select_records(access, record_type, fields).where(table.id > bindparam("after_id"))
    if limited:
        statement = statement.limit(bindparam("limit"))
    _PAGES[key] = (access, statement)
    while len(_PAGES) > _PAGES_KEPT:
        _PAGES.popitem(last=False)
    return statement


async def fetch_children(
    session: AsyncSession,
    access: RowAccess,
    record_type: str,
    fields: Iterable[str],
    enterprise_ids: Sequence[int],
) -> Sequence[Row[Any]]:
    """Every reachable ``record_type`` row of the given enterprises, in one statement."""
    column = RECORD_TABLES[record_type].columns["enterprise"]
    return await fetch_records(
        session, access, record_type, fields, where=[column.in_(enterprise_ids)]
    )
