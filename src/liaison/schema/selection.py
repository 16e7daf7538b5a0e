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


SitePath = tuple[str, ...]  # response keys from the root, list indices left out


@dataclass
class Site:
    """One place in the response where records of one type appear, and the fields of
    that type selected there."""

    record_type: str
    fields: set[str] = field(default_factory=set)
    nodes: dict[str, list[FieldNode]] = field(default_factory=lambda: defaultdict(list))


@dataclass
class Selection:
    fields: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    nodes: dict[str, list[FieldNode]] = field(default_factory=lambda: defaultdict(list))
    sites: dict[SitePath, Site] = field(default_factory=dict)
    _under: dict[tuple[SitePath, str], tuple[SitePath, ...]] = field(default_factory=dict)

    def add(self, element: Element, node: FieldNode, site: SitePath | None) -> None:
        self.fields[element.record_type].add(element.field)
        self.nodes[element.name].append(node)
        if site is not None:
            here = self.sites[site]
            here.fields.add(element.field)
            here.nodes[element.field].append(node)

    def sites_under(self, path: SitePath, record_type: str) -> tuple[SitePath, ...]:
        """The sites where records of ``record_type`` returned by the field at ``path``
        appear: that field itself, or the nodes beneath it (connections' edges), but not
        records nested inside those."""
        key = (path, record_type)
        found = self._under.get(key)
        if found is None:
            depth = len(path)
            found = self._under[key] = tuple(
                candidate
                for candidate, site in self.sites.items()
                if site.record_type == record_type
                and candidate[:depth] == path
                and not any(
                    candidate[:between] in self.sites
                    for between in range(depth + 1, len(candidate))
                )
            )
        return found


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
    record_types: Mapping[str, str],
) -> Selection:
    """``record_types`` maps the GraphQL name of each shared type to its record type."""
    selection = Selection()
    coerced = get_variable_values(
        schema, operation.variable_definitions or (), dict(variables or {})
    )
    # Variables that do not coerce fail execution itself; nothing is resolved then.
    values = coerced if isinstance(coerced, VariableValues) else None
    root = schema.get_root_type(operation.operation)
    if root is None:
        return selection

    # Walking a selection set again under the same type at the same place adds nothing new;
    # skipping it keeps a document whose fragments spread each other twice over linear.
    walked: set[tuple[int, str, SitePath]] = set()

    def walk(
        selection_set: SelectionSetNode,
        parent: GraphQLNamedType,
        seen: frozenset[str],
        path: SitePath,
        site: SitePath | None,
    ) -> None:
        if (id(selection_set), parent.name, path) in walked:
            return
        walked.add((id(selection_set), parent.name, path))
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
                    selection.add(declared, node, site)
                if node.selection_set is not None:
                    child_type = get_named_type(fields[name].type)
                    child_path = (*path, node.alias.value if node.alias else name)
                    child_site = None
                    record_type = record_types.get(child_type.name)
                    if record_type is not None:
                        selection.sites.setdefault(child_path, Site(record_type))
                        child_site = child_path
                    walk(node.selection_set, child_type, seen, child_path, child_site)
            elif isinstance(node, InlineFragmentNode):
                target = (
                    schema.get_type(node.type_condition.name.value)
                    if node.type_condition
                    else parent
                )
                if target is not None:
                    walk(node.selection_set, target, seen, path, site)
            elif isinstance(node, FragmentSpreadNode):
                name = node.name.value
                fragment = fragments.get(name)
                if fragment is None or name in seen:
                    continue
                target = schema.get_type(fragment.type_condition.name.value)
                if target is not None:
                    walk(fragment.selection_set, target, seen | {name}, path, site)

    walk(operation.selection_set, root, frozenset(), (), None)
    return selection
