"""One record by its id, through the gate: what a lookup by id, a mutation's payload and a
subscription event all return."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphql.pyutils import Path
from sqlalchemy import ColumnElement

from liaison.db.records import fetch_records
from liaison.db.tables import RECORD_TABLES
from liaison.schema.context import Context
from liaison.schema.materialize import materialize
from liaison.schema.reach import reached


async def one_record(
    context: Context,
    path: Path,
    record_type: str,
    record_id: int,
    where: Sequence[ColumnElement[bool]] = (),
) -> Any | None:
    """The record as the caller may see it, reported where it is shown; None when it does
    not exist or the caller may not reach it (the two are answered alike)."""
    gate = context.require_gate()
    async with context.database() as session:
        rows = await fetch_records(
            session,
            context.access,
            record_type,
            gate.selected_fields(record_type),
            where=[RECORD_TABLES[record_type].id == record_id, *where],
        )
    built = materialize(gate, context.access.directory.codes, record_type, rows)
    reached(context, path, record_type, built)
    return built[0] if built else None
