"""Rows to GraphQL objects, through the gate: the only way a shared record is built.

For each view the gate decided (one per owner and set of matching grants) a recipe is made
once: which column gives each attribute, as it is, translated or masked, and which
attributes are constants (the owner, withheld fields). Per row there is then only copying:
into one dictionary and one object (:func:`materialize`), or, for a :class:`Page` whose
selection the executor can complete from rows, straight into the output.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.engine import Row

from liaison.db.records import DEPARTMENT_FIELDS
from liaison.db.tables import RECORD_TABLES
from liaison.permissions.gate import Gate, RecordView
from liaison.schema.fast_execution import Read
from liaison.schema.reach import VIEW
from liaison.schema.record_types import GRAPHQL_TYPES


def _resolved(graphql_type: type[Any]) -> frozenset[str]:
    """Fields with resolvers of their own (links, nested lists): never set on the object."""
    definition = graphql_type.__strawberry_definition__
    return frozenset(f.python_name for f in definition.fields if f.base_resolver is not None)


RESOLVED: dict[str, frozenset[str]] = {
    record_type: _resolved(graphql_type) for record_type, graphql_type in GRAPHQL_TYPES.items()
}

Build = Callable[[Row[Any]], Any]
Recipe = dict[str, Read]


def recipe(view: RecordView, columns: dict[str, int], codes: dict[int, str]) -> Recipe:
    """How a row of ``view`` gives each attribute of its record. Attributes not in it
    keep their class default (resolved fields, fields not fetched)."""
    resolved = RESOLVED[view.record_type]
    reads: Recipe = {}
    for name in view.raw:
        if name in columns and name not in resolved:
            at = columns[name]
            reads[name] = Read(at, codes.get) if name in DEPARTMENT_FIELDS else Read(at)
    reads["owner"] = reads.get("owner", Read(constant=view.owner))
    for name in view.withheld:
        if name not in resolved:
            reads[name] = Read(constant=None)
    for name, mask in view.masked:
        if name in columns:
            reads[name] = Read(columns[name], mask.apply)  # a mask keeps None as None
    reads["id"] = Read(columns["id"])
    # The keys nested fields load their records by (the enterprise, a plan, a visit).
    for link in RECORD_TABLES[view.record_type].links:
        if link in columns:
            reads[f"{link}_id"] = Read(columns[link])
    return reads


def _builder(view: RecordView, build: type[Any], reads: Recipe) -> Build:
    """One view's row-to-object function: per row there is only copying."""
    copied: list[tuple[str, int]] = []
    passed: list[tuple[str, int, Callable[[Any], Any]]] = []
    # The view travels with the record so resolvers can report where it is shown.
    fixed: dict[str, Any] = {VIEW: view}
    for name, read in reads.items():
        if read.at is None:
            fixed[name] = read.constant
        elif read.through is None:
            copied.append((name, read.at))
        else:
            passed.append((name, read.at, read.through))
    new = object.__new__

    def make(row: Row[Any]) -> Any:
        values = {name: row[at] for name, at in copied}
        values.update(fixed)
        for name, at, through in passed:
            value = row[at]
            values[name] = None if value is None else through(value)
        # The dataclass __init__ would only assign the same attributes, one call per field.
        record = new(build)
        record.__dict__ = values
        return record

    return make


class Page:
    """Rows of one record type through the gate, not (yet) built: each row's view is
    decided and its key added to the view's keys (the gate's tally of what is disclosed)
    here, once; the rows are then built (:meth:`objects`) or completed straight to output
    (:meth:`complete`), or both, without counting them again."""

    def __init__(
        self, gate: Gate, codes: dict[int, str], record_type: str, rows: Sequence[Row[Any]]
    ) -> None:
        self.record_type = record_type
        self.rows = rows
        self._codes = codes
        self._columns = {name: at for at, name in enumerate(rows[0]._fields)} if rows else {}
        self.views: list[RecordView] = []  # each row's
        self.shown: list[tuple[RecordView, Any]] = []  # each row's view and key
        self._recipes: dict[int, Recipe] = {}
        if not rows:
            return
        columns = self._columns
        id_at, owner_at, bits_at = columns["id"], columns["owner"], columns["scope_bits"]
        found: dict[tuple[int, int], RecordView] = {}
        for row in rows:
            key = (row[owner_at], row[bits_at])
            view = found.get(key)
            if view is None:
                view = found[key] = gate.view(record_type, codes[key[0]], key[1])
            record_id = row[id_at]
            view.keys.append(record_id)
            self.views.append(view)
            self.shown.append((view, record_id))

    @property
    def id_column(self) -> int:
        return self._columns["id"]

    def recipe(self, view: RecordView) -> Recipe:
        found = self._recipes.get(id(view))
        if found is None:
            found = self._recipes[id(view)] = recipe(view, self._columns, self._codes)
        return found

    def objects(self) -> list[Any]:
        build = GRAPHQL_TYPES[self.record_type]
        builders: dict[int, Build] = {}
        objects: list[Any] = []
        for row, view in zip(self.rows, self.views, strict=True):
            make = builders.get(id(view))
            if make is None:
                make = builders[id(view)] = _builder(view, build, self.recipe(view))
            objects.append(make(row))
        return objects

    def complete(self, function_for: Callable[[Recipe], Build | None]) -> list[Any] | None:
        """Each row's output by the function ``function_for`` makes from its view's recipe;
        None when it makes none for some view."""
        functions: dict[int, Build] = {}
        outputs: list[Any] = []
        append = outputs.append
        for row, view in zip(self.rows, self.views, strict=True):
            function = functions.get(id(view))
            if function is None:
                made = function_for(self.recipe(view))
                if made is None:
                    return None
                function = functions[id(view)] = made
            append(function(row))
        return outputs


def materialize(
    gate: Gate, codes: dict[int, str], record_type: str, rows: Sequence[Row[Any]]
) -> list[Any]:
    """The rows' records, each counted in its view's keys."""
    return Page(gate, codes, record_type, rows).objects()
