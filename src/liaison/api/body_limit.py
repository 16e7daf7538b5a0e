"""413 for a request body over the limit, before any of it is parsed: at once when
``Content-Length`` says so, otherwise (chunked) as soon as the bytes received pass it.

Before answering, a little more of the body (at most ``_LINGER_BYTES``, for at most
``_LINGER_SECONDS``) is read and discarded, so that a client still sending gets the 413
rather than a connection reset; then the connection is closed.
"""

from __future__ import annotations

import asyncio

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from liaison.api.http_errors import error_response, request_id_of

_LINGER_BYTES = 256 * 1024
_LINGER_SECONDS = 1.0


class _BodyTooLarge(Exception):
    """Raised while streaming a body past the limit: ends the read at once."""


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.max_bytes:
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return

        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if started:  # pragma: no cover - the body is read before any response starts
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _linger(receive)
        response = error_response(
            413,
            f"The request body is larger than {self.max_bytes} bytes "
            "(LIAISON_MAX_BODY_BYTES); nothing was parsed or executed.",
            request_id_of(scope),
            maximumBytes=self.max_bytes,
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


async def _linger(receive: Receive) -> None:
    drained = 0
    try:
        async with asyncio.timeout(_LINGER_SECONDS):
            while drained <= _LINGER_BYTES:
                message = await receive()
                if message["type"] != "http.request":
                    return
                drained += len(message.get("body", b""))
                if not message.get("more_body", False):
                    return
    except TimeoutError:
        return
