"""The audit trail as a schema extension: after the permission gate has reported, every
operation that read or was refused another department's data, and every mutation, is
appended to the chain in the request's own transaction.

Security contract (fail closed): a mutation's event is written in the transaction the edge
commits before the response body exists (``LiaisonGraphQL.process_result``); a query's is
committed by the process's audit writer (group commit, ``db.audit_writer``) before this
extension lets the result go on. If it cannot be written, this extension rolls the whole
transaction back (a mutation's writes included) and the result carries no data and one
``AUDIT_UNAVAILABLE`` error with the request id.
Reads of one's own department's records only leave no event: nothing was shared.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import orjson
from graphql import GraphQLError, OperationDefinitionNode
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.execution import StreamExecutionResult
from strawberry.types.graphql import OperationType

from liaison.db.audit import hold_writes, reserve_slot, write_event
from liaison.schema.audit_entry import Operation, build_entry
from liaison.schema.context import Context

log = logging.getLogger("liaison.audit")

AUDIT_UNAVAILABLE = "AUDIT_UNAVAILABLE"


class AuditTrail(SchemaExtension):
    """Must come BEFORE ``PermissionGate`` in the schema's extension list: strawberry
    leaves ``on_execute`` hooks in reverse order, so this one's post-execution step then
    runs after the gate has added its FORBIDDEN / PURPOSE_REQUIRED errors.

    A mutation takes the writers' lock before it runs (``db.audit.hold_writes``) and its
    place in the chain after: its writes and its event then commit, or roll back, as one
    transaction on every database.
    """

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context = execution.context
        if not isinstance(context, Context):
            yield
            return
        writes = execution.operation_type is OperationType.MUTATION
        if writes:
            try:
                async with context.database() as session:
                    await hold_writes(session)
            except Exception:
                await _abandon(context)
                raise _unavailable(context) from None
        try:
            yield
        except Exception:
            # Execution failed before a result: nothing it wrote may commit.
            if writes:
                await _abandon(context)
            raise
        result = execution.result
        if result is None or not hasattr(result, "errors"):
            if writes:
                await _roll_back(context)
            return
        await _record(execution, context, result, writes=writes)


class AuditEachEvent(SchemaExtension):
    """A subscription's events, each appended as its own event before it is delivered
    (the websocket handler commits, then sends). Must come AFTER ``PermissionGate``:
    ``on_stream_result`` hooks run in list order, and the gate adds its errors first."""

    async def on_stream_result(self, result: StreamExecutionResult) -> AsyncIterator[None]:
        execution = self.execution_context
        context = execution.context
        if (
            isinstance(context, Context)
            and context.event_open
            and isinstance(result, ExecutionResult)
        ):
            await _record(execution, context, result, writes=False)
        yield


async def _record(
    execution: ExecutionContext, context: Context, result: Any, *, writes: bool
) -> None:
    """Appends the operation's (or the event's) entry; if it cannot, rolls everything back
    and leaves ``result`` no data and one ``AUDIT_UNAVAILABLE`` error."""
    errors: list[GraphQLError] = list(result.errors or [])
    try:
        entry = build_entry(
            _operation(execution, context),
            context.gates(),
            errors,
            data_returned=result.data is not None,
            writes=writes,
        )
        if entry is None:
            return
        if not writes and context.audit_writer is not None and not context.event_open:
            # A query writes nothing of its own: its event can commit with others'.
            await context.audit_writer.append(entry)
            return
        async with context.database() as session:
            await write_event(session, await reserve_slot(session), entry)
    except Exception:
        await _abandon(context)
        result.data = None
        result.errors = [_unavailable(context)]


async def _abandon(context: Context) -> None:
    """Rolls the request's whole transaction back: nothing it wrote, and no half-taken
    place in the chain, may be committed by the edge."""
    log.exception("audit event not written; no data returned (request %s)", context.request_id)
    await _roll_back(context)


async def _roll_back(context: Context) -> None:
    try:
        async with context.database() as session:
            await session.rollback()
    except Exception:  # the edge closes the session uncommitted anyway
        log.exception("rollback after an audit failure failed (request %s)", context.request_id)


def _unavailable(context: Context) -> GraphQLError:
    return GraphQLError(
        "The access could not be recorded in the audit trail, so nothing was returned or "
        "changed. Quote the request id to the operators.",
        extensions={"code": AUDIT_UNAVAILABLE, "requestId": context.request_id},
    )


def _operation(execution: ExecutionContext, context: Context) -> Operation:
    principal = context.principal
    return Operation(
        request_id=context.request_id,
        subject=principal.subject,
        department=principal.department,
        client=principal.client_id,
        operation_type=execution.operation_type.value,
        operation_name=_operation_name(execution),
        document_sha256=hashlib.sha256((execution.query or "").encode()).hexdigest(),
        variables_sha256=hashlib.sha256(_canonical(execution.variables or {})).hexdigest(),
        purpose=context.purpose,
        case_reference=context.case_reference,
    )


def _operation_name(execution: ExecutionContext) -> str | None:
    if execution.operation_name:
        return execution.operation_name
    document = execution.graphql_document
    operation = get_operation_ast(document) if document is not None else None
    if isinstance(operation, OperationDefinitionNode) and operation.name is not None:
        return operation.name.value
    return None


def _canonical(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS, default=str)
