"""The declaration is the enforcement: every field of a shared type names its element."""

from __future__ import annotations

import pytest
import strawberry
from graphql import GraphQLNonNull, GraphQLObjectType

from liaison.permissions.catalogue import RECORD_TYPES, Access
from liaison.schema.build import (
    SchemaDeclarationError,
    _check_governed_fields_nullable,
    build_schema,
)
from liaison.schema.gate_extension import element_map
from liaison.schema.materialize import GRAPHQL_TYPES
from liaison.schema.shared import shared


@pytest.fixture(scope="module")
def schema() -> strawberry.Schema:
    return build_schema()


def test_every_field_of_every_shared_type_declares_its_shared_element(
    schema: strawberry.Schema,
) -> None:
    forward, _ = element_map(schema._schema)
    undeclared = [
        f"{graphql_type.__name__}.{name}"
        for record_type, graphql_type in GRAPHQL_TYPES.items()
        for name in schema._schema.type_map[graphql_type.__name__].fields  # type: ignore[attr-defined]
        if (graphql_type.__name__, name) not in forward
        or forward[(graphql_type.__name__, name)].record_type != record_type
    ]
    assert undeclared == []


def test_every_catalogue_element_is_exposed_exactly_once(schema: strawberry.Schema) -> None:
    _, backward = element_map(schema._schema)
    catalogued = {e.name for t in RECORD_TYPES.values() for e in t.elements.values()}
    assert catalogued == set(backward)


def test_governed_fields_are_nullable_so_withheld_values_can_be_null(
    schema: strawberry.Schema,
) -> None:
    forward, _ = element_map(schema._schema)
    non_null = [
        f"{t}.{f}"
        for (t, f), element in forward.items()
        if element.access is Access.GOVERNED
        and isinstance(
            schema._schema.type_map[t].fields[f].type,  # type: ignore[attr-defined]
            GraphQLNonNull,
        )
    ]
    assert non_null == []
    assert all(isinstance(schema._schema.type_map[t], GraphQLObjectType) for t, _ in forward)


@strawberry.type
class Leaky:
    cas_number: str = shared("dangerous_chemical_entry.cas_number")


@strawberry.type
class LeakyQuery:
    leaky: Leaky


def test_a_governed_field_declared_non_null_fails_schema_construction() -> None:
    with pytest.raises(SchemaDeclarationError, match="must be nullable"):
        _check_governed_fields_nullable(strawberry.Schema(query=LeakyQuery))


def test_declaring_an_unknown_element_fails_at_import_time() -> None:
    with pytest.raises(KeyError, match="no shared element"):
        shared("dangerous_chemical_entry.secret_formula")
