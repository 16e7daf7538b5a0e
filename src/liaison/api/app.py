from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route, WebSocketRoute

from liaison.api.admission import Admission
from liaison.api.body_limit import BodyLimitMiddleware
from liaison.api.config import Settings
from liaison.api.console_app import ConsoleFiles, console_routes
from liaison.api.cors import CorsMiddleware
from liaison.api.graphiql import graphiql_assets
from liaison.api.graphql_app import GraphQLEndpoint
from liaison.api.graphql_over_http import GraphQLOverHTTP
from liaison.api.http_errors import InternalErrorMiddleware, http_exception_as_json
from liaison.api.identity import build_identity
from liaison.api.policy_cache import PolicyCache
from liaison.api.request_id import RequestIdMiddleware
from liaison.db.attachments import AttachmentStore
from liaison.db.audit_log import index_continuously
from liaison.db.audit_writer import AuditWriter
from liaison.db.change_feed import ChangeFeed
from liaison.db.engine import create_engine, session_factory
from liaison.db.recognition import lapse_continuously
from liaison.schema.build import build_schema
from liaison.schema.rate_limit import RecordBudget


def create_app(settings: Settings, *, fast_lists: bool = True) -> Starlette:
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    identity = build_identity(settings, sessions)
    budget = RecordBudget(settings.limits.rate_records_per_minute)
    changes = ChangeFeed(sessions, poll_seconds=settings.subscription_poll_seconds)
    # Group commit of queries' audit events, where processes share the chain's head (on
    # SQLite one process writes, and a request's own writes would hold the write lock the
    # writer waits for).
    audit_writer = (
        AuditWriter.on_own_connection(settings.database_url)
        if engine.dialect.name == "postgresql"
        else None
    )
    view = GraphQLOverHTTP(
        build_schema(fast_lists=fast_lists, limits=settings.limits, budget=budget),
        sessions=sessions,
        policies=PolicyCache(),
        changes=changes,
        attachments=AttachmentStore(settings.attachment_dir, settings.limits.max_attachment_bytes),
        audit_writer=audit_writer,
        limits=settings.limits,
        budget=budget,
        cors_origins=settings.cors_origins,
    )
    endpoint = GraphQLEndpoint(
        view,
        identity.authenticator,
        sessions,
        admission=Admission(settings.limits.max_concurrent_operations),
    )

    async def healthz(_: Request) -> JSONResponse:
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:  # the probe answers; the log has the details
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
        return JSONResponse({"status": "ok", "database": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        # accessLog indexes what is pending before it answers; this keeps that little.
        tasks = [asyncio.create_task(index_continuously(sessions))]
        # Recognitions whose result ended by the passing of time lapse without a write.
        tasks.append(asyncio.create_task(lapse_continuously(sessions)))
        if engine.dialect.name == "postgresql" and budget.enabled:
            # Processes sharing the database share the record budget too.
            tasks.append(asyncio.create_task(budget.share_continuously(sessions)))
        yield
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await changes.close()
        if audit_writer is not None:
            await audit_writer.close()
        await engine.dispose()

    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            *identity.routes,  # /.well-known/jwks.json, /oauth/token, RFC 8414 metadata
            Route("/graphql", endpoint, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", endpoint),
            Mount("/static/graphiql", graphiql_assets(), name="graphiql"),
            *console_routes(ConsoleFiles.load()),
        ],
        lifespan=lifespan,
        middleware=[
            Middleware(RequestIdMiddleware),
            Middleware(CorsMiddleware, origins=settings.cors_origins),
            Middleware(InternalErrorMiddleware),
            Middleware(BodyLimitMiddleware, max_bytes=settings.limits.max_body_bytes),
        ],
        exception_handlers={HTTPException: http_exception_as_json},
    )
    app.state.engine = engine
    app.state.audit_writer = audit_writer
    app.state.identity = identity
    app.state.changes = changes
    return app
