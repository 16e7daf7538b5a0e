"""Unexpected exceptions reach the client as one generic error carrying the request id;
their details (SQL, stack) go only to the server log."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from liaison.schema.context import Context

log = logging.getLogger("liaison.schema")


def _unexpected(error: GraphQLError) -> bool:
    # Errors raised while resolving a field (they have a path) that are not our own
    # GraphQLErrors; parse, validation and variable errors stay as graphql-core wrote them.
    return (
        error.path is not None
        and error.original_error is not None
        and not isinstance(error.original_error, GraphQLError)
    )


class HideInternalErrors(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        context = self.execution_context.context
        request_id = context.request_id if isinstance(context, Context) else None
        masked = []
        for error in result.errors:
            if _unexpected(error):
                log.error(
                    "unexpected error in request %s", request_id, exc_info=error.original_error
                )
                error = GraphQLError(
                    "Internal error: the request could not be completed. Quote the request id "
                    "to the operators.",
                    nodes=error.nodes,
                    path=error.path,
                    extensions={"code": "INTERNAL", "requestId": request_id},
                )
            masked.append(error)
        result.errors = masked
