"""Completing lists of plain objects in one loop.

graphql-core completes every value of every row through ``execute_field`` and
``complete_value``: on a 1000-row page of 12 fields that is 12,000 resolver calls and
26,000 completions, nine tenths of the CPU. Liaison's records reach the executor already
decided by the permission gate, masked or withheld, as plain attributes; so a list whose
items select only plain attributes (scalars, enums, nested plain objects and lists of them)
can be completed by a plan compiled once per selection.

The plan is an optimisation, never a second semantics: whenever a value is anything but the
happy case (a null in a non-null position, a scalar that does not serialise, a type check
that fails), the whole list is handed back to graphql-core, which produces exactly the
result and the errors it always does. Plain attributes have no side effects, so computing
them twice is safe.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache
from types import CodeType
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLID,
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
    coerce: Callable[[Any], Any]
    non_null: bool


@dataclass(frozen=True, slots=True)
class _Nested:
    key: str
    attribute: str
    complete: Complete
    non_null: bool


@lru_cache(maxsize=256)
def _leaf_completion(coerce: Callable[[Any], Any]) -> Complete:
    def complete(value: Any) -> Any:
        coerced = coerce(value)
        if coerced is None or coerced is Undefined:
            raise _FALLBACK
        return coerced

    return complete


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
    """graphql-core's executor with plan-based completion of plain lists."""

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

    def _compile(
        self, return_type: GraphQLOutputType, field_details_list: FieldDetailsList
    ) -> Complete | None:
        """A function completing a value of ``return_type`` (not null itself), or None
        when the selection needs the general executor."""
        if self.middleware_manager is not None and self.middleware_manager.middlewares:
            return None  # an extension wraps every resolver: each field must run
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

    def _compile_object(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> Complete | None:
        if object_type.is_type_of is not None:
            return None
        grouped, new_defer_usages, _ = self.collect_subfields(object_type, field_details_list)
        if new_defer_usages:
            return None
        leaves: list[_Leaf] = []
        nested: list[_Nested] = []
        constants: dict[str, str] = {}
        leaf_types: dict[str, str] = {}
        order: list[str] = []
        for response_key, sub_details in grouped.items():
            node = sub_details[0].node
            name = node.name.value
            order.append(response_key)
            if name == "__typename":
                constants[response_key] = object_type.name
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
            field_type = field_def.type
            non_null = is_non_null_type(field_type)
            inner = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
            attribute = definition.python_name
            if is_leaf_type(inner):
                leaf_types[response_key] = inner.name
                leaves.append(_Leaf(response_key, attribute, inner.coerce_output_value, non_null))
                continue
            complete = self._compile(inner, sub_details)
            if complete is None:
                return None
            nested.append(_Nested(response_key, attribute, complete, non_null))
        return _object_completion(
            tuple(order),
            tuple(constants.items()),
            tuple(leaves),
            tuple(nested),
            tuple(leaf_types.items()),
        )


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


_IDENTITY_WHEN = {
    # Built-in scalars whose coercion returns these values unchanged: skip the call.
    GraphQLString.name: "str",
    GraphQLID.name: "str",
    GraphQLBoolean.name: "bool",
}


@lru_cache(maxsize=512)
def _object_completion(
    order: tuple[str, ...],
    constant_items: tuple[tuple[str, str], ...],
    leaves: tuple[_Leaf, ...],
    nested: tuple[_Nested, ...],
    leaf_type_items: tuple[tuple[str, str], ...],
) -> Complete:
    """Generates the completion function of one selection: straight-line code, one
    attribute read and (where needed) one coercion per field, the dictionary built in the
    selection's order. Cached: a selection is made again on every request that sends its
    document, and each part of the key (coercions, nested completions) is itself a
    schema-lived or cached object, so a hit is exactly the function a miss would make."""
    constants, leaf_types = dict(constant_items), dict(leaf_type_items)
    env: dict[str, Any] = {"FALLBACK": _FALLBACK, "Undefined": Undefined}
    body: list[str] = []
    result: dict[str, str] = {key: repr(value) for key, value in constants.items()}
    for n, leaf in enumerate(leaves):
        env[f"coerce{n}"] = leaf.coerce
        target = f"leaf{n}"
        result[leaf.key] = target
        body.append(f"    value = source.{leaf.attribute}")
        body.append("    if value is None:")
        body.append("        raise FALLBACK" if leaf.non_null else f"        {target} = None")
        identity = _IDENTITY_WHEN.get(leaf_types[leaf.key])
        if identity is not None:
            body.append(f"    elif value.__class__ is {identity}:")
            body.append(f"        {target} = value")
        body.append("    else:")
        body.append(f"        {target} = coerce{n}(value)")
        body.append(f"        if {target} is None or {target} is Undefined:")
        body.append("            raise FALLBACK")
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
