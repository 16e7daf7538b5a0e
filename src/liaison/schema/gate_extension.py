"""The permission gate as a schema extension: every operation, whatever its shape, is
decided before execution and reported after it."""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
)
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult
from strawberry.types.execution import StreamExecutionResult
from strawberry.types.graphql import OperationType

from liaison.permissions.catalogue import Element
from liaison.permissions.gate import Gate, Withholding
from liaison.schema.context import Context
from liaison.schema.errors import FORBIDDEN, PURPOSE_REQUIRED, error
from liaison.schema.selection import ElementMap, Selection, select
from liaison.schema.shared import declared_element

_ELEMENT_MAPS: dict[int, tuple[ElementMap, dict[str, tuple[str, str]]]] = {}


def element_map(schema: GraphQLSchema) -> tuple[ElementMap, dict[str, tuple[str, str]]]:
    """(GraphQL type, field) -> element, and element name -> (GraphQL type, field)."""
    found = _ELEMENT_MAPS.get(id(schema))
    if found is None:
        forward: dict[tuple[str, str], Element] = {}
        backward: dict[str, tuple[str, str]] = {}
        for type_ in schema.type_map.values():
            if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
                continue
            for name, field in type_.fields.items():
                definition = field.extensions.get("strawberry-definition")
                declared = declared_element(getattr(definition, "metadata", None))
                if declared is not None:
                    forward[(type_.name, name)] = declared
                    backward.setdefault(declared.name, (type_.name, name))
        found = _ELEMENT_MAPS[id(schema)] = (forward, backward)
    return found


class PermissionGate(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        context = execution.context
        if not isinstance(context, Context):
            yield
            return
        schema = execution.schema._schema
        forward, backward = element_map(schema)
        document = execution.graphql_document
        operation = get_operation_ast(document, execution.operation_name) if document else None
        selection = Selection()
        if isinstance(operation, OperationDefinitionNode) and document is not None:
            fragments = {
                d.name.value: d
                for d in document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            selection = select(
                schema, operation, fragments, execution.variables, forward, _record_types(forward)
            )
        context.gate = Gate(context.access.policy, selection.fields)
        context.selection = selection
        yield
        result = execution.result
        if result is None or not hasattr(result, "errors"):
            return
        writes = execution.operation_type is OperationType.MUTATION
        extra = _report(context, context.gate, selection, backward, writes=writes)
        if extra:
            result.errors = [*(result.errors or []), *extra]

    def on_stream_result(self, result: StreamExecutionResult) -> Iterator[None]:
        """A subscription decides its selection once (``on_execute``) and reports per
        event: the gate the event was built through says what it withheld."""
        context = self.execution_context.context
        if (
            isinstance(context, Context)
            and context.event_open
            and isinstance(result, ExecutionResult)
            and context.gate is not None
            and context.selection is not None
        ):
            _, backward = element_map(self.execution_context.schema._schema)
            extra = _report(context, context.gate, context.selection, backward)
            if extra:
                result.errors = [*(result.errors or []), *extra]
        yield


def _record_types(forward: ElementMap) -> dict[str, str]:
    return {type_name: element.record_type for (type_name, _), element in forward.items()}


def _report(
    context: Context,
    gate: Gate,
    selection: Selection,
    names: dict[str, tuple[str, str]],
    *,
    writes: bool = False,
) -> list[GraphQLError]:
    withholdings = gate.withholdings_by_site()
    errors = [_forbidden(w, _nodes(selection, site, w), names, context) for site, w in withholdings]
    # A query may reach others' records wherever it selects beyond the public keys; a
    # mutation's payload is the record it wrote, its own, so only a withheld field (another
    # department's data reached under it, e.g. its enterprise's zone) needs a purpose.
    others_selected = bool(withholdings) if writes else _touches_others(selection)
    if context.purpose is None and context.available_purposes and others_selected:
        errors.append(
            error(
                PURPOSE_REQUIRED,
                "Other departments' records are shared only for a stated purpose: send the "
                "header 'Liaison-Purpose: <purpose>' (yours: "
                + ", ".join(sorted(context.available_purposes))
                + ").",
                purposes=sorted(context.available_purposes),
            )
        )
    return errors


def _nodes(selection: Selection, site: Hashable | None, withheld: Withholding) -> list[FieldNode]:
    if site is None:  # records no resolver placed: every selection of the field
        return selection.nodes.get(f"{withheld.record_type}.{withheld.field}", [])
    return selection.sites[site].nodes.get(withheld.field, [])  # type: ignore[index]


def _touches_others(selection: Selection) -> bool:
    return any(t != "enterprise" for t in selection.fields) or bool(
        selection.fields.get("enterprise", set()) - {"id", "uscc", "name"}
    )


def _forbidden(
    withholding: Withholding,
    nodes: list[FieldNode],
    names: dict[str, tuple[str, str]],
    context: Context,
) -> GraphQLError:
    """One error per field selection (not per row): null in every record shown there."""
    element = f"{withholding.record_type}.{withholding.field}"
    type_name, field_name = names.get(element, (withholding.record_type, withholding.field))
    owners = sorted(withholding.owners)
    purpose = context.purpose or "no purpose"
    message = (
        f"{type_name}.{field_name} is not shared with {context.department} by "
        f"{', '.join(owners)} for {purpose}: null in {withholding.records} record(s)."
    )
    return GraphQLError(
        message,
        nodes=nodes,
        extensions={
            "code": FORBIDDEN,
            "field": f"{type_name}.{field_name}",
            "element": element,
            "owners": owners,
            "withheldRecords": withholding.records,
        },
    )


__all__: list[Any] = ["PermissionGate", "element_map"]
