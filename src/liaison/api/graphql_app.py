"""``/graphql``: authentication, purpose and request id at the edge, then strawberry; the
transaction commits before any data leaves, or the caller gets no data."""

from __future__ import annotations

import logging
import re
from typing import Any

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

from liaison.api.authentication import Authenticator, NotAuthenticated
from liaison.api.graphiql import graphiql_page
from liaison.api.policy_cache import PolicyCache
from liaison.api.revocation import refusal
from liaison.db.request_state import read_request_state
from liaison.permissions.principal import Principal
from liaison.schema.context import Context

log = logging.getLogger("liaison.api")

PURPOSE_HEADER = "liaison-purpose"
CASE_HEADER = "liaison-case"
_PURPOSE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
_CASE = re.compile(r"^[^\x00-\x1f\x7f]{1,128}$")


def _error_body(message: str, code: str, request_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "errors": [
            {"message": message, "extensions": {"code": code, "requestId": request_id, **extra}}
        ]
    }


class LiaisonGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view, given a typed context and a commit at the edge."""

    def __init__(
        self, schema: Any, *, sessions: async_sessionmaker[AsyncSession], policies: PolicyCache
    ) -> None:
        super().__init__(schema, graphql_ide=None, allow_queries_via_get=True)
        self.sessions = sessions
        self.policies = policies

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        state = request.scope["state"]
        principal: Principal = state["principal"]
        session: AsyncSession = state["session"]
        purpose: str | None = state["purpose"]
        access, grants = await self.policies.access(
            session, consumer=principal.department, purpose=purpose, epoch=state.get("policy_epoch")
        )
        return Context(
            principal=principal,
            session=session,
            access=access,
            purpose=purpose,
            case_reference=state["case_reference"],
            request_id=state["request_id"],
            grants_in_force=grants,
            over_websocket=isinstance(request, WebSocket),
        )

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        state = request.scope["state"]
        session: AsyncSession = state["session"]
        try:
            await session.commit()
        except Exception:
            log.exception("commit failed; no data returned (request %s)", state["request_id"])
            await session.rollback()
            result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        "The request could not be completed; nothing was returned or changed.",
                        extensions={"code": "INTERNAL", "requestId": state["request_id"]},
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
    ) -> None:
        self.view = view
        self.authenticator = authenticator
        self.sessions = sessions

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
        purpose = request.headers.get(PURPOSE_HEADER)
        if purpose is not None and not _PURPOSE.match(purpose):
            await JSONResponse(
                _error_body(
                    "Liaison-Purpose must be a purpose code such as joint_inspection "
                    "(lowercase letters, digits and underscores).",
                    "BAD_REQUEST",
                    request_id,
                ),
                status_code=400,
            )(scope, receive, send)
            return
        case = request.headers.get(CASE_HEADER)
        if case is not None and not _CASE.match(case):
            await JSONResponse(
                _error_body(
                    "Liaison-Case must be 1 to 128 printable characters.", "BAD_REQUEST", request_id
                ),
                status_code=400,
            )(scope, receive, send)
            return

        async with self.sessions() as session:
            state = await read_request_state(
                session, jti=principal.token_id, client_id=principal.client_id
            )
            if state.revoked is not None:
                refused = NotAuthenticated(refusal(state.revoked))
                await _unauthenticated(refused, request_id)(scope, receive, send)
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
        websocket = WebSocket(scope, receive, send)
        headers = websocket.headers
        try:
            principal = await self.authenticator.from_headers(headers)
        except NotAuthenticated as exc:
            await websocket.send_denial_response(
                JSONResponse(
                    _error_body(exc.reason, "UNAUTHENTICATED", scope["state"]["request_id"]),
                    status_code=401,
                    headers={"WWW-Authenticate": f'Bearer error="{exc.error}"'},
                )
            )
            return
        async with self.sessions() as session:
            scope.setdefault("state", {})
            scope["state"].update(
                principal=principal,
                session=session,
                purpose=headers.get(PURPOSE_HEADER),
                case_reference=headers.get(CASE_HEADER),
            )
            await self.view(scope, receive, send)


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
