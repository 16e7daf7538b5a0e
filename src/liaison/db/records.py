"""Reading shared records: one query builder for every record type.

Projection: only the columns a request selects are fetched. Row scope: always
:class:`RowAccess`. Pagination: keyset on ``id``, never OFFSET.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.db import models
from liaison.db.scope import RowAccess
from liaison.db.tables import RECORD_TABLES
from liaison.permissions.catalogue import RECORD_TYPES

# Values of these fields are department ids in the tables and codes in the API.
DEPARTMENT_FIELDS = frozenset({"owner", "supervising_department", "receiver", "recognised"})


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
    always = ("id", "owner", *table.links)
    wanted = [f for f in dict.fromkeys((*always, *fields)) if f in table.columns]
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
        if table.enterprise is not None:
            statement = statement.join(
                enterprise, enterprise.id == table.enterprise, isouter=table.enterprise_optional
            )
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
    parent_ids: Sequence[int],
    *,
    link: str = "enterprise",
) -> Sequence[Row[Any]]:
    """Every reachable ``record_type`` row whose ``link`` (its enterprise, by default) is
    one of ``parent_ids``, in one statement."""
    column = RECORD_TABLES[record_type].columns[link]
    return await fetch_records(session, access, record_type, fields, where=[column.in_(parent_ids)])
