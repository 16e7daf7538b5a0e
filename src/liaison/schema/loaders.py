"""Per-request dataloaders: nested lists cost one statement per record type, whatever the
page size."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select
from strawberry.dataloader import DataLoader

from liaison.db.records import fetch_children, fetch_records
from liaison.db.tables import RECORD_TABLES
from liaison.schema.materialize import materialize

if TYPE_CHECKING:
    from liaison.schema.context import Context

# Given the keys loaded, a statement of (key, record id) pairs from a link table.
LinkPairs = Callable[[Sequence[int]], Select[int, int]]


class Loaders:
    def __init__(self, context: Context) -> None:
        self._context = context
        self._children: dict[tuple[str, str], DataLoader[int, list[Any]]] = {}
        self._linked: dict[tuple[str, str], DataLoader[int, list[Any]]] = {}
        self._keyed: dict[str, DataLoader[Any, Any]] = {}
        self.enterprise: DataLoader[int, Any] = DataLoader(self._load_enterprises)

    def children(self, record_type: str, link: str = "enterprise") -> DataLoader[int, list[Any]]:
        """The ``record_type`` records whose ``link`` (their enterprise, a plan, ...) is the
        key loaded: one statement for every key of a request."""
        loader = self._children.get((record_type, link))
        if loader is None:

            async def load(ids: list[int]) -> list[list[Any]]:
                return await self._load_children(record_type, link, ids)

            loader = self._children[(record_type, link)] = DataLoader(load)
        return loader

    def keyed(
        self, name: str, load: Callable[[list[Any]], Awaitable[Sequence[Any]]]
    ) -> DataLoader[Any, Any]:
        """A workflow's own per-request loader of values that are not records (an
        attachment's content, once the gate let its key through), made by the first call
        under ``name``: every key of a request in one batch."""
        loader = self._keyed.get(name)
        if loader is None:
            loader = self._keyed[name] = DataLoader(load)
        return loader

    def linked(self, record_type: str, name: str, pairs: LinkPairs) -> DataLoader[int, list[Any]]:
        """The ``record_type`` records a link table of a workflow's own pairs with each key
        loaded (a referral's referred risks, say), through the gate like any read: one
        statement for the pairs and one for the records, for every key of a request.
        ``name`` tells one link table from another."""
        loader = self._linked.get((record_type, name))
        if loader is None:

            async def load(ids: list[int]) -> list[list[Any]]:
                return await self._load_linked(record_type, pairs, ids)

            loader = self._linked[(record_type, name)] = DataLoader(load)
        return loader

    async def _load_linked(
        self, record_type: str, pairs: LinkPairs, ids: Sequence[int]
    ) -> list[list[Any]]:
        context = self._context
        gate = context.require_gate()
        column = RECORD_TABLES[record_type].id
        async with context.database() as session:
            links = (await session.execute(pairs(ids))).all()
            wanted = sorted({record_id for _, record_id in links})
            rows = (
                await fetch_records(
                    session,
                    context.access,
                    record_type,
                    gate.selected_fields(record_type),
                    where=[column.in_(wanted)],
                )
                if wanted
                else []
            )
        built = materialize(gate, context.access.directory.codes, record_type, rows)
        by_id = {row.id: record for row, record in zip(rows, built, strict=True)}
        grouped: dict[int, list[Any]] = defaultdict(list)
        for key, record_id in sorted(links):
            if record_id in by_id:  # not reachable by the caller: left out, as a list does
                grouped[key].append(by_id[record_id])
        return [grouped.get(i, []) for i in ids]

    async def _load_children(
        self, record_type: str, link: str, ids: Sequence[int]
    ) -> list[list[Any]]:
        context = self._context
        gate = context.require_gate()
        fields = gate.selected_fields(record_type)
        async with context.database() as session:
            rows = await fetch_children(
                session, context.access, record_type, fields, ids, link=link
            )
        grouped: dict[int, list[Any]] = defaultdict(list)
        built = materialize(gate, context.access.directory.codes, record_type, rows)
        for row, record in zip(rows, built, strict=True):
            grouped[getattr(row, link)].append(record)
        return [grouped.get(i, []) for i in ids]

    async def _load_enterprises(self, ids: list[int]) -> list[Any]:
        context = self._context
        gate = context.require_gate()
        column = RECORD_TABLES["enterprise"].id
        async with context.database() as session:
            rows = await fetch_records(
                session,
                context.access,
                "enterprise",
                gate.selected_fields("enterprise"),
                where=[column.in_(ids)],
            )
        built = materialize(gate, context.access.directory.codes, "enterprise", rows)
        by_id = {row.id: obj for row, obj in zip(rows, built, strict=True)}
        return [by_id.get(i) for i in ids]
