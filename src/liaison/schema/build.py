from __future__ import annotations

import graphql.pyutils.did_you_mean as suggestions
import strawberry
from graphql import GraphQLNonNull, GraphQLObjectType
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from liaison.permissions.catalogue import Access
from liaison.schema.agreements import AgreementMutation, AgreementQuery
from liaison.schema.gate_extension import PermissionGate, element_map
from liaison.schema.internal_errors import HideInternalErrors
from liaison.schema.mutations import RecordMutation
from liaison.schema.queries import RecordQuery
from liaison.schema.scalars import SCALARS

# Each area of the API contributes its own root fields.
QUERY_TYPES: tuple[type, ...] = (RecordQuery, AgreementQuery)
MUTATION_TYPES: tuple[type, ...] = (RecordMutation, AgreementMutation)


class SchemaDeclarationError(TypeError):
    pass


def _no_suggestions() -> None:
    # "Did you mean ...?" in an error names fields, arguments and enum values the caller
    # did not ask for; graphql-core reads this limit on every call, so zero turns every
    # suggestion off, in validation and in variable coercion alike.
    suggestions.MAX_LENGTH = 0


def _check_governed_fields_nullable(schema: strawberry.Schema) -> None:
    forward, _ = element_map(schema._schema)
    for (type_name, field_name), element in forward.items():
        graphql_type = schema._schema.type_map[type_name]
        assert isinstance(graphql_type, GraphQLObjectType)
        if element.access is Access.GOVERNED and isinstance(
            graphql_type.fields[field_name].type, GraphQLNonNull
        ):
            raise SchemaDeclarationError(
                f"{type_name}.{field_name} shares {element.name}, which is governed: "
                "it must be nullable so a withheld value can come back null"
            )


def build_schema() -> strawberry.Schema:
    _no_suggestions()
    schema = strawberry.Schema(
        query=merge_types("Query", QUERY_TYPES),
        mutation=merge_types("Mutation", MUTATION_TYPES),
        extensions=[HideInternalErrors, PermissionGate],
        config=StrawberryConfig(scalar_map=SCALARS),
    )
    _check_governed_fields_nullable(schema)
    return schema
