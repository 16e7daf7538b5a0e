"""``/graphql``: authentication, purpose and request id at the edge, then strawberry; the
transaction commits before any data leaves, or the caller gets no data."""

from __future__ import annotations

import contextlib
import logging
from typing import Any, cast

import orjson
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, process_result
from strawberry.types import ExecutionResult

from liaison.api.admission import Admission
from liaison.api.authentication import Authenticator, NotAuthenticated
from liaison.api.graphiql import graphiql_page
from liaison.api.policy_cache import PolicyCache
from liaison.api.purpose import CASE_HEADER, PURPOSE_HEADER, case_problem, purpose_problem
from liaison.api.revocation import refusal
from liaison.api.websocket import WebSocketConnection
from liaison.db.attachments import AttachmentStore
from liaison.db.audit_writer import AuditWriter
from liaison.db.availability import UNAVAILABLE_MESSAGE, database_unavailable
from liaison.db.change_feed import ChangeFeed
from liaison.db.request_state import read_request_state
from liaison.permissions.principal import Principal
from liaison.schema.context import Context

log = logging.getLogger("liaison.api")


def _error_body(message: str, code: str, request_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "errors": [
            {"message": message, "extensions": {"code": code, "requestId": request_id, **extra}}
        ]
    }


class LiaisonGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view, given a typed context and a commit at the edge."""

    def __init__(
        self,
        schema: Any,
        *,
        sessions: async_sessionmaker[AsyncSession],
        policies: PolicyCache,
        changes: ChangeFeed | None = None,
        attachments: AttachmentStore | None = None,
        audit_writer: AuditWriter | None = None,
    ) -> None:
        super().__init__(schema, graphql_ide=None, allow_queries_via_get=True)
        self.sessions = sessions
        self.policies = policies
        self.changes = changes or ChangeFeed(sessions)
        self.attachments = attachments or AttachmentStore()
        self.audit_writer = audit_writer

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        state = request.scope["state"]
        return await self._context(
            state["principal"],
            state["session"],
            purpose=state["purpose"],
            case_reference=state["case_reference"],
            request_id=state["request_id"],
            policy_epoch=state["policy_epoch"],
        )

    async def operation_context(
        self,
        principal: Principal,
        *,
        purpose: str | None,
        case_reference: str | None,
        request_id: str,
        resume_after: int | None = None,
    ) -> Context:
        """One websocket operation's context, with a session of its own."""
        session = self.sessions()
        try:
            context = await self._context(
                principal,
                session,
                purpose=purpose,
                case_reference=case_reference,
                request_id=request_id,
            )
        except BaseException:
            await session.close()
            raise
        context.changes, context.renew_access = self.changes, self.renew_access
        context.resume_after = resume_after
        return context

    async def _context(
        self,
        principal: Principal,
        session: AsyncSession,
        *,
        purpose: str | None,
        case_reference: str | None,
        request_id: str,
        policy_epoch: int | None = None,
    ) -> Context:
        access, grants = await self.policies.access(
            session,
            consumer=principal.department,
            purpose=purpose,
            case_reference=case_reference,
            epoch=policy_epoch,
        )
        return Context(
            principal=principal,
            session=session,
            access=access,
            purpose=purpose,
            case_reference=case_reference,
            request_id=request_id,
            grants_in_force=grants,
            attachments=self.attachments,
            audit_writer=self.audit_writer,
        )

    async def renew_access(self, context: Context) -> None:
        context.access, context.grants_in_force = await self.policies.access(
            context.session,
            consumer=context.department,
            purpose=context.purpose,
            case_reference=context.case_reference,
        )

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        state = request.scope["state"]
        session: AsyncSession = state["session"]
        try:
            await session.commit()
        except Exception as error:
            log.exception("commit failed; no data returned (request %s)", state["request_id"])
            with contextlib.suppress(Exception):  # a connection that is gone rolls back
                await session.rollback()
            unavailable = database_unavailable(error)
            result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        UNAVAILABLE_MESSAGE
                        if unavailable
                        else "The request could not be completed; nothing was returned or changed.",
                        extensions={
                            "code": "DATABASE_UNAVAILABLE" if unavailable else "INTERNAL",
                            "requestId": state["request_id"],
                        },
                    )
                ],
            )
        return process_result(result)


class GraphQLEndpoint:
    """The ASGI app mounted at ``/graphql``."""

    def __init__(
        self,
        view: LiaisonGraphQL,
        authenticator: Authenticator,
        sessions: async_sessionmaker[AsyncSession],
        *,
        admission: Admission | None = None,
    ) -> None:
        self.view = view
        self.authenticator = authenticator
        self.sessions = sessions
        self.admission = admission or Admission(0)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        request_id: str = scope["state"]["request_id"]
        if _wants_graphiql(request):
            await HTMLResponse(graphiql_page())(scope, receive, send)
            return
        try:
            # The signature; revocation is read below, with the policy epoch.
            principal = await self.authenticator.verified(request.headers.get("authorization"))
        except NotAuthenticated as exc:
            await _unauthenticated(exc, request_id)(scope, receive, send)
            return
        async with self.admission.admitted(), self.sessions() as session:
            state = await read_request_state(
                session, jti=principal.token_id, client_id=principal.client_id
            )
            if state.revoked is not None:
                refused = NotAuthenticated(refusal(state.revoked))
                await _unauthenticated(refused, request_id)(scope, receive, send)
                return
            purpose = request.headers.get(PURPOSE_HEADER)
            case = request.headers.get(CASE_HEADER)
            problem = purpose_problem(purpose) or case_problem(case)
            if problem is not None:
                await JSONResponse(
                    _error_body(problem, "BAD_REQUEST", request_id), status_code=400
                )(scope, receive, send)
                return
            scope.setdefault("state", {})
            scope["state"].update(
                principal=principal,
                session=session,
                purpose=purpose,
                case_reference=case,
                policy_epoch=state.policy_epoch,
            )
            await self.view(scope, receive, send)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A token in the handshake is checked at once (401 if bad); without one, the
        socket opens and the token is expected in ``connection_init`` (see websocket.py)."""
        websocket = WebSocket(scope, receive, send)
        headers = websocket.headers
        request_id: str = scope["state"]["request_id"]
        authorization = headers.get("authorization")
        if authorization is not None:
            try:
                await self.authenticator.principal(authorization)
            except NotAuthenticated as exc:
                await websocket.send_denial_response(_unauthenticated(exc, request_id))
                return
        connection = WebSocketConnection(
            request_id=request_id,
            authenticator=self.authenticator,
            authorization=authorization,
            purpose=headers.get(PURPOSE_HEADER),
            case_reference=headers.get(CASE_HEADER),
        )
        await self.view.run(websocket, context=cast("Context", connection))


def _unauthenticated(exc: NotAuthenticated, request_id: str) -> Response:
    return JSONResponse(
        _error_body(exc.reason, "UNAUTHENTICATED", request_id),
        status_code=401,
        headers={"WWW-Authenticate": f'Bearer error="{exc.error}"'},
    )


def _wants_graphiql(request: Request) -> bool:
    return (
        request.method == "GET"
        and "query" not in request.query_params
        and "text/html" in request.headers.get("accept", "")
    )
