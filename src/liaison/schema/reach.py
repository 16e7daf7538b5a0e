"""Where records appear in the response: each resolver that returns shared records says
so once per call (never per value), so FORBIDDEN errors and the audit's denials name only
the fields actually selected where each record is shown."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graphql.pyutils import Path

from liaison.permissions.gate import RecordView
from liaison.schema.context import Context

VIEW = "_liaison_view"


def _site_path(path: Path | None) -> tuple[str, ...]:
    keys: list[str] = []
    while path is not None:
        if isinstance(path.key, str):
            keys.append(path.key)
        path = path.prev
    return tuple(reversed(keys))


def reached(context: Context, path: Path, record_type: str, records: Iterable[Any]) -> None:
    if context.selection is None:
        context.require_gate()
        return
    shown = [(vars(r)[VIEW], r.id) for r in records if r is not None]
    reached_keys(context, path, record_type, shown)


def reached_keys(
    context: Context, path: Path, record_type: str, shown: list[tuple[RecordView, Any]]
) -> None:
    """:func:`reached` for records not built as objects: each as its view and key."""
    selection, gate = context.selection, context.require_gate()
    if selection is None:
        return
    for site in selection.sites_under(_site_path(path), record_type):
        gate.reach(site, selection.sites[site].fields, shown)
