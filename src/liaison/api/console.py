"""``GET /console/config.json`` (no authentication): the sign-in options the console offers,
the embedded issuer first, then each external issuer configured with a console client. The
console is a static page; this is all it needs to know to start an authorization code flow
with PKCE at any of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from liaison.api.authorization_code import CONSOLE_CLIENT_ID
from liaison.api.issuers import ExternalIssuers
from liaison.api.people_login import AUTHORIZE_PATH
from liaison.api.people_tokens import REVOKE_PATH
from liaison.permissions.principal import Role

CONFIG_PATH: Final = "/console/config.json"
TOKEN_PATH: Final = "/oauth/token"  # noqa: S105 - a path, not a password
EMBEDDED_NAME: Final = "liaison"


def console_config(base: str, issuer: str, external: ExternalIssuers) -> dict[str, Any]:
    providers: list[dict[str, Any]] = [
        {
            "name": EMBEDDED_NAME,
            "issuer": issuer,
            "authorization_endpoint": base + AUTHORIZE_PATH,
            "token_endpoint": base + TOKEN_PATH,
            "revocation_endpoint": base + REVOKE_PATH,
            "client_id": CONSOLE_CLIENT_ID,
            "scopes": [role.value for role in Role],
        }
    ]
    for provider in external:
        console = provider.config.console
        if console is None:
            continue
        providers.append(
            {
                "name": provider.config.name,
                "issuer": provider.config.issuer,
                "authorization_endpoint": console.authorization_endpoint,
                "token_endpoint": console.token_endpoint,
                "revocation_endpoint": console.revocation_endpoint,
                "client_id": console.client_id,
                "scopes": list(console.scopes),
            }
        )
    return {"providers": providers}


def config_endpoint(
    base: Callable[[Request], str], issuer: str, external: ExternalIssuers, *, configured: bool
) -> Callable[[Request], Any]:
    async def config(request: Request) -> Response:
        # Derived from the Host header unless the public URL is configured: then cacheable.
        cache = "public, max-age=300" if configured else "no-store"
        return JSONResponse(
            console_config(base(request), issuer, external), headers={"Cache-Control": cache}
        )

    return config
