"""GraphQL over HTTP (https://graphql.github.io/graphql-over-http/), strictly, for
``/graphql``; and the same limits for operations over ``graphql-transport-ws``.

- Responses are ``application/graphql-response+json`` when the client's ``Accept`` prefers
  it, else ``application/json`` (also when ``Accept`` is missing or names neither).
  A request error (parse, validation, variable coercion, a limit) has no ``data`` entry
  and is 400 under ``application/graphql-response+json``, 200 under ``application/json``;
  anything that executed is 200.
- POST takes ``application/json`` bodies only: text/plain, form and multipart bodies are
  415 and never executed (they are what a cross-site form can send without a preflight).
  One operation per request: a JSON array (batching) is 400.
- GET runs queries only: a mutation over GET is 405 with ``Allow: POST``, refused after
  parsing and before validation or execution.
- Malformed requests (not UTF-8, not JSON, wrong parameter types) are 400 with a precise
  message; every refusal is JSON with a ``code`` and the request id.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, cast

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.parse_content_type import parse_content_type
from strawberry.http.websocket_origin import normalize_allowed_origins
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from liaison.api.graphql_app import LiaisonGraphQL
from liaison.api.http_errors import error_response, request_id_of
from liaison.api.websocket import LiaisonTransportWSHandler, TextFrames
from liaison.db.availability import RETRY_AFTER_SECONDS
from liaison.limits import Limits
from liaison.permissions.principal import Principal
from liaison.schema.audit_extension import AUDIT_UNAVAILABLE
from liaison.schema.context import Context
from liaison.schema.limits import LIMIT_EXCEEDED, size_errors
from liaison.schema.rate_limit import RATE_LIMITED, RecordBudget, rate_limited_error

APPLICATION_JSON = "application/json"
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
_MEDIA_TYPES = (GRAPHQL_RESPONSE_JSON, APPLICATION_JSON)
SUBSCRIPTIONS_OVER_WS = (
    "Subscriptions are not served over HTTP: open a websocket (graphql-transport-ws) at this "
    "same path. Nothing was executed."
)
_PARAMETERS = ("query", "variables", "operationName", "extensions")


class Refused(HTTPException):
    """A request answered with an HTTP error before anything was executed."""

    def __init__(
        self,
        status_code: int,
        reason: str,
        *,
        code: str | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(status_code, reason)
        self.code = code
        self.headers = headers
        self.extensions = extensions


def negotiate(accept: str | None) -> str:
    """The response media type for an ``Accept`` header: the supported type with the
    highest q (judged by the most specific range that matches it), the one listed first on
    a tie, ``application/json`` when only a wildcard matches both; ``application/json``
    too when ``Accept`` is missing or accepts neither (the specification allows either
    that or 406; a lenient answer serves old clients)."""
    if not accept:
        return APPLICATION_JSON
    best: dict[str, tuple[float, int, int]] = {}  # media type -> (q, specificity, -position)
    for position, item in enumerate(accept.split(",")):
        media, _, raw_params = item.strip().partition(";")
        media = media.strip().lower()
        q = 1.0
        for param in raw_params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
                if not math.isfinite(q):
                    q = 0.0
        specificity = {"*/*": 0, "application/*": 1}.get(media, 2)
        for candidate in _MEDIA_TYPES:
            if specificity == 2 and media != candidate:
                continue
            if specificity > best.get(candidate, (0.0, -1, 0))[1]:
                best[candidate] = (q, specificity, -position)
    ranked = sorted(
        ((q, earlier, media == APPLICATION_JSON, media) for media, (q, _, earlier) in best.items()),
        reverse=True,
    )
    if not ranked or ranked[0][0] <= 0:
        return APPLICATION_JSON
    return ranked[0][3]


def _decode(raw: bytes | str, what: str) -> object:
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Refused(
                400, f"The {what} is not valid UTF-8 (byte {exc.start}); send UTF-8 JSON."
            ) from None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise Refused(400, f"The {what} is not valid JSON: {exc}.") from None


def _request_data(data: object) -> GraphQLRequestData:
    if isinstance(data, list):
        raise Refused(
            400,
            "Batched requests (a JSON array) are not accepted: send one operation per request.",
            code="BATCHING_NOT_SUPPORTED",
        )
    if not isinstance(data, dict):
        raise Refused(
            400,
            "The request body must be a JSON object with a `query` string "
            "(and optionally `variables`, `operationName`, `extensions`).",
        )
    query = data.get("query")
    if query is None:
        raise Refused(400, "The request has no `query`: send the GraphQL document as `query`.")
    if not isinstance(query, str):
        raise Refused(400, f"`query` must be a string, not {_json_type(query)}.")
    if not query.strip():
        raise Refused(400, "`query` is empty: send a GraphQL document.")
    variables = data.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise Refused(400, f"`variables` must be an object or null, not {_json_type(variables)}.")
    operation_name = data.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise Refused(
            400, f"`operationName` must be a string or null, not {_json_type(operation_name)}."
        )
    extensions = data.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        raise Refused(400, f"`extensions` must be an object or null, not {_json_type(extensions)}.")
    return GraphQLRequestData(
        query=query,
        variables=variables,
        operation_name=operation_name,
        extensions=extensions,
        protocol="http",
    )


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "a string" if isinstance(value, str) else "null"


def is_request_error(response: Mapping[str, Any]) -> bool:
    """No data, and every error raised before execution: parse, validation, variable
    coercion or a limit. (Timeouts and internal errors happen during execution.)"""
    errors = response.get("errors") or []
    return (
        response.get("data") is None
        and bool(errors)
        and all(
            "path" not in error
            and (error.get("extensions") or {}).get("code") in (None, LIMIT_EXCEEDED)
            for error in errors
        )
    )


class GraphQLOverHTTP(LiaisonGraphQL):
    """The ``/graphql`` view: ``LiaisonGraphQL`` with the protocol and limits above."""

    def __init__(
        self,
        *args: Any,
        limits: Limits,
        budget: RecordBudget,
        cors_origins: tuple[str, ...] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits
        self.budget = budget
        self.protocols = (GRAPHQL_TRANSPORT_WS_PROTOCOL,)  # not the legacy graphql-ws
        self.allowed_origins = normalize_allowed_origins(cors_origins)
        self.graphql_transport_ws_handler_class = LiaisonTransportWSHandler
        self.websocket_adapter_class = TextFrames
        self.max_subscriptions_per_connection = limits.max_socket_operations or None

    def decode_json(self, data: str | bytes) -> object:
        # Websocket messages: strict JSON (no NaN, no lone surrogates), nesting bounded.
        return orjson.loads(data)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        request_id = request_id_of(scope)
        response: Response
        try:
            principal = request.scope.get("state", {}).get("principal")
            if isinstance(principal, Principal):
                await self.budget.learn(principal, self.sessions)
            self._admit(request)
            response = await self.run(request)
        except Refused as refusal:
            response = error_response(
                refusal.status_code,
                refusal.reason,
                request_id,
                code=refusal.code,
                headers=refusal.headers,
                **refusal.extensions,
            )
        except HTTPException as exc:
            response = error_response(exc.status_code, exc.reason, request_id)
        await response(scope, receive, send)

    def _admit(self, request: Request) -> None:
        if request.method not in ("GET", "POST"):
            raise Refused(
                405,
                f"{request.method} is not allowed: POST (or GET, for queries) a GraphQL request.",
                headers={"Allow": "GET, POST"},
            )
        if request.method == "POST":
            media, params = parse_content_type(request.headers.get("content-type", ""))
            if media != APPLICATION_JSON:
                raise Refused(
                    415,
                    f"POST bodies must be {APPLICATION_JSON}, not {media or 'untyped'}; "
                    "nothing was executed.",
                )
            charset = params.get("charset", "utf-8").lower()
            if charset not in ("utf-8", "utf8"):
                raise Refused(415, f"Request bodies must be UTF-8, not {charset}.")
        principal = request.scope.get("state", {}).get("principal")
        if isinstance(principal, Principal):
            wait = self.budget.retry_after(principal)
            if wait:
                error = rate_limited_error(wait, self.budget.capacity)
                raise Refused(
                    429,
                    error.message,
                    code=RATE_LIMITED,
                    headers={"Retry-After": str(wait)},
                    retryAfterSeconds=wait,
                )

    def should_render_graphql_ide(self, request: Any) -> bool:
        return False  # GraphiQL is served by the endpoint, before authentication

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        if request.method == "GET":
            params = request.query_params
            data: dict[str, object] = {}
            for name in _PARAMETERS:
                values = cast("Any", params).getlist(name)
                if len(values) > 1:
                    raise Refused(400, f"The URL gives `{name}` more than once.")
                if values:
                    data[name] = values[0]
            for name in ("variables", "extensions"):
                raw = data.get(name)
                if isinstance(raw, str):
                    data[name] = _decode(raw, f"`{name}` URL parameter") if raw else None
            return _request_data(data)
        body = await request.get_body()
        if not body:
            raise Refused(400, "The request body is empty: POST a JSON object with `query`.")
        return _request_data(_decode(body, "request body"))

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        errors = size_errors(request_data.query, request_data.variables, self.limits)
        if errors:
            return ExecutionResult(data=None, errors=errors)
        try:
            return await super().execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )
        except HTTPException as exc:
            cause = exc.__cause__
            if isinstance(cause, InvalidOperationTypeError) and (
                request_adapter.method == "GET" and cause.operation_type == OperationType.MUTATION
            ):
                raise Refused(
                    405,
                    "Mutations are not executed over GET: send them with POST. Nothing was "
                    "executed.",
                    headers={"Allow": "POST"},
                ) from None
            if (
                isinstance(cause, InvalidOperationTypeError)
                and cause.operation_type == OperationType.SUBSCRIPTION
            ):
                return ExecutionResult(data=None, errors=[GraphQLError(SUBSCRIPTIONS_OVER_WS)])
            if isinstance(cause, CannotGetOperationTypeError):
                # A request error like any other: the document names no such operation.
                return ExecutionResult(data=None, errors=[GraphQLError(exc.reason)])
            raise

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = negotiate(request.headers.get("accept"))
        return sub_response

    async def process_result(self, request: Request, result: Any) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        if is_request_error(response):
            response.pop("data", None)
        return response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        media = sub_response.media_type or APPLICATION_JSON
        status = sub_response.status_code or 200
        if (
            media == GRAPHQL_RESPONSE_JSON
            and isinstance(response_data, dict)
            and "data" not in response_data
        ):
            status = 400
        if isinstance(response_data, dict) and _unavailable(response_data):
            # Nothing was served because the database, or the audit trail in it, could not
            # be written or reached: say so to load balancers and clients that retry.
            status = 503
            sub_response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        content_type = media + ("; charset=utf-8" if media == GRAPHQL_RESPONSE_JSON else "")
        response = Response(self.encode_json(response_data), status_code=status)
        response.headers.raw.extend(sub_response.headers.raw)
        response.headers["content-type"] = content_type
        if sub_response.background:
            response.background = sub_response.background
        return response


_UNAVAILABLE_CODES = frozenset({"DATABASE_UNAVAILABLE", AUDIT_UNAVAILABLE})


def _unavailable(response: GraphQLHTTPResponse) -> bool:
    errors = cast("list[dict[str, Any]]", response.get("errors") or [])
    codes = {(e.get("extensions") or {}).get("code") for e in errors}
    return response.get("data") is None and bool(codes) and codes <= _UNAVAILABLE_CODES
