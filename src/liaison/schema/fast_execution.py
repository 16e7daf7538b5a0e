"""Completing lists of plain objects, and lists of rows, in one loop.

graphql-core completes every value of every row through ``execute_field`` and
``complete_value``: on a 1000-row page of 12 fields that is 12,000 resolver calls and
26,000 completions, nine tenths of the CPU. Liaison's records reach the executor already
decided by the permission gate, masked or withheld, as plain attributes; so a list whose
items select only plain attributes (scalars, enums, nested plain objects and lists of them)
can be completed by a plan compiled once per selection.

A resolver may go further and hand over a :class:`RowList`: rows it has not built into
objects. When the items' selection is only leaves and plain nested objects (a connection's
``edges { cursor node { ... } }``), each row is completed straight to its output by one
generated function per (way of reading the row, selection): no object, no cursor that
nobody selected. Otherwise the rows are built and completed as above.

Both are optimisations, never a second semantics: whenever a value is anything but the
happy case (a null in a non-null position, a scalar that does not serialise, a type check
that fails), the whole list is handed back to graphql-core, which produces exactly the
result and the errors it always does. Plain attributes and reads of rows have no side
effects, so computing them twice is safe.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache
from types import CodeType
from typing import Any, overload

from graphql import (
    GraphQLBoolean,
    GraphQLID,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLString,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

DEFINITION = "strawberry-definition"


class _Fallback(Exception):
    """A value the plan does not complete exactly as graphql-core would."""


_FALLBACK = _Fallback()

Complete = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class _Leaf:
    key: str
    attribute: str
    type: GraphQLLeafType
    non_null: bool


@dataclass(frozen=True, slots=True)
class _Nested:
    key: str
    attribute: str
    complete: Complete
    non_null: bool


@dataclass(frozen=True, slots=True)
class Read:
    """How a row gives one attribute: ``row[at]``, passed through ``through`` unless it is
    None; or, when ``at`` is None, ``constant``."""

    at: int | None = None
    through: Callable[[Any], Any] | None = None
    constant: Any = None


@dataclass(frozen=True, slots=True)
class RowLeaf:
    path: tuple[str, ...]  # attribute names from the list's item down to this value
    type: GraphQLLeafType
    non_null: bool


@dataclass(frozen=True, slots=True)
class Shape:
    """An item's selection as graphql-core collects it: per response key, a leaf, a nested
    plain object (present in every item) or, for ``__typename``, the type's name."""

    entries: tuple[tuple[str, RowLeaf | Shape | str], ...]

    def leaves(self) -> list[RowLeaf]:
        found: list[RowLeaf] = []
        for _, entry in self.entries:
            if isinstance(entry, RowLeaf):
                found.append(entry)
            elif isinstance(entry, Shape):
                found.extend(entry.leaves())
        return found


class RowList(ABC, Sequence[Any]):
    """A list a resolver left unbuilt: its items are completed straight from their rows
    (:meth:`complete`) or built as objects (:meth:`build`) for the completions below.
    Whatever showing an item requires besides (the gate's bookkeeping) the resolver has
    done already, once, whichever way the items are completed."""

    _built: list[Any] | None = None

    @abstractmethod
    def complete(self, shape: Shape) -> list[Any] | None:
        """Every item's output for ``shape``, or None when the rows cannot give it."""

    @abstractmethod
    def build(self) -> list[Any]: ...

    def items(self) -> list[Any]:
        if self._built is None:
            self._built = self.build()
        return self._built

    def __len__(self) -> int:
        return len(self.items())

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        return self.items()[index]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.items())


class GeneralExecutor(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor as strawberry configures it, counting field executions
    (when the context asks to): a test counts them, so a regression to one call per field
    per row cannot pass silently."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._count: Callable[[], None] | None = getattr(
            self.context_value, "count_field_execution", None
        )

    def execute_field(self, *args: Any, **kwargs: Any) -> Any:
        if self._count is not None:
            self._count()
        return super().execute_field(*args, **kwargs)


class LiaisonExecutor(GeneralExecutor):
    """graphql-core's executor with plan-based completion of plain lists and row lists."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[tuple[int, int], tuple[FieldDetailsList, Complete | None]] = {}

    def complete_list_value(
        self,
        return_type: GraphQLList[GraphQLOutputType],
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        if isinstance(result, RowList):
            shape = self._row_shape(return_type, field_details_list)
            if shape is not None:
                with suppress(Exception):
                    completed = result.complete(shape)
                    if completed is not None:
                        return completed
            result = result.items()
        if isinstance(result, list | tuple):
            complete = self._plan(return_type, field_details_list)
            if complete is not None:
                # Anything unusual: graphql-core completes the list and reports it precisely.
                with suppress(Exception):
                    return complete(result)
        return super().complete_list_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _plan(
        self, list_type: GraphQLList[GraphQLOutputType], field_details_list: FieldDetailsList
    ) -> Complete | None:
        # Memoised like graphql-core's collect_subfields: on the identity of the field
        # details list, kept alive with the plan so the id cannot be reused.
        key = (id(list_type), id(field_details_list))
        cached = self._plans.get(key)
        if cached is None:
            cached = (field_details_list, self._compile(list_type, field_details_list))
            self._plans[key] = cached
        return cached[1]

    def _wrapped(self) -> bool:
        # An extension wraps every resolver: each field must run.
        return self.middleware_manager is not None and bool(self.middleware_manager.middlewares)

    def _compile(
        self, return_type: GraphQLOutputType, field_details_list: FieldDetailsList
    ) -> Complete | None:
        """A function completing a value of ``return_type`` (not null itself), or None
        when the selection needs the general executor."""
        if self._wrapped():
            return None
        if is_list_type(return_type):
            assert isinstance(return_type, GraphQLList)
            item_type = return_type.of_type
            item_non_null = is_non_null_type(item_type)
            inner = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
            complete_item = self._compile(inner, field_details_list)
            if complete_item is None:
                return None
            return _list_completion(complete_item, item_non_null)
        if is_leaf_type(return_type):
            return _leaf_completion(return_type.coerce_output_value)
        if is_object_type(return_type):
            assert isinstance(return_type, GraphQLObjectType)
            return self._compile_object(return_type, field_details_list)
        return None  # interfaces and unions: the general executor resolves the type

    def _plain_fields(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> list[tuple[str, Any, Any, FieldDetailsList]] | None:
        """The selection on ``object_type`` as graphql-core collects it (fragments,
        @skip/@include, order): per response key, the field's definition (None for
        ``__typename``), its type and its own field details; None when a field is anything
        but a plain attribute without arguments."""
        if object_type.is_type_of is not None:
            return None
        grouped, new_defer_usages, _ = self.collect_subfields(object_type, field_details_list)
        if new_defer_usages:
            return None
        fields: list[tuple[str, Any, Any, FieldDetailsList]] = []
        for response_key, sub_details in grouped.items():
            node = sub_details[0].node
            name = node.name.value
            if name == "__typename":
                fields.append((response_key, None, None, sub_details))
                continue
            field_def = object_type.fields.get(name)
            definition = field_def.extensions.get(DEFINITION) if field_def else None
            if (
                field_def is None
                or definition is None
                or not definition.is_basic_field
                or field_def.args
                or node.arguments
            ):
                return None
            fields.append((response_key, definition, field_def.type, sub_details))
        return fields

    def _compile_object(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> Complete | None:
        fields = self._plain_fields(object_type, field_details_list)
        if fields is None:
            return None
        leaves: list[_Leaf] = []
        nested: list[_Nested] = []
        constants: list[tuple[str, str]] = []
        order: list[str] = []
        for response_key, definition, field_type, sub_details in fields:
            order.append(response_key)
            if definition is None:
                constants.append((response_key, object_type.name))
                continue
            non_null = is_non_null_type(field_type)
            inner = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
            attribute = definition.python_name
            if is_leaf_type(inner):
                leaves.append(_Leaf(response_key, attribute, inner, non_null))
                continue
            complete = self._compile(inner, sub_details)
            if complete is None:
                return None
            nested.append(_Nested(response_key, attribute, complete, non_null))
        return _object_completion(tuple(order), tuple(constants), tuple(leaves), tuple(nested))

    def _row_shape(
        self, list_type: GraphQLList[GraphQLOutputType], field_details_list: FieldDetailsList
    ) -> Shape | None:
        if self._wrapped():
            return None
        item_type = list_type.of_type
        inner = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        if not is_object_type(inner):
            return None
        assert isinstance(inner, GraphQLObjectType)
        return self._shape(inner, field_details_list, ())

    def _shape(
        self,
        object_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        prefix: tuple[str, ...],
    ) -> Shape | None:
        fields = self._plain_fields(object_type, field_details_list)
        if fields is None:
            return None
        entries: list[tuple[str, RowLeaf | Shape | str]] = []
        for response_key, definition, field_type, sub_details in fields:
            if definition is None:
                entries.append((response_key, object_type.name))
                continue
            inner = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
            path = (*prefix, definition.python_name)
            if is_leaf_type(inner):
                entries.append((response_key, RowLeaf(path, inner, is_non_null_type(field_type))))
            elif is_object_type(inner):
                nested = self._shape(inner, sub_details, path)
                if nested is None:
                    return None
                entries.append((response_key, nested))
            else:
                return None  # lists, interfaces and unions
        return Shape(tuple(entries))


@lru_cache(maxsize=256)
def _leaf_completion(coerce: Callable[[Any], Any]) -> Complete:
    def complete(value: Any) -> Any:
        coerced = coerce(value)
        if coerced is None or coerced is Undefined:
            raise _FALLBACK
        return coerced

    return complete


@lru_cache(maxsize=512)
def _list_completion(complete_item: Complete, item_non_null: bool) -> Complete:
    def complete_list(values: Any) -> list[Any]:
        if not isinstance(values, list | tuple):
            raise _FALLBACK
        completed: list[Any] = []
        append = completed.append
        for value in values:
            if value is None:
                if item_non_null:
                    raise _FALLBACK
                append(None)
            else:
                append(complete_item(value))
        return completed

    return complete_list


@lru_cache(maxsize=1024)
def _compiled(source: str) -> CodeType:
    # A selection's code is the same on every request that makes it: compile it once.
    return compile(source, "<liaison fast completion>", "exec")


@lru_cache(maxsize=256)
def _enum_names(leaf_type: GraphQLLeafType) -> tuple[type, dict[Any, Any], dict[str, Any]] | None:
    """For a strawberry enum: its Python class, each member's output, and the output of
    each member's value given as a plain string (what a column of names gives), all
    computed once by the type's own coercion: members are constants, the coercion a pure
    function of them."""
    wrapped = getattr(leaf_type, "wrapped_cls", None)
    if not isinstance(wrapped, type) or not issubclass(wrapped, enum.Enum):
        return None
    names: dict[Any, Any] = {}
    strings: dict[str, Any] = {}
    for member in wrapped:
        with suppress(Exception):  # such a value goes through the coercion each time
            name = leaf_type.coerce_output_value(member)
            if name is not None and name is not Undefined:
                names[member] = name
        if member.value.__class__ is str:
            with suppress(Exception):
                name = leaf_type.coerce_output_value(member.value)
                if name is not None and name is not Undefined:
                    strings[member.value] = name
    return wrapped, names, strings


def _leaf_lines(n: int, leaf_type: GraphQLLeafType, non_null: bool) -> list[str]:
    """Code turning ``value`` into ``leaf{n}`` exactly as graphql-core's
    ``complete_leaf_value`` does, or raising FALLBACK where graphql-core reports an error.
    Shortcuts only where the coercion is known to return just what they do; the code
    expects ``coerce{n}`` (and for enums ``enum{n}``, ``names{n}``, ``strings{n}``: see
    _leaf_env)."""
    target = f"leaf{n}"
    lines = ["    if value is None:"]
    lines.append("        raise FALLBACK" if non_null else f"        {target} = None")
    if leaf_type is GraphQLString or leaf_type is GraphQLID:
        lines += ["    elif isinstance(value, str):", f"        {target} = value"]
    if leaf_type is GraphQLID:
        lines += ["    elif value.__class__ is int:", f"        {target} = str(value)"]
    if leaf_type is GraphQLBoolean:
        lines += ["    elif value.__class__ is bool:", f"        {target} = value"]
    if _enum_names(leaf_type) is not None:
        # A value whose coercion failed is in neither table: the KeyError falls back.
        lines += [f"    elif value.__class__ is enum{n}:", f"        {target} = names{n}[value]"]
        lines += ["    elif value.__class__ is str:", f"        {target} = strings{n}[value]"]
    lines += [
        "    else:",
        f"        {target} = coerce{n}(value)",
        f"        if {target} is None or {target} is Undefined:",
        "            raise FALLBACK",
    ]
    return lines


def _leaf_env(n: int, leaf_type: GraphQLLeafType, env: dict[str, Any]) -> None:
    env[f"coerce{n}"] = leaf_type.coerce_output_value
    enum_names = _enum_names(leaf_type)
    if enum_names is not None:
        env[f"enum{n}"], env[f"names{n}"], env[f"strings{n}"] = enum_names


@lru_cache(maxsize=512)
def _object_completion(
    order: tuple[str, ...],
    constants: tuple[tuple[str, str], ...],
    leaves: tuple[_Leaf, ...],
    nested: tuple[_Nested, ...],
) -> Complete:
    """Generates the completion function of one selection: straight-line code, one
    attribute read and (where needed) one coercion per field, the dictionary built in the
    selection's order. Cached: a document is sent again and again, and every part of the
    key (types, nested completions) lives as long as the schema or is itself cached, so a
    hit is exactly the function a miss would make."""
    env: dict[str, Any] = {"FALLBACK": _FALLBACK, "Undefined": Undefined}
    body: list[str] = []
    result: dict[str, str] = {key: repr(value) for key, value in constants}
    for n, leaf in enumerate(leaves):
        _leaf_env(n, leaf.type, env)
        result[leaf.key] = f"leaf{n}"
        body.append(f"    value = source.{leaf.attribute}")
        body += _leaf_lines(n, leaf.type, leaf.non_null)
    for n, child in enumerate(nested):
        env[f"nested{n}"] = child.complete
        target = f"child{n}"
        result[child.key] = target
        body.append(f"    value = source.{child.attribute}")
        body.append("    if value is None:")
        body.append("        raise FALLBACK" if child.non_null else f"        {target} = None")
        body.append("    else:")
        body.append(f"        {target} = nested{n}(value)")
    entries = ", ".join(f"{key!r}: {result[key]}" for key in order)
    source = "def complete(source):\n" + "\n".join(body) + f"\n    return {{{entries}}}\n"
    exec(_compiled(source), env)  # noqa: S102 - code this module generated
    complete: Complete = env["complete"]
    return complete


# --- Rows straight to output --------------------------------------------------------------


def _output(shape: Shape, numbers: dict[int, int]) -> str:
    entries = []
    for key, entry in shape.entries:
        if isinstance(entry, RowLeaf):
            entries.append(f"{key!r}: leaf{numbers[id(entry)]}")
        elif isinstance(entry, Shape):
            entries.append(f"{key!r}: {_output(entry, numbers)}")
        else:
            entries.append(f"{key!r}: {entry!r}")
    return "{" + ", ".join(entries) + "}"


_Kind = tuple[str, int | None]  # ("column" | "through" | "constant", the column)


@lru_cache(maxsize=512)
def _row_code(shape: Shape, kinds: tuple[_Kind, ...]) -> CodeType:
    """The code of a row's completion for ``shape``, its leaves read as ``kinds`` say."""
    body: list[str] = []
    numbers: dict[int, int] = {}
    for n, (leaf, (kind, at)) in enumerate(zip(shape.leaves(), kinds, strict=True)):
        numbers[id(leaf)] = n
        if kind == "constant":  # completed when the function was made
            body.append(f"    leaf{n} = const{n}")
            continue
        body.append(f"    value = row[{at}]")
        if kind == "through":
            body += ["    if value is not None:", f"        value = through{n}(value)"]
        body += _leaf_lines(n, leaf.type, leaf.non_null)
    returned = _output(shape, numbers)
    return _compiled("def complete(row):\n" + "\n".join(body) + f"\n    return {returned}\n")


def _complete_now(leaf: RowLeaf, value: Any) -> Any:
    """A constant's output, as graphql-core completes it; _FALLBACK where it reports an
    error instead."""
    if value is None:
        if leaf.non_null:
            raise _FALLBACK
        return None
    completed = leaf.type.coerce_output_value(value)
    if completed is None or completed is Undefined:
        raise _FALLBACK
    return completed


def row_completion(shape: Shape, read: Callable[[tuple[str, ...]], Read | None]) -> Complete | None:
    """A function from a row to its item's output for ``shape``: straight-line code, one
    read and one coercion per leaf. None when a leaf is not something ``read`` can read
    from the row, or a constant would not complete."""
    leaves = shape.leaves()
    env: dict[str, Any] = {"FALLBACK": _FALLBACK, "Undefined": Undefined}
    kinds: list[_Kind] = []
    for n, leaf in enumerate(leaves):
        found = read(leaf.path)
        if found is None:
            return None
        if found.at is None:
            try:
                env[f"const{n}"] = _complete_now(leaf, found.constant)
            except Exception:  # the general path reports it
                return None
            kinds.append(("constant", None))
            continue
        _leaf_env(n, leaf.type, env)
        if found.through is None:
            kinds.append(("column", found.at))
        else:
            env[f"through{n}"] = found.through
            kinds.append(("through", found.at))
    exec(_row_code(shape, tuple(kinds)), env)  # noqa: S102 - code this module generated
    complete: Complete = env["complete"]
    return complete
