"""``graphql-transport-ws`` at ``/graphql``: who is calling is settled at ``connection_init``,
and every result leaves only after the transaction that audited it has committed.

- The access token comes in the ``connection_init`` payload (``{"Authorization": "Bearer
  …"}``, what browsers can send), or in the handshake's ``Authorization`` header; purpose and
  case the same way (``Liaison-Purpose``, ``Liaison-Case``). A refused token closes the
  socket with 4403 and the reason; a malformed purpose or case with 4400.
- The socket is closed with 4403 when its token expires, and when it is found revoked:
  before each subscribe message, before each subscription event, and every
  ``RECHECK_SECONDS`` on an idle socket.
- Each operation gets its own context and database session; each result (a query's, a
  mutation's, every subscription event) is committed (its audit event with it) before it
  is sent, or replaced by an ``INTERNAL`` error and nothing is sent of it.
- ``subscribe`` messages meet the same size limits and record budget as HTTP requests; a
  refused operation gets one ``error`` message and is not executed.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import orjson
from graphql import GraphQLError
from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    CompleteMessage,
    ConnectionInitMessage,
    SubscribeMessage,
)
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.utils.aio import aclosing

from liaison.api.authentication import Authenticator, NotAuthenticated
from liaison.api.purpose import CASE_HEADER, PURPOSE_HEADER, case_problem, purpose_problem
from liaison.permissions.principal import Principal
from liaison.schema.context import Context
from liaison.schema.errors import bad_input
from liaison.schema.limits import limit_error, size_errors
from liaison.schema.rate_limit import rate_limited_error
from liaison.schema.subscriptions import decode_change_cursor, encode_change_cursor

if TYPE_CHECKING:
    from strawberry.schema.schema import StreamResult

    from liaison.api.graphql_over_http import GraphQLOverHTTP

log = logging.getLogger("liaison.api")

RECHECK_SECONDS = 30.0
_CLOSE_REASON_BYTES = 123  # RFC 6455: a close frame's reason fits in 123 bytes


@dataclass
class WebSocketConnection:
    """What one socket carries from its handshake to its operations."""

    request_id: str
    authenticator: Authenticator
    authorization: str | None = None
    purpose: str | None = None
    case_reference: str | None = None
    principal: Principal | None = None


class TextFrames(ASGIWebSocketAdapter):
    """graphql-transport-ws messages are text frames: clients (graphql-ws among them) do
    not parse binary ones, which is what strawberry sends for an encoder returning bytes."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(orjson.dumps(message).decode())
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class BadConnectionParams(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _close_reason(reason: str) -> str:
    encoded = reason.encode()
    if len(encoded) <= _CLOSE_REASON_BYTES:
        return reason
    return encoded[: _CLOSE_REASON_BYTES - 3].decode(errors="ignore") + "..."


def _param(params: dict[str, Any], name: str, fallback: str | None) -> str | None:
    value = params.get(name, fallback)
    if value is not None and not isinstance(value, str):
        raise BadConnectionParams(f"connection_init payload: {name} must be a string")
    return value


class LiaisonTransportWSHandler(BaseGraphQLTransportWSHandler[Any, None]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connection = cast("WebSocketConnection", self.context)
        self._operation_numbers = itertools.count(1)
        self._watch: asyncio.Task[None] | None = None
        # Operations resumed after a change (their subscribe's extensions.resumeAfter).
        self._resume_after: dict[str, int] = {}

    @property
    def _view(self) -> GraphQLOverHTTP:
        return cast("GraphQLOverHTTP", self.view)

    async def shutdown(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        await super().shutdown()

    # -- connection_init: authentication -------------------------------------------------

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        if self.connection_timed_out:
            return
        if self.connection_init_timeout_task:
            self.connection_init_timeout_task.cancel()
        payload = message.get("payload") or {}
        if not isinstance(payload, dict):
            await self.websocket.close(code=4400, reason="Invalid connection init payload")
            return
        if self.connection_init_received:
            await self.websocket.close(code=4429, reason="Too many initialisation requests")
            return
        self.connection_init_received = True
        try:
            await self._admit({str(k).lower(): v for k, v in payload.items()})
        except BadConnectionParams as exc:
            await self.websocket.close(code=4400, reason=_close_reason(exc.reason))
            return
        except NotAuthenticated as exc:
            await self.websocket.close(code=4403, reason=_close_reason(f"Forbidden: {exc.reason}"))
            return
        await self.send_message({"type": "connection_ack"})
        self.connection_acknowledged = True
        self._watch = asyncio.create_task(self._watch_token(), name="liaison-token-watch")

    async def _admit(self, params: dict[str, Any]) -> None:
        connection = self.connection
        authorization = _param(params, "authorization", connection.authorization)
        purpose = _param(params, PURPOSE_HEADER, connection.purpose)
        case = _param(params, CASE_HEADER, connection.case_reference)
        problem = purpose_problem(purpose) or case_problem(case)
        if problem is not None:
            raise BadConnectionParams(problem)
        connection.principal = await connection.authenticator.principal(authorization)
        connection.purpose, connection.case_reference = purpose, case

    # -- the token's life: expiry and revocation -----------------------------------------

    async def _watch_token(self) -> None:
        principal = self._principal()
        while True:
            remaining = principal.expires_at - time.time()
            if remaining <= 0:
                await self._refuse("Forbidden: token expired")
                return
            await asyncio.sleep(min(remaining, RECHECK_SECONDS))
            if await self._refused_now():
                return

    async def _refused_now(self) -> bool:
        """Closes the socket (4403) if its token has expired or been revoked."""
        principal = self._principal()
        if principal.expires_at <= time.time():
            await self._refuse("Forbidden: token expired")
            return True
        revocations = self.connection.authenticator.revocations
        reason = await revocations.reason(principal) if revocations is not None else None
        if reason is not None:
            await self._refuse(f"Forbidden: {reason}")
            return True
        return False

    async def _refuse(self, reason: str) -> None:
        with contextlib.suppress(Exception):  # the peer may already be gone
            await self.websocket.close(code=4403, reason=_close_reason(reason))

    def _principal(self) -> Principal:
        principal = self.connection.principal
        if principal is None:  # pragma: no cover - operations start only after the ack
            raise RuntimeError("operation on a socket that was never acknowledged")
        return principal

    # -- subscribe: limits, then one context per operation --------------------------------

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.connection_acknowledged and message.get("id") not in self.operations:
            payload = message.get("payload")
            if not _valid_subscribe_payload(payload):
                await self.websocket.close(
                    code=4400,
                    reason="Invalid subscribe payload: `query` must be a string, `variables` "
                    "and `extensions` objects, `operationName` a string",
                )
                return
            if await self._refused_now():
                return
            view = self._view
            errors = size_errors(payload["query"], payload.get("variables"), view.limits)
            most = view.limits.max_socket_operations
            if not errors and most and len(self.operations) >= most:
                errors = [
                    limit_error(
                        "socketOperations",
                        f"{most} operations are already running on this socket, the most "
                        "allowed: complete one, or open another socket.",
                        maximum=most,
                        found=len(self.operations) + 1,
                    )
                ]
            if not errors:
                await view.budget.learn(self._principal(), view.sessions)
                wait = view.budget.retry_after(self._principal())
                if wait:
                    errors = [rate_limited_error(wait, view.budget.capacity)]
            resume = (payload.get("extensions") or {}).get("resumeAfter")
            if not errors and resume is not None:
                after = decode_change_cursor(resume)
                if after is None:
                    errors = [
                        bad_input(
                            "extensions.resumeAfter is not a cursor this API issued",
                            field="extensions.resumeAfter",
                        )
                    ]
                else:
                    self._resume_after[message["id"]] = after
            if errors:
                await self.send_message(
                    {
                        "id": message["id"],
                        "type": "error",
                        "payload": [error.formatted for error in errors],
                    }
                )
                return
        await super().handle_subscribe(message)

    async def run_operation(self, operation: Operation[Any, None]) -> None:
        request_id = f"{self.connection.request_id[:100]}:{next(self._operation_numbers)}"
        try:
            context = await self._view.operation_context(
                self._principal(),
                purpose=self.connection.purpose,
                case_reference=self.connection.case_reference,
                request_id=request_id,
                resume_after=self._resume_after.pop(operation.id, None),
            )
        except Exception:
            log.exception("operation could not start (request %s)", request_id)
            await operation.send_initial_errors([_internal(request_id)])
            return
        try:
            result_source = await self.schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=context,
                root_value=self.root_value,
                operation_name=operation.operation_name,
            )
            async with aclosing(result_source):
                await self._deliver(operation, context, result_source)
            await operation.send_operation_message(
                CompleteMessage(id=operation.id, type="complete")
            )
        except _OperationStreamClosed:
            return
        except Exception as error:
            await self.handle_task_exception(error)
            with contextlib.suppress(Exception):
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
            self.operations.pop(operation.id, None)
            raise
        finally:
            await context.session.close()

    async def _deliver(
        self, operation: Operation[Any, None], context: Context, results: StreamResult
    ) -> None:
        first = True
        async for result in results:
            if first and isinstance(result, PreExecutionError):
                await self._handle_pre_execution_error(operation, result)
                return
            if not isinstance(result, ExecutionResult):
                await self._reject_incremental_delivery(operation)
                return
            first = False
            committed = await self._committed(context, result)
            if committed is None:
                return
            if context.event_cursor is not None:
                # What the client resumes after, should the socket drop.
                cursor = {"cursor": encode_change_cursor(context.event_cursor)}
                committed.extensions = {**(committed.extensions or {}), **cursor}
            await operation.send_next(committed)

    async def _committed(self, context: Context, result: ExecutionResult) -> ExecutionResult | None:
        """``result`` once its transaction (its audit event with it) has committed; an
        ``INTERNAL`` error instead if the commit failed; None, and the socket closed, if
        the token went bad before a subscription event could leave."""
        session = context.session
        if context.event_open and await self._refused_now():
            await session.rollback()
            return None
        try:
            await session.commit()
        except Exception:
            log.exception("commit failed; no data sent (request %s)", context.request_id)
            await session.rollback()
            return ExecutionResult(data=None, errors=[_internal(context.request_id)])
        return result


def _internal(request_id: str) -> GraphQLError:
    return GraphQLError(
        "The request could not be completed; nothing was returned or changed.",
        extensions={"code": "INTERNAL", "requestId": request_id},
    )


def _valid_subscribe_payload(payload: Any) -> bool:
    return (
        isinstance(payload, dict)
        and isinstance(payload.get("query"), str)
        and isinstance(payload.get("variables") or {}, dict)
        and isinstance(payload.get("extensions") or {}, dict)
        and isinstance(payload.get("operationName") or "", str)
    )
