"""Unexpected exceptions reach the client as one generic error carrying the request id;
their details (SQL, stack) go only to the server log."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

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


_SUGGESTION = " Did you mean "


def _unexpected_outside_fields(error: GraphQLError) -> bool:
    # strawberry turns an exception raised outside any field (an extension hook, a
    # validation rule, the parser) into GraphQLError(str(exception)): no path, no nodes.
    # Variable-coercion and validation errors always name their nodes.
    return (
        error.path is None
        and not error.nodes
        and error.original_error is not None
        and not isinstance(error.original_error, GraphQLError)
    )


class LiaisonSchema(strawberry.Schema):
    """Masks unexpected errors that happen before or around execution, on every transport.

    strawberry hands every error list to ``process_errors`` before it is returned; the
    masking is done in place, as strawberry's own suggestion removal does.
    """

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        context = execution_context.context if execution_context is not None else None
        request_id = context.request_id if isinstance(context, Context) else None
        for error in errors:
            if _unexpected_outside_fields(error):
                log.error(
                    "unexpected error outside any field in request %s",
                    request_id,
                    exc_info=error.original_error,
                )
                error.message = (
                    "Internal error: the request could not be completed. Quote the request id "
                    "to the operators."
                )
                error.extensions = {"code": "INTERNAL", "requestId": request_id}
            elif _SUGGESTION in error.message:
                # graphql-core's suggestions are off (schema/build.py); this also drops the
                # hints that bypass that switch, e.g. "Did you mean 'field { ... }'?".
                error.message = error.message.split(_SUGGESTION)[0].rstrip()
        super().process_errors(errors, execution_context)
