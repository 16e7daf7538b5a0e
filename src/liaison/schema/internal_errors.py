"""Unexpected exceptions reach the client as one generic error carrying the request id;
their details (SQL, stack) go only to the server log."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import DEFAULT_ALLOWED_OPERATION_TYPES
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.execution import StreamExecutionResult
from strawberry.types.graphql import OperationType

from liaison.db.availability import UNAVAILABLE_MESSAGE, database_unavailable
from liaison.schema.context import Context

DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE"

log = logging.getLogger("liaison.schema")


def _unexpected(error: GraphQLError) -> bool:
    # Errors raised while resolving a field (they have a path) that are not our own
    # GraphQLErrors; parse, validation and variable errors stay as graphql-core wrote them.
    return (
        error.path is not None
        and error.original_error is not None
        and not isinstance(error.original_error, GraphQLError)
    )


def _masked(errors: list[GraphQLError], request_id: str | None) -> list[GraphQLError]:
    masked = []
    for error in errors:
        if _unexpected(error) and database_unavailable(error.original_error):
            log.warning("database unavailable in request %s: %s", request_id, error.message)
            error = GraphQLError(
                UNAVAILABLE_MESSAGE,
                nodes=error.nodes,
                path=error.path,
                extensions={"code": DATABASE_UNAVAILABLE, "requestId": request_id},
            )
        elif _unexpected(error):
            log.error("unexpected error in request %s", request_id, exc_info=error.original_error)
            error = GraphQLError(
                "Internal error: the request could not be completed. Quote the request id "
                "to the operators.",
                nodes=error.nodes,
                path=error.path,
                extensions={"code": "INTERNAL", "requestId": request_id},
            )
        masked.append(error)
    return masked


class HideInternalErrors(SchemaExtension):
    """Over HTTP the result is masked when the operation ends; a streamed result (every
    operation over the websocket, each subscription event) before it is sent."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = _masked(result.errors, self._request_id())

    def on_stream_result(self, result: StreamExecutionResult) -> Iterator[None]:
        if isinstance(result, ExecutionResult) and result.errors:
            result.errors = _masked(result.errors, self._request_id())
        yield

    def _request_id(self) -> str | None:
        context = self.execution_context.context
        return context.request_id if isinstance(context, Context) else None


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

    ``execute`` (one result: HTTP) never runs a subscription; ``stream`` (the websocket)
    does, with the per-event gate, audit and commit a subscription needs.
    """

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        allowed = set(allowed_operation_types or DEFAULT_ALLOWED_OPERATION_TYPES)
        return await super().execute(
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            allowed - {OperationType.SUBSCRIPTION},
            operation_extensions,
        )

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        context = execution_context.context if execution_context is not None else None
        request_id = context.request_id if isinstance(context, Context) else None
        for error in errors:
            if _unexpected_outside_fields(error) and database_unavailable(error.original_error):
                log.warning("database unavailable in request %s: %s", request_id, error.message)
                error.message = UNAVAILABLE_MESSAGE
                error.extensions = {"code": DATABASE_UNAVAILABLE, "requestId": request_id}
            elif _unexpected_outside_fields(error):
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
