"""Cross-origin access for the pages of a configured allow-list of origins, and no other.

Liaison authenticates with bearer tokens, never cookies, so no credentials mode is needed.
A preflight from an allowed origin asking for GET or POST and only the headers below is
answered 204; any other preflight is refused 403 (JSON, without CORS headers, so the
browser blocks the call). Responses to an allowed origin name it and expose
``X-Request-ID`` (and ``Retry-After``, for 429s). Websocket handshakes are checked against
the same list by the GraphQL view.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from liaison.api.http_errors import error_response, request_id_of

ALLOWED_METHODS = ("GET", "POST")
ALLOWED_HEADERS = (
    "Authorization",
    "Content-Type",
    "Liaison-Purpose",
    "Liaison-Case",
    "X-Request-ID",
)
EXPOSED_HEADERS = ("X-Request-ID", "Retry-After")
# Always allowed by browsers without asking (CORS-safelisted request headers).
_SAFELISTED = {"accept", "accept-language", "content-language"}
PREFLIGHT_MAX_AGE = 600


class CorsMiddleware:
    def __init__(self, app: ASGIApp, *, origins: tuple[str, ...]) -> None:
        self.app = app
        self.origins = frozenset(o.lower().rstrip("/") for o in origins)
        self._allowed_headers = {h.lower() for h in ALLOWED_HEADERS} | _SAFELISTED

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        allowed = origin.lower() in self.origins
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(scope, receive, send, headers, origin, allowed)
            return
        if not allowed:
            await self.app(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                response_headers["Access-Control-Allow-Origin"] = origin
                response_headers["Access-Control-Expose-Headers"] = ", ".join(EXPOSED_HEADERS)
                response_headers.add_vary_header("Origin")
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        headers: Headers,
        origin: str,
        allowed: bool,
    ) -> None:
        method = headers["access-control-request-method"].upper()
        requested = [
            h.strip().lower()
            for h in headers.get("access-control-request-headers", "").split(",")
            if h.strip()
        ]
        refused_headers = [h for h in requested if h not in self._allowed_headers]
        problem = None
        if not allowed:
            problem = f"Origin {origin} is not allowed to call this API (LIAISON_CORS_ORIGINS)."
        elif method not in ALLOWED_METHODS:
            problem = f"Method {method} is not allowed; use GET or POST."
        elif refused_headers:
            problem = (
                f"Header(s) {', '.join(refused_headers)} are not allowed; allowed: "
                f"{', '.join(ALLOWED_HEADERS)}."
            )
        response: Response
        if problem is not None:
            response = error_response(403, problem, request_id_of(scope), code="CORS_REFUSED")
        else:
            response = Response(
                status_code=204,
                headers={
                    "Access-Control-Allow-Origin": origin,
                    "Access-Control-Allow-Methods": ", ".join(ALLOWED_METHODS),
                    "Access-Control-Allow-Headers": ", ".join(ALLOWED_HEADERS),
                    "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE),
                },
            )
        response.headers.add_vary_header("Origin")
        response.headers.add_vary_header("Access-Control-Request-Method")
        response.headers.add_vary_header("Access-Control-Request-Headers")
        await response(scope, receive, send)
