"""Reads an operation's own logic makes — a target draw weighted by hidden dangers and
grades, the grades that make inspections due, the result a recognition rests on — through
the same row scope, projection and decisions as a query, and into the same audit event.

Security contract: workflow code must read other departments' records only through
:func:`read_records`. A value the caller may not see comes back ``None`` here too, so no
decision can be taken on it; what was read (or refused) is audited with the operation, as
disclosures of the fields read, even though none of it is in the response.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement

from liaison.db.records import fetch_records
from liaison.permissions.gate import Gate
from liaison.schema.context import Context
from liaison.schema.materialize import materialize


async def read_records(
    context: Context,
    record_type: str,
    fields: Iterable[str],
    *,
    where: Sequence[ColumnElement[bool]] = (),
) -> list[Any]:
    """The ``record_type`` records the caller reaches (``where`` narrowing them), each with
    ``fields`` as the caller may see them (masked, or None where withheld)."""
    wanted = frozenset(fields)
    gate = Gate(context.access.policy, {record_type: wanted})
    context.internal_gates.append(gate)
    async with context.database() as session:
        rows = await fetch_records(session, context.access, record_type, wanted, where=where)
    return materialize(gate, context.access.directory.codes, record_type, rows)
