"""Every refusal at the HTTP edge is JSON shaped like a GraphQL response (``errors`` with a
``code`` and the request id), never text/plain and never a stack trace; unexpected
exceptions are one generic ``INTERNAL`` error, their details only in the server log."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from liaison.db.availability import RETRY_AFTER_SECONDS, UNAVAILABLE_MESSAGE, database_unavailable

log = logging.getLogger("liaison.api")

INTERNAL_MESSAGE = (
    "Internal error: the request could not be completed. Quote the request id to the operators."
)
_CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "RATE_LIMITED",
    500: "INTERNAL",
    503: "DATABASE_UNAVAILABLE",
}
DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE"


def request_id_of(scope: Scope) -> str | None:
    state = scope.get("state") or {}
    request_id: str | None = state.get("request_id")
    return request_id


def error_body(message: str, code: str, request_id: str | None, **extra: Any) -> dict[str, Any]:
    return {
        "errors": [
            {"message": message, "extensions": {"code": code, "requestId": request_id, **extra}}
        ]
    }


def error_response(
    status: int,
    message: str,
    request_id: str | None,
    *,
    code: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    return JSONResponse(
        error_body(message, code or _CODES.get(status, "BAD_REQUEST"), request_id, **extra),
        status_code=status,
        headers=headers,
    )


async def http_exception_as_json(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (unknown path, method a route does not take) as JSON."""
    assert isinstance(exc, HTTPException)
    message = {
        404: "Nothing is served at this path. The API is at /graphql.",
        405: f"{request.method} is not allowed here.",
    }.get(exc.status_code, exc.detail)
    return error_response(
        exc.status_code, message, request_id_of(request.scope), headers=exc.headers
    )


class InternalErrorMiddleware:
    """The last line: an exception nothing else handled becomes a 500 INTERNAL JSON error
    with the request id, and its traceback goes to the log."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:
            request_id = request_id_of(scope)
            if started:
                log.exception("unexpected error in request %s", request_id)
                raise  # too late for an answer; the server closes the connection
            if database_unavailable(error):
                log.warning("database unavailable in request %s: %s", request_id, error)
                await unavailable_response(request_id)(scope, receive, send)
                return
            log.exception("unexpected error in request %s", request_id)
            await error_response(500, INTERNAL_MESSAGE, request_id)(scope, receive, send)


def unavailable_response(request_id: str | None) -> JSONResponse:
    """503 with a retry hint: the database is restarting or out of reach, not broken."""
    return error_response(
        503,
        UNAVAILABLE_MESSAGE,
        request_id,
        code=DATABASE_UNAVAILABLE,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )
