from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route, WebSocketRoute

from liaison.api.authentication import Authenticator
from liaison.api.config import Settings
from liaison.api.graphiql import graphiql_assets
from liaison.api.graphql_app import GraphQLEndpoint, LiaisonGraphQL
from liaison.api.keys import SigningKeys
from liaison.api.policy_cache import PolicyCache
from liaison.api.request_id import RequestIdMiddleware
from liaison.db.engine import create_engine, session_factory
from liaison.schema.build import build_schema


def create_app(settings: Settings) -> Starlette:
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    keys = SigningKeys.load_or_create(settings.data_dir)
    authenticator = Authenticator(keys, issuer=settings.issuer, audience=settings.audience)
    view = LiaisonGraphQL(build_schema(), sessions=sessions, policies=PolicyCache())
    endpoint = GraphQLEndpoint(view, authenticator, sessions)

    async def healthz(_: Request) -> JSONResponse:
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:  # the probe answers; the log has the details
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
        return JSONResponse({"status": "ok", "database": "ok"})

    async def jwks(_: Request) -> JSONResponse:
        return JSONResponse(keys.public_jwks())

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await engine.dispose()

    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/.well-known/jwks.json", jwks),
            Route("/graphql", endpoint, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", endpoint),
            Mount("/static/graphiql", graphiql_assets(), name="graphiql"),
        ],
        lifespan=lifespan,
        middleware=[Middleware(RequestIdMiddleware)],
    )
    app.state.engine = engine
    return app
