"""Which shared elements an operation selects, read once from the document.

Fragments, inline fragments, aliases and ``@skip``/``@include`` are followed exactly as the
executor will follow them, so the gate decides on what will actually be resolved.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLIncludeDirective,
    GraphQLNamedType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.values import VariableValues, get_directive_values, get_variable_values

from liaison.permissions.catalogue import Element

ElementMap = Mapping[tuple[str, str], Element]  # (GraphQL type, GraphQL field) -> element


@dataclass
class Selection:
    fields: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    nodes: dict[str, list[FieldNode]] = field(default_factory=lambda: defaultdict(list))

    def add(self, element: Element, node: FieldNode) -> None:
        self.fields[element.record_type].add(element.field)
        self.nodes[element.name].append(node)


def _included(node: Any, variables: VariableValues | None) -> bool:
    skip = get_directive_values(GraphQLSkipDirective, node, variables)
    if skip and skip.get("if") is True:
        return False
    include = get_directive_values(GraphQLIncludeDirective, node, variables)
    return not (include and include.get("if") is False)


def select(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any] | None,
    elements: ElementMap,
) -> Selection:
    selection = Selection()
    coerced = get_variable_values(
        schema, operation.variable_definitions or (), dict(variables or {})
    )
    # Variables that do not coerce fail execution itself; nothing is resolved then.
    values = coerced if isinstance(coerced, VariableValues) else None
    root = schema.get_root_type(operation.operation)
    if root is None:
        return selection

    def walk(
        selection_set: SelectionSetNode, parent: GraphQLNamedType, seen: frozenset[str]
    ) -> None:
        for node in selection_set.selections:
            if not _included(node, values):
                continue
            if isinstance(node, FieldNode):
                name = node.name.value
                fields = getattr(parent, "fields", {})
                if name.startswith("__") or name not in fields:
                    continue
                declared = elements.get((parent.name, name))
                if declared is not None:
                    selection.add(declared, node)
                if node.selection_set is not None:
                    walk(node.selection_set, get_named_type(fields[name].type), seen)
            elif isinstance(node, InlineFragmentNode):
                target = (
                    schema.get_type(node.type_condition.name.value)
                    if node.type_condition
                    else parent
                )
                if target is not None:
                    walk(node.selection_set, target, seen)
            elif isinstance(node, FragmentSpreadNode):
                name = node.name.value
                fragment = fragments.get(name)
                if fragment is None or name in seen:
                    continue
                target = schema.get_type(fragment.type_condition.name.value)
                if target is not None:
                    walk(fragment.selection_set, target, seen | {name})

    walk(operation.selection_set, root, frozenset())
    return selection
